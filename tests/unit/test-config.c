// SPDX-License-Identifier: GPL-2.0-or-later
/* Config parsing: every line form, every error with file:line, drop-ins in order. */
#include <stdio.h>
#include <stdlib.h>

#include "early/config.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

static struct vfe_config parse(const char *text)
{
	struct vfe_config c = { 0 };
	char *copy = strdup(text);

	REQUIRE(copy != NULL);
	REQUIRE(vfe_config_parse(&c, "/etc/vfio-early.conf", copy) == 0);
	free(copy);
	return c;
}

TEST(address_id_subsystem_group_flags)
{
	struct vfe_config c = parse("# comment\n\ndevice 0000:41:00.0 id=10de:2684 subsystem=1043:88e2 group=whole "
				    "allow-boot-vga allow-storage # trailing\n");
	const struct vfe_entry *e = c.entries;

	CHECK(c.n == 1 && c.problems.n == 0);
	CHECK(e && e->has_addr && e->addr.bus == 0x41 && e->has_id && e->id.device == 0x2684);
	CHECK(e && e->has_subsys && e->subsys.vendor == 0x1043 && e->group == VFE_GROUP_WHOLE);
	CHECK(e && e->allow_boot_vga && e->allow_storage);
	CHECK_STREQ(e ? e->source : NULL, "/etc/vfio-early.conf:3");
	vfe_config_free(&c);
}

TEST(bare_id_and_short_address_and_keyed_forms)
{
	struct vfe_config c = parse("device 10de:2684\ndevice 05:00.1\ndevice address=0000:05:00.0 id=1234:1111\n");

	CHECK(c.n == 3 && c.problems.n == 0);
	CHECK(c.n == 3 && c.entries[0].has_id && !c.entries[0].has_addr);
	CHECK(c.n == 3 && c.entries[1].has_addr && c.entries[1].addr.domain == 0 && c.entries[1].addr.func == 1);
	CHECK(c.n == 3 && c.entries[2].has_addr && c.entries[2].has_id);
	vfe_config_free(&c);
}

TEST(each_bad_line_is_reported_with_its_line_and_skipped)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "frobnicate 1", "unknown directive" },
		{ "device", "needs an address, an id, or both" },
		{ "device 0000:05:20.0", "unknown word" }, /* device 0x20 > 0x1f */
		{ "device id=10de:26", "bad id" },
		{ "device address=5:0.0", "bad address" },
		{ "device 10de:2684 10de:2685", "two ids" },
		{ "device 05:00.0 group=most", "bad group" },
		{ "device 05:00.0 colour=red", "unknown key" },
		{ "device 05:00.0 id=\"10de:2684", "unterminated quote" },
		{ "device 05:00.0 allow-everything", "unknown word" },
		{ "device 05:00.0 members=0000:05:00.0/10de:2684", "members= pins a group=whole entry" },
		{ "device 05:00.0 group=whole members=0000:05:00.0", "bad members" },
		{ "device 05:00.0 group=whole members=0000:05:00.0/10de:2684,0000:05:00.0/10de:2684", "listed twice" },
		{ "device 05:00.0 group=whole members=", "empty members=" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "device 01:00.0\n%s\n", bad[i].line);
		struct vfe_config c = parse(text);
		CHECK(c.n == 1);
		CHECK(c.problems.n == 1);
		CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, "/etc/vfio-early.conf:2: ");
		CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, bad[i].msg);
		vfe_config_free(&c);
	}
}

TEST(format_round_trips)
{
	struct vfe_config c = parse("device 0000:41:00.0 id=10de:2684 subsystem=1043:88e2 group=whole allow-boot-vga\n");
	char *line = c.n ? vfe_entry_format(&c.entries[0]) : NULL;

	CHECK_STREQ(line, "device 0000:41:00.0 id=10de:2684 subsystem=1043:88e2 group=whole allow-boot-vga");
	free(line);
	vfe_config_free(&c);
}

/* group=whole pinned by add --group: every member with its id, written back as read. */
TEST(members_pin_a_whole_group)
{
	const char *line = "device 0000:41:00.0 id=10de:2684 group=whole "
			   "members=0000:40:01.1/1022:1483,0000:41:00.0/10de:2684,0000:41:00.1/10de:22ba";
	struct vfe_config c = parse(line);
	struct vfe_pci_addr audio = { 0, 0x41, 0, 1 }, other = { 0, 0x41, 0, 2 };
	const struct vfe_member *m;
	char *again;

	CHECK(c.n == 1 && c.problems.n == 0);
	CHECK(c.n == 1 && c.entries[0].n_members == 3);
	m = c.n ? vfe_entry_member(&c.entries[0], &audio) : NULL;
	CHECK(m && m->id.vendor == 0x10de && m->id.device == 0x22ba);
	CHECK(c.n && vfe_entry_member(&c.entries[0], &other) == NULL);
	again = c.n ? vfe_entry_format(&c.entries[0]) : NULL;
	CHECK_STREQ(again, line);
	free(again);
	vfe_config_free(&c);
}

TEST(more_members_than_fit_are_refused)
{
	char line[2048] = "device 0000:41:00.0 group=whole members=";
	struct vfe_config c;

	for (int i = 0; i < VFE_MEMBERS_MAX + 1; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s0000:%02x:00.0/10de:2684", i ? "," : "", i);
	c = parse(line);
	CHECK(c.n == 0 && c.problems.n == 1);
	CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, "too many members");
	vfe_config_free(&c);
}

TEST(dropins_load_in_name_order_and_binary_files_are_refused)
{
	struct fake_root f;
	struct vfe_config c = { 0 };

	REQUIRE(fake_root_new(&f, NULL) == 0);
	fake_write(&f, "etc/vfio-early.conf", "device 01:00.0\n");
	fake_write(&f, "etc/vfio-early.d/20-b.conf", "device 03:00.0\n");
	fake_write(&f, "etc/vfio-early.d/10-a.conf", "device 02:00.0\n");
	fake_write(&f, "etc/vfio-early.d/ignored.txt", "device 09:00.0\n");
	CHECK(vfe_config_load(&c, &f.root) == 0);
	CHECK(c.n == 3);
	CHECK(c.n == 3 && c.entries[1].addr.bus == 2 && c.entries[2].addr.bus == 3);
	CHECK_STREQ(c.n == 3 ? c.entries[2].source : NULL, "/etc/vfio-early.d/20-b.conf:1");
	vfe_config_free(&c);

	{
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/etc/vfio-early.d/30-bin.conf", f.dir);
		FILE *fp = fopen(p, "w");
		REQUIRE(fp != NULL);
		fwrite("device\0\x01\x02", 1, 9, fp);
		fclose(fp);
	}
	CHECK(vfe_config_load(&c, &f.root) == 0);
	CHECK(c.n == 3 && c.problems.n == 1);
	CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, "NUL byte");
	vfe_config_free(&c);
	fake_root_free(&f);
}

TEST(huge_file_and_long_line_are_refused_not_fatal)
{
	struct fake_root f;
	struct vfe_config c = { 0 };
	char *big = malloc(VFE_CONFIG_MAX_SIZE + 2);

	REQUIRE(big != NULL);
	REQUIRE(fake_root_new(&f, NULL) == 0);
	memset(big, 'x', VFE_CONFIG_MAX_SIZE + 1);
	big[VFE_CONFIG_MAX_SIZE + 1] = '\0';
	fake_write(&f, "etc/vfio-early.conf", big);
	fake_write(&f, "etc/vfio-early.d/a.conf", "device 01:00.0\n");
	CHECK(vfe_config_load(&c, &f.root) == 0);
	CHECK(c.n == 1 && c.problems.n == 1);
	CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, "larger than");
	vfe_config_free(&c);
	big[5000] = '\0';
	fake_write(&f, "etc/vfio-early.conf", big);
	CHECK(vfe_config_load(&c, &f.root) == 0);
	CHECK_CONTAINS(c.problems.n ? c.problems.v[0] : NULL, "longer than 4096");
	vfe_config_free(&c);
	free(big);
	fake_root_free(&f);
}

TAP_MAIN()
