// SPDX-License-Identifier: GPL-2.0-or-later
/* The GRUB backend on fake /etc/default, /etc/grub.d and /boot/grub trees. */
#include <stdio.h>
#include <sys/stat.h>

#include "efi/boot.h"
#include "efi/grub/grub.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

#define GRUB vfe_boot_backend(VFE_LOADER_GRUB)

static const char cfg_ours[] =
	"load_env\n"
	"menuentry 'Debian GNU/Linux' $menuentry_id_option 'gnulinux-simple-U' {\n\tlinux /boot/v root=/dev/vda ro quiet intel_iommu=on\n}\n"
	"menuentry 'Debian GNU/Linux (no GPU passthrough)' $menuentry_id_option 'vfio-early-nopt' {\n\tlinux /boot/v vfio_early=off\n}\n"
	"if [ \"${vfio_early_menu}\" = 1 ]; then\n  set timeout_style=menu\nfi\n";
static const char default_grub[] = "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";

struct t {
	struct fake_root f;
	struct strbuf out;
	struct vfe_boot_ctx ctx;
};

/* A Debian-like tree: /etc/default/grub, our script, a fake update-grub that installs cfg_ours. */
static void setup(struct t *t)
{
	char p[PATH_MAX + 32];

	memset(t, 0, sizeof(*t));
	CHECK(fake_root_new(&t->f, NULL) == 0);
	fake_write(&t->f, "etc/default/grub", default_grub);
	fake_write(&t->f, "etc/default/grub.d/init-select.cfg", "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT\"\n");
	fake_write(&t->f, "etc/grub.d/42_vfio-early", "#!/bin/sh\n");
	fake_write(&t->f, "canned.cfg", cfg_ours);
	fake_write(&t->f, "usr/sbin/update-grub",
		   "#!/bin/sh\nr=$(dirname \"$0\")/../..\necho ran >>\"$r/update.log\"\n"
		   "[ -e \"$r/fail\" ] && exit 3\ncp \"$r/canned.cfg\" \"$r/boot/grub/grub.cfg\"\n");
	fake_write(&t->f, "boot/grub/grub.cfg", "menuentry 'Debian GNU/Linux' $menuentry_id_option 'gnulinux-simple-U' {\n}\n");
	fake_write(&t->f, "proc/self/mountinfo", "22 1 254:1 / / rw,relatime - ext4 /dev/vda rw\n");
	snprintf(p, sizeof(p), "%s/usr/sbin/update-grub", t->f.dir);
	chmod(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/grub.d/42_vfio-early", t->f.dir);
	chmod(p, 0755);
	t->ctx.root = &t->f.root;
	t->ctx.out = &t->out;
	t->ctx.params = (struct vfe_boot_params){ .iommu = "intel_iommu=on", .iommu_pt = true };
}

static void teardown(struct t *t)
{
	sb_free(&t->out);
	fake_root_free(&t->f);
}

static const char *out(struct t *t)
{
	return t->out.s ? t->out.s : "";
}

TEST(detect_sees_grub)
{
	struct t t;

	setup(&t);
	CHECK(GRUB->detect(&t.ctx) > 0);
	teardown(&t);
}

TEST(install_writes_dropin_runs_update_grub_and_leaves_default_grub_alone)
{
	struct t t;
	char *d;

	setup(&t);
	CHECK(GRUB->install(&t.ctx) == 0);
	d = fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg");
	CHECK_CONTAINS(d, "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt\"\n");
	CHECK(!strstr(d ? d : "", "GRUB_DEFAULT"));
	CHECK_STREQ(fake_read(&t.f, "etc/default/grub"), default_grub);
	CHECK_STREQ(fake_read(&t.f, "update.log"), "ran\n");
	CHECK_CONTAINS(out(&t), "ran ");
	/* a second install changes nothing and runs nothing */
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK_STREQ(fake_read(&t.f, "update.log"), "ran\n");
	CHECK_CONTAINS(out(&t), "already installed");
	teardown(&t);
}

TEST(install_no_update_says_what_to_run)
{
	struct t t;

	setup(&t);
	t.ctx.no_update = true;
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg") != NULL);
	CHECK(fake_read(&t.f, "update.log") == NULL);
	CHECK_CONTAINS(out(&t), "now run");
	CHECK_CONTAINS(out(&t), "/usr/sbin/update-grub");
	teardown(&t);
}

TEST(install_dry_run_changes_nothing)
{
	struct t t;

	setup(&t);
	t.ctx.dry_run = true;
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	CHECK(fake_read(&t.f, "update.log") == NULL);
	CHECK_CONTAINS(out(&t), "+GRUB_CMDLINE_LINUX_DEFAULT=");
	CHECK_CONTAINS(out(&t), "would run");
	teardown(&t);
}

TEST(install_refuses_malformed_default_grub)
{
	struct t t;

	setup(&t);
	fake_write(&t.f, "etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n");
	CHECK(GRUB->install(&t.ctx) == -EINVAL);
	CHECK(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	CHECK(fake_read(&t.f, "update.log") == NULL);
	teardown(&t);
}

TEST(install_refuses_without_grub_mkconfig)
{
	struct t t;
	char p[PATH_MAX + 32];

	setup(&t);
	snprintf(p, sizeof(p), "%s/usr/sbin/update-grub", t.f.dir);
	unlink(p);
	CHECK(GRUB->install(&t.ctx) == -ENOENT);
	CHECK(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	teardown(&t);
}

TEST(install_refuses_without_our_script)
{
	struct t t;
	char p[PATH_MAX + 32];

	setup(&t);
	snprintf(p, sizeof(p), "%s/etc/grub.d/42_vfio-early", t.f.dir);
	chmod(p, 0644);
	CHECK(GRUB->install(&t.ctx) == -ENOEXEC);
	unlink(p);
	CHECK(GRUB->install(&t.ctx) == -ENOENT);
	CHECK(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	teardown(&t);
}

TEST(install_failed_update_restores_the_old_dropin)
{
	struct t t;

	setup(&t);
	fake_write(&t.f, "etc/default/grub.d/vfio-early.cfg", "# old\n");
	fake_write(&t.f, "fail", "");
	CHECK(GRUB->install(&t.ctx) == -EIO);
	CHECK_STREQ(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg"), "# old\n");
	teardown(&t);
}

TEST(install_refuses_read_only_boot)
{
	struct t t;

	setup(&t);
	fake_write(&t.f, "proc/self/mountinfo", "22 1 254:1 / / rw - ext4 /dev/vda rw\n"
						"23 22 254:2 / /boot ro,relatime - ext4 /dev/vda2 ro\n");
	CHECK(GRUB->install(&t.ctx) == -EROFS);
	CHECK(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	teardown(&t);
}

static void installed(struct t *t)
{
	setup(t);
	CHECK(GRUB->install(&t->ctx) == 0);
	sb_free(&t->out);
}

TEST(recovery_next_sets_next_entry_like_grub_reboot)
{
	struct t t;
	char *env;

	installed(&t);
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	env = fake_read(&t.f, "boot/grub/grubenv");
	CHECK(env && strlen(env) == 1024);
	CHECK_CONTAINS(env, "# GRUB Environment Block\n");
	CHECK_CONTAINS(env, "\nnext_entry=vfio-early-nopt\n");
	teardown(&t);
}

TEST(recovery_next_refused_where_grub_cannot_write)
{
	struct t t;

	installed(&t);
	fake_write(&t.f, "proc/self/mountinfo", "22 1 0:31 /@ / rw - btrfs /dev/vda2 rw\n");
	CHECK(GRUB->recovery_next(&t.ctx) == -EOPNOTSUPP);
	CHECK(fake_read(&t.f, "boot/grub/grubenv") == NULL);
	teardown(&t);
}

TEST(recovery_next_refuses_a_bad_grubenv_and_keeps_it)
{
	struct t t;

	installed(&t);
	fake_write(&t.f, "boot/grub/grubenv", "# GRUB Environment Block\nsaved_entry=0\n");
	CHECK(GRUB->recovery_next(&t.ctx) == -EINVAL);
	CHECK_STREQ(fake_read(&t.f, "boot/grub/grubenv"), "# GRUB Environment Block\nsaved_entry=0\n");
	teardown(&t);
}

TEST(recovery_next_needs_our_entry)
{
	struct t t;

	setup(&t);
	CHECK(GRUB->recovery_next(&t.ctx) == -ENOENT);
	CHECK(fake_read(&t.f, "boot/grub/grubenv") == NULL);
	teardown(&t);
}

TEST(default_recovery_then_passthrough)
{
	struct t t;

	installed(&t);
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	CHECK(GRUB->set_default(&t.ctx, true) == 0);
	CHECK_CONTAINS(fake_read(&t.f, "boot/grub/grubenv"), "\nsaved_entry=vfio-early-nopt\n");
	CHECK(!strstr(fake_read(&t.f, "boot/grub/grubenv"), "next_entry"));
	CHECK_CONTAINS(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg"), "\nGRUB_DEFAULT=saved\n");
	CHECK_CONTAINS(out(&t), "GRUB_DEFAULT=saved");
	CHECK(GRUB->set_default(&t.ctx, false) == 0);
	CHECK_CONTAINS(fake_read(&t.f, "boot/grub/grubenv"), "\nsaved_entry=gnulinux-simple-U\n");
	teardown(&t);
}

TEST(menu_next_sets_our_flag)
{
	struct t t;

	installed(&t);
	CHECK(GRUB->menu_next(&t.ctx) == 0);
	CHECK_CONTAINS(fake_read(&t.f, "boot/grub/grubenv"), "\nvfio_early_menu=1\n");
	teardown(&t);
}

TEST(remove_deletes_dropin_and_our_one_shot)
{
	struct t t;

	installed(&t);
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	CHECK(GRUB->remove(&t.ctx) == 0);
	CHECK(fake_read(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	CHECK(!strstr(fake_read(&t.f, "boot/grub/grubenv"), "next_entry"));
	CHECK_STREQ(fake_read(&t.f, "update.log"), "ran\nran\n");
	teardown(&t);
}

TEST(show_and_status_tell_entries_next_boot_and_this_boot)
{
	struct t t;
	struct vfe_boot_status st;

	installed(&t);
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	sb_free(&t.out);
	fake_write(&t.f, "proc/cmdline", "BOOT_IMAGE=/boot/v root=/dev/vda ro quiet vfio_early=off\n");
	CHECK(GRUB->show(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "kernel parameters: intel_iommu=on iommu=pt");
	CHECK_CONTAINS(out(&t), "entry: Debian GNU/Linux (no GPU passthrough)  [vfio-early-nopt]");
	CHECK_CONTAINS(out(&t), "next_entry=vfio-early-nopt");
	CHECK_CONTAINS(out(&t), "GRUB_DEFAULT=0 (saved_entry is used only with GRUB_DEFAULT=saved");
	CHECK_CONTAINS(out(&t), "this boot: recovery");
	CHECK(GRUB->status(&t.ctx, &st) == 0);
	CHECK_STREQ(st.loader, "grub");
	CHECK(st.booted_recovery);
	CHECK_STREQ(st.recovery_health, "ok");
	CHECK_CONTAINS(st.next_boot, "vfio-early-nopt (one-shot");
	teardown(&t);
}

TEST(show_json)
{
	struct t t;

	installed(&t);
	t.ctx.json = true;
	CHECK(GRUB->show(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "{\"loader\":\"grub\",\"parameters\":\"intel_iommu=on iommu=pt\"");
	CHECK_CONTAINS(out(&t), "\"booted_recovery\":false");
	teardown(&t);
}

TAP_MAIN()
