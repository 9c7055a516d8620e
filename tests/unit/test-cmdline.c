// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel command line parsing, against the kernel's own rules (lib/cmdline.c next_arg, parameq). */
#include <stdlib.h>
#include <string.h>

#include "early/cmdline.h"
#include "tests/lib/tap.h"

static struct vfe_cmdline parse(const char *s)
{
	struct vfe_cmdline c;

	REQUIRE(vfe_cmdline_parse(s, &c) == 0);
	return c;
}

TEST(next_arg_follows_kernel_quoting)
{
	char buf[] = "a=\"b c\" \"d=e f\" g  h=";
	char *args = buf, *p, *v;

	args = vfe_kcmdline_next_arg(args, &p, &v);
	CHECK_STREQ(p, "a");
	CHECK_STREQ(v, "b c");
	args = vfe_kcmdline_next_arg(args, &p, &v);
	CHECK_STREQ(p, "d");
	CHECK_STREQ(v, "e f");
	args = vfe_kcmdline_next_arg(args, &p, &v);
	CHECK_STREQ(p, "g");
	CHECK(v == NULL);
	args = vfe_kcmdline_next_arg(args, &p, &v);
	CHECK_STREQ(p, "h");
	CHECK_STREQ(v, "");
	CHECK(*args == '\0');
}

TEST(off_in_every_spelling)
{
	const char *offs[] = { "vfio_early=off", "vfio-early=0", "rd.vfio_early=no", "vfio_early=OFF", "vfio_early=false" };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct vfe_cmdline c = parse(offs[i]);
		CHECK(c.off);
		CHECK_STREQ(c.off_reason, offs[i]);
		vfe_cmdline_free(&c);
	}
}

TEST(last_value_wins_and_on_reenables)
{
	struct vfe_cmdline c = parse("vfio_early=off quiet vfio_early=on");

	CHECK(!c.off);
	vfe_cmdline_free(&c);
}

TEST(garbage_value_keeps_passthrough_and_is_reported)
{
	struct vfe_cmdline c = parse("vfio_early=maybe");

	CHECK(!c.off);
	CHECK(c.problems.n == 1);
	CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, "expected on or off");
	vfe_cmdline_free(&c);
}

TEST(devices_adds_entries_and_reports_bad_items)
{
	struct vfe_cmdline c = parse("root=/dev/sda1 vfio-early.devices=0000:05:00.0,10de:2684,junk,41:00.1");

	CHECK(c.extra.n == 3);
	CHECK(c.extra.n == 3 && c.extra.entries[0].has_addr && c.extra.entries[0].addr.bus == 5);
	CHECK(c.extra.n == 3 && c.extra.entries[1].has_id && c.extra.entries[1].id.vendor == 0x10de);
	CHECK(c.extra.n == 3 && c.extra.entries[2].addr.bus == 0x41 && c.extra.entries[2].addr.func == 1);
	CHECK(c.extra.problems.n == 1);
	CHECK_CONTAINS(c.extra.problems.n ? c.extra.problems.v[0] : NULL, "junk");
	vfe_cmdline_free(&c);
}

TEST(debug_and_unknown_parameters)
{
	struct vfe_cmdline c = parse("vfio_early.debug vfio_early.colour=blue");

	CHECK(c.debug);
	CHECK(c.problems.n == 1);
	CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, "vfio_early.colour");
	vfe_cmdline_free(&c);
}

TEST(vfio_pci_ids_is_noticed)
{
	struct vfe_cmdline c = parse("quiet vfio-pci.ids=10de:1b80,10de:10f0 splash");

	CHECK_STREQ(c.vfio_pci_ids, "10de:1b80,10de:10f0");
	vfe_cmdline_free(&c);
}

TEST(quoted_parameter_and_init_arguments)
{
	struct vfe_cmdline c = parse("\"vfio_early=off\" -- vfio_early=on");

	CHECK(c.off); /* after "--" the words belong to init */
	vfe_cmdline_free(&c);
}

TEST(unbalanced_quote_swallows_the_rest_like_the_kernel)
{
	struct vfe_cmdline c = parse("quiet \"vfio_early=off splash");

	/* the kernel sees one parameter '"vfio_early' ... : not ours, so passthrough stays on */
	CHECK(!c.off);
	vfe_cmdline_free(&c);
}

TEST(trailing_newline_of_proc_cmdline_never_reaches_a_value)
{
	struct vfe_cmdline c = parse("quiet vfio_early.devices=\"05:00.0 junk\n");

	CHECK(c.extra.problems.n == 1);
	CHECK(c.extra.problems.n == 1 && strchr(c.extra.problems.v[0], '\n') == NULL);
	vfe_cmdline_free(&c);
}

TEST(param_eq_treats_dash_and_underscore_alike)
{
	CHECK(vfe_param_eq("vfio-early.devices", "vfio_early.devices"));
	CHECK(!vfe_param_eq("vfio_early.device", "vfio_early.devices"));
}

TEST(junk_command_line_of_4k_never_fails)
{
	char buf[4097];
	struct vfe_cmdline c;

	for (size_t i = 0; i < sizeof(buf) - 1; i++)
		buf[i] = "\"= a.vfio_early,\t-_"[(i * 7) % 19];
	buf[sizeof(buf) - 1] = '\0';
	CHECK(vfe_cmdline_parse(buf, &c) == 0);
	vfe_cmdline_free(&c);
}

TAP_MAIN()
