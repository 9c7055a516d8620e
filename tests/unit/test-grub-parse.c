// SPDX-License-Identifier: GPL-2.0-or-later
/* GRUB backend readers: /etc/default/grub through /bin/sh, grub.cfg entries, where /boot/grub lives. */
#include <stdio.h>

#include "efi/grub/grub.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

/* Loads the tree's files with vfe_grub_defaults_load(); a fresh fake root per case. */
static int load(const char *main_file, const char *dropin, const char *skip, struct vfe_grubenv *v)
{
	struct fake_root f;
	int k;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	if (main_file)
		fake_write(&f, "etc/default/grub", main_file);
	if (dropin)
		fake_write(&f, "etc/default/grub.d/50-user.cfg", dropin);
	k = vfe_grub_defaults_load(&f.root, skip, v);
	fake_root_free(&f);
	return k;
}

TEST(defaults_are_shell_sourced_by_bin_sh)
{
	struct vfe_grubenv v;

	/* what grub-mkconfig accepts: backticks, $(...), ${VAR:-x}, export, if, comments, ';' */
	CHECK(load("# comment with 'quote\n"
		   "GRUB_DEFAULT=0\n"
		   "export GRUB_TIMEOUT=5 # trailing\n"
		   "GRUB_DISTRIBUTOR=`echo Deb; echo ian` ; GRUB_TIMEOUT_STYLE=$(echo hidden)\n"
		   "X=$(printf 'a\\nb')\n"
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet ${UNSET_VAR:-splash}\"\n"
		   "if [ -n \"$X\" ]; then GRUB_CMDLINE_LINUX='console=ttyS0 '\"$X\"; fi\n",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on\"\n", NULL, &v) == 0);
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_DEFAULT"), "0");
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_TIMEOUT"), "5");
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_TIMEOUT_STYLE"), "hidden");
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_DISTRIBUTOR"), "Deb\nian");
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_CMDLINE_LINUX_DEFAULT"), "quiet splash intel_iommu=on");
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_CMDLINE_LINUX"), "console=ttyS0 a\nb");
	/* only the variables we read, and only those set (set to "" counts) */
	CHECK(vfe_grubenv_get(&v, "X") == NULL);
	CHECK(vfe_grubenv_get(&v, "GRUB_DISABLE_SUBMENU") == NULL);
	vfe_grubenv_free(&v);
	CHECK(load("GRUB_DISABLE_SUBMENU=\n", NULL, NULL, &v) == 0);
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_DISABLE_SUBMENU"), "");
	vfe_grubenv_free(&v);
}

TEST(defaults_clean_environment_and_no_host_files)
{
	struct vfe_grubenv v;

	/* a GRUB_* variable of the caller does not leak in; a root without files has no values */
	setenv("GRUB_DEFAULT", "leaked", 1);
	CHECK(load(NULL, NULL, NULL, &v) == 0);
	CHECK(v.n == 0);
	vfe_grubenv_free(&v);
	CHECK(load("A=1\n", "GRUB_DEFAULT=${GRUB_DEFAULT:-fromdropin}\n", NULL, &v) == 0);
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_DEFAULT"), "fromdropin");
	vfe_grubenv_free(&v);
	unsetenv("GRUB_DEFAULT");
	/* what the files print does not end up in the values */
	CHECK(load("echo GRUB_DEFAULT=printed; echo x >&2\nGRUB_TIMEOUT=3\n", NULL, NULL, &v) == 0);
	CHECK(vfe_grubenv_get(&v, "GRUB_DEFAULT") == NULL);
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_TIMEOUT"), "3");
	vfe_grubenv_free(&v);
}

TEST(defaults_what_stops_grub_mkconfig_is_an_error)
{
	struct vfe_grubenv v = { 0 };

	/* each of these stops grub-mkconfig (set -e) too */
	CHECK(load("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\nGRUB_TIMEOUT=5\n", NULL, NULL, &v) == -EINVAL);
	CHECK(load("GRUB_DEFAULT=0\n", "false\n", NULL, &v) == -EINVAL);
	CHECK(load("GRUB_DEFAULT=0\nexit 0\n", NULL, NULL, &v) == -EINVAL);
	CHECK(load("GRUB_DEFAULT=0\n[ -e /nonexistent ] && X=1\n", NULL, NULL, &v) == -EINVAL);
	CHECK(v.n == 0);
	/* a failing command inside an if or a || is fine, as for grub-mkconfig */
	CHECK(load("GRUB_DEFAULT=0\nif false; then :; fi\nfalse || true\n", NULL, NULL, &v) == 0);
	vfe_grubenv_free(&v);
}

TEST(defaults_load_reads_dropins_in_glob_order)
{
	struct fake_root f;
	struct vfe_grubenv v;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	fake_write(&f, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=quiet\n");
	fake_write(&f, "etc/default/grub.d/init-select.cfg", "GRUB_TIMEOUT=1\n");
	fake_write(&f, "etc/default/grub.d/vfio-early.cfg",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT iommu=pt\"\n");
	fake_write(&f, "etc/default/grub.d/zz.cfg", "GRUB_TIMEOUT=\"$GRUB_TIMEOUT 2\"\n");
	fake_write(&f, "etc/default/grub.d/ignored.cfg~", "GRUB_TIMEOUT=bad\n");
	fake_mkdir(&f, "etc/default/grub.d/dir.cfg.d");
	CHECK(vfe_grub_defaults_load(&f.root, NULL, &v) == 0);
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_CMDLINE_LINUX_DEFAULT"), "quiet iommu=pt");
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_TIMEOUT"), "1 2");
	vfe_grubenv_free(&v);
	CHECK(vfe_grub_defaults_load(&f.root, "vfio-early.cfg", &v) == 0);
	CHECK_STREQ(vfe_grubenv_get(&v, "GRUB_CMDLINE_LINUX_DEFAULT"), "quiet");
	vfe_grubenv_free(&v);
	fake_root_free(&f);
}

static const char cfg_text[] =
	"function load_video {\n  insmod all_video\n}\n"
	"menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-U' {\n\tlinux /v\n}\n"
	"submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-U' {\n"
	"\tmenuentry 'Debian, with Linux 6.1' --class debian $menuentry_id_option 'gnulinux-6.1-advanced-U' {\n"
	"\t\tlinux /v\n\t}\n}\n"
	"menuentry 'Debian GNU/Linux (no GPU passthrough)' $menuentry_id_option 'vfio-early-nopt' {\n\tlinux /v\n}\n"
	"submenu 'Advanced options for Debian GNU/Linux (no GPU passthrough)' $menuentry_id_option 'vfio-early-advanced' {\n"
	"\tmenuentry 'It'\\''s 6.1 (no GPU passthrough)' $menuentry_id_option 'vfio-early-nopt-6.1' {\n\t}\n}\n"
	"if [ \"${vfio_early_menu}\" = 1 ]; then\n  set timeout_style=menu\nfi\n";

TEST(cfg_entries_ids_and_submenu_paths)
{
	struct vfe_grub_cfg c;
	const struct vfe_grub_entry *e;

	CHECK(vfe_grub_cfg_parse(cfg_text, &c) == 0);
	CHECK(c.n == 6);
	CHECK(c.has_menu_hook);
	e = vfe_grub_cfg_find(&c, "gnulinux-advanced-U>gnulinux-6.1-advanced-U");
	CHECK(e && !e->ours);
	e = vfe_grub_cfg_find(&c, "vfio-early-nopt");
	CHECK(e && e->ours && !e->submenu);
	CHECK_STREQ(e ? e->title : "", "Debian GNU/Linux (no GPU passthrough)");
	e = vfe_grub_cfg_find(&c, "vfio-early-advanced>vfio-early-nopt-6.1");
	CHECK(e && e->ours);
	CHECK_STREQ(e ? e->title : "", "It's 6.1 (no GPU passthrough)");
	e = vfe_grub_cfg_first_passthrough(&c);
	CHECK_STREQ(e ? e->id : "", "gnulinux-simple-U");
	vfe_grub_cfg_free(&c);
}

/* Our counting code is found where it runs, not where someone commented it out. */
TEST(cfg_count_hook_only_where_it_runs)
{
	struct vfe_grub_cfg c;

	CHECK(vfe_grub_cfg_parse("if [ -n \"${vfio_early_tries}\" ]; then\n  save_env vfio_early_tries\nfi\n", &c) == 0);
	CHECK(c.has_count_hook);
	vfe_grub_cfg_free(&c);
	CHECK(vfe_grub_cfg_parse("if [ -n \"${vfio_early_tries}\" ]; then\n  # save_env vfio_early_tries\nfi\n", &c) == 0);
	CHECK(!c.has_count_hook);
	vfe_grub_cfg_free(&c);
}

TEST(fs_probe_longest_mount_and_block_layers)
{
	struct fake_root f;
	struct vfe_grub_fs fs;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	fake_write(&f, "proc/self/mountinfo",
		   "22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n"
		   "23 22 8:1 / /boot/efi rw shared:2 - vfat /dev/sda1 rw\n"
		   "24 22 253:0 / /boot rw shared:3 - ext4 /dev/mapper/vg-boot rw\n"
		   "25 22 0:40 / /bootx rw - tmpfs tmpfs rw\n");
	CHECK(vfe_grub_fs_probe(&f.root, "boot/grub", &fs) == 0);
	CHECK_STREQ(fs.mountpoint, "/boot");
	CHECK(fs.major == 253 && fs.grub_can_write); /* no dm/ in sysfs yet */
	fake_mkdir(&f, "sys/devices/virtual/block/dm-0/dm");
	fake_symlink(&f, "sys/dev/block/253:0", "../../devices/virtual/block/dm-0");
	CHECK(vfe_grub_fs_probe(&f.root, "boot/grub", &fs) == 0);
	CHECK(!fs.grub_can_write);
	CHECK_CONTAINS(fs.why, "LVM");
	/* a partition of an MD array: md/ is on the parent */
	fake_write(&f, "proc/self/mountinfo", "22 1 259:1 / / rw - ext4 /dev/md0p1 rw\n");
	fake_write(&f, "sys/devices/virtual/block/md0/md0p1/partition", "1\n");
	fake_mkdir(&f, "sys/devices/virtual/block/md0/md");
	fake_symlink(&f, "sys/dev/block/259:1", "../../devices/virtual/block/md0/md0p1");
	CHECK(vfe_grub_fs_probe(&f.root, "boot/grub", &fs) == 0);
	CHECK(!fs.grub_can_write);
	CHECK_CONTAINS(fs.why, "MD RAID");
	fake_write(&f, "proc/self/mountinfo", "22 1 0:30 /@ / ro,noatime - btrfs /dev/sda2 rw\n");
	CHECK(vfe_grub_fs_probe(&f.root, "boot/grub", &fs) == 0);
	CHECK(!fs.grub_can_write && fs.read_only);
	CHECK_CONTAINS(fs.why, "btrfs");
	fake_root_free(&f);
}

TAP_MAIN()
