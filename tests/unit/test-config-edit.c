// SPDX-License-Identifier: GPL-2.0-or-later
/* Config edits for add and remove, checked by the parser the binder uses (early/config-edit.h). */
#include <stdlib.h>
#include <string.h>

#include "early/config-edit.h"
#include "tests/lib/tap.h"

#define HEADER "# vfio-early: devices to bind to vfio-pci at boot; see vfio-early.conf(5)\n"

static char *append(const char *text, const char *line, int want)
{
	char *out = NULL;

	CHECK(vfe_config_append(text, text ? strlen(text) : 0, "added by 'vfio-early add': 0000:05:00.0", line, &out) ==
	      want);
	return out;
}

TEST(append_to_a_missing_file_starts_it_with_a_header)
{
	char *out = append(NULL, "device 0000:05:00.0 id=10de:2684", 0);

	CHECK_STREQ(out, HEADER "# added by 'vfio-early add': 0000:05:00.0\ndevice 0000:05:00.0 id=10de:2684\n");
	free(out);
}

TEST(append_keeps_the_file_and_ends_its_last_line)
{
	char *out = append("# mine\ndevice 0000:01:00.0", "device 0000:05:00.0", 0);

	CHECK_STREQ(out, "# mine\ndevice 0000:01:00.0\n# added by 'vfio-early add': 0000:05:00.0\ndevice 0000:05:00.0\n");
	free(out);
}

TEST(append_refuses_what_would_not_parse_or_a_binary_file)
{
	char bin[] = "device 0000:01:00.0\n\0junk\n";
	char *out = NULL;

	CHECK(append("", "device zz:zz.z", -EINVAL) == NULL);
	CHECK(append("", "device 0000:05:00.0\ndevice 0000:06:00.0", -EINVAL) == NULL);
	CHECK(vfe_config_append(bin, sizeof(bin) - 1, "c", "device 0000:05:00.0", &out) == -EBADMSG && !out);
}

TEST(remove_takes_the_entry_and_add_s_comment_and_nothing_else)
{
	const char *text = "# mine\n"
			   "# added by 'vfio-early add': 0000:05:00.0, class 0300\n"
			   "device 0000:05:00.0 id=10de:2684\n"
			   "# added by 'vfio-early add': 0000:06:00.0, class 0403\n"
			   "device 06:00.0\n"
			   "device 10de:2684 group=whole\n";
	struct strv removed = { 0 };
	char *out = NULL;

	CHECK(vfe_config_remove(text, "etc/vfio-early.conf", "0000:05:00.0", &out, &removed) == 1);
	CHECK_STREQ(out, "# mine\n# added by 'vfio-early add': 0000:06:00.0, class 0403\ndevice 06:00.0\n"
			 "device 10de:2684 group=whole\n");
	CHECK(removed.n == 1);
	CHECK_STREQ(removed.n ? removed.v[0] : NULL, "device 0000:05:00.0 id=10de:2684");
	free(out);
	strv_free(&removed);
	/* by id: the entries naming the id, not the one naming the address only */
	CHECK(vfe_config_remove(text, "etc/vfio-early.conf", "10de:2684", &out, &removed) == 2);
	CHECK_STREQ(out, "# mine\n# added by 'vfio-early add': 0000:06:00.0, class 0403\ndevice 06:00.0\n");
	free(out);
	strv_free(&removed);
}

TEST(remove_of_nothing_changes_nothing)
{
	const char *text = "# added by 'vfio-early add': x\n# added by 'vfio-early add': y\ndevice 0000:06:00.0\n# tail";
	struct strv removed = { 0 };
	char *out = NULL;

	CHECK(vfe_config_remove(text, "c", "0000:05:00.0", &out, &removed) == 0);
	CHECK_STREQ(out, "# added by 'vfio-early add': x\n# added by 'vfio-early add': y\ndevice 0000:06:00.0\n# tail\n");
	CHECK(removed.n == 0);
	free(out);
}

TEST(replace_changes_one_line_and_keeps_the_rest)
{
	const char *text = "# mine\n# added by 'vfio-early add': x\ndevice 0000:05:00.0 id=10de:2684\ndevice 06:00.0";
	char *out = NULL;

	CHECK(vfe_config_replace(text, 3, "device 0000:05:00.0 id=10de:2684 group=whole", &out) == 0);
	CHECK_STREQ(out, "# mine\n# added by 'vfio-early add': x\ndevice 0000:05:00.0 id=10de:2684 group=whole\n"
			 "device 06:00.0");
	free(out);
	out = NULL;
	CHECK(vfe_config_replace(text, 4, "device 06:00.0 allow-boot-vga", &out) == 0);
	CHECK_STREQ(out, "# mine\n# added by 'vfio-early add': x\ndevice 0000:05:00.0 id=10de:2684\n"
			 "device 06:00.0 allow-boot-vga\n");
	free(out);
}

TEST(replace_refuses_a_missing_line_or_one_that_would_not_parse)
{
	const char *text = "device 0000:05:00.0\n";
	char *out = NULL;

	CHECK(vfe_config_replace(text, 2, "device 06:00.0", &out) == -ENOENT && !out);
	CHECK(vfe_config_replace(text, 0, "device 06:00.0", &out) == -ENOENT && !out);
	CHECK(vfe_config_replace(text, 1, "device zz:zz.z", &out) == -EINVAL && !out);
	CHECK(vfe_config_replace(text, 1, "# gone", &out) == -EINVAL && !out);
}

TEST(entry_names_spec_by_address_or_id)
{
	struct vfe_entry e = { .has_addr = true, .has_id = true, .addr = { 0, 5, 0, 0 }, .id = { 0x10de, 0x2684 } };

	CHECK(vfe_entry_names_spec(&e, "05:00.0"));
	CHECK(vfe_entry_names_spec(&e, "10de:2684"));
	CHECK(!vfe_entry_names_spec(&e, "05:00.1"));
	CHECK(!vfe_entry_names_spec(&e, "junk"));
	e.has_id = false;
	CHECK(!vfe_entry_names_spec(&e, "10de:2684"));
}

TAP_MAIN()
