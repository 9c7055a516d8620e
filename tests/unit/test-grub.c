// SPDX-License-Identifier: GPL-2.0-or-later
/* The GRUB backend on fake /etc/default, /etc/grub.d and /boot/grub trees. */
#include <stdio.h>
#include <sys/stat.h>

#include "common/log.h"
#include "efi/boot.h"
#include "efi/grub/grub.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

#define GRUB vfe_boot_backend(VFE_LOADER_GRUB)

static const char cfg_ours[] =
	"load_env\n"
	"menuentry 'Debian GNU/Linux' $menuentry_id_option 'gnulinux-simple-U' {\n\tlinux /boot/v root=/dev/vda ro quiet intel_iommu=on iommu=pt\n}\n"
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
	REQUIRE(fake_root_new(&t->f, NULL) == 0);
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
	d = fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg");
	CHECK_CONTAINS(d, "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt\"\n");
	CHECK(!strstr(d ? d : "", "GRUB_DEFAULT"));
	CHECK_STREQ(fake_text(&t.f, "etc/default/grub"), default_grub);
	CHECK_STREQ(fake_text(&t.f, "update.log"), "ran\n");
	CHECK_CONTAINS(out(&t), "ran ");
	/* a second install changes nothing and runs nothing */
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK_STREQ(fake_text(&t.f, "update.log"), "ran\n");
	CHECK_CONTAINS(out(&t), "already installed");
	teardown(&t);
}

/* update-grub ran, but its grub.cfg lacks our entry or the parameters: undone, and said so */
TEST(install_checks_grub_cfg_and_undoes_a_change_that_did_not_take)
{
	struct t t;

	setup(&t);
	fake_write(&t.f, "canned.cfg", "menuentry 'Debian GNU/Linux' $menuentry_id_option 'gnulinux-simple-U' {\n"
				       "\tlinux /boot/v root=/dev/vda ro quiet intel_iommu=on iommu=pt\n}\n");
	CHECK(GRUB->install(&t.ctx) == -EBADMSG);
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	CHECK_STREQ(fake_text(&t.f, "update.log"), "ran\nran\n"); /* the change, then grub.cfg without it */
	/* the entry is there, but a later drop-in replaced GRUB_CMDLINE_LINUX_DEFAULT */
	fake_write(&t.f, "canned.cfg", cfg_ours);
	fake_write(&t.f, "boot/grub/grub.cfg", "");
	{
		char *c = strdup(cfg_ours), *p = strstr(c, " iommu=pt");
		memcpy(p, "         ", 9);
		fake_write(&t.f, "canned.cfg", c);
		free(c);
	}
	CHECK(GRUB->install(&t.ctx) == -EBADMSG);
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	teardown(&t);
}

/* the drop-in is there but grub.cfg never got regenerated: a rerun regenerates it, no "already installed" */
TEST(install_rerun_after_no_update_or_a_failed_update)
{
	struct t t;

	setup(&t);
	t.ctx.no_update = true;
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK(fake_text(&t.f, "update.log") == NULL);
	t.ctx.no_update = false;
	sb_free(&t.out);
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK(!strstr(out(&t), "already installed"));
	CHECK_CONTAINS(out(&t), "has no '(no GPU passthrough)' entry");
	CHECK_STREQ(fake_text(&t.f, "update.log"), "ran\n");
	sb_free(&t.out);
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "already installed");
	/* update-grub fails: the drop-in goes back, and the rerun does the whole install */
	teardown(&t);
	setup(&t);
	fake_write(&t.f, "fail", "");
	CHECK(GRUB->install(&t.ctx) == -EIO);
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	sb_free(&t.out);
	{
		char p[PATH_MAX + 16];
		snprintf(p, sizeof(p), "%s/fail", t.f.dir);
		unlink(p);
	}
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK(!strstr(out(&t), "already installed"));
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") != NULL);
	teardown(&t);
}

TEST(install_no_update_says_what_to_run)
{
	struct t t;

	setup(&t);
	t.ctx.no_update = true;
	CHECK(GRUB->install(&t.ctx) == 0);
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") != NULL);
	CHECK(fake_text(&t.f, "update.log") == NULL);
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
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	CHECK(fake_text(&t.f, "update.log") == NULL);
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
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	CHECK(fake_text(&t.f, "update.log") == NULL);
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
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
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
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	teardown(&t);
}

TEST(install_failed_update_restores_the_old_dropin)
{
	struct t t;

	setup(&t);
	fake_write(&t.f, "etc/default/grub.d/vfio-early.cfg", "# old\n");
	fake_write(&t.f, "fail", "");
	CHECK(GRUB->install(&t.ctx) == -EIO);
	CHECK_STREQ(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg"), "# old\n");
	teardown(&t);
}

TEST(install_refuses_read_only_boot)
{
	struct t t;

	setup(&t);
	fake_write(&t.f, "proc/self/mountinfo", "22 1 254:1 / / rw - ext4 /dev/vda rw\n"
						"23 22 254:2 / /boot ro,relatime - ext4 /dev/vda2 ro\n");
	CHECK(GRUB->install(&t.ctx) == -EROFS);
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	teardown(&t);
}

static void installed(struct t *t)
{
	setup(t);
	REQUIRE(GRUB->install(&t->ctx) == 0);
	sb_free(&t->out);
}

TEST(recovery_next_sets_next_entry_like_grub_reboot)
{
	struct t t;
	char *env;

	installed(&t);
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	env = fake_text(&t.f, "boot/grub/grubenv");
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
	CHECK(fake_text(&t.f, "boot/grub/grubenv") == NULL);
	teardown(&t);
}

TEST(recovery_next_refuses_a_bad_grubenv_and_keeps_it)
{
	struct t t;

	installed(&t);
	fake_write(&t.f, "boot/grub/grubenv", "# GRUB Environment Block\nsaved_entry=0\n");
	CHECK(GRUB->recovery_next(&t.ctx) == -EINVAL);
	CHECK_STREQ(fake_text(&t.f, "boot/grub/grubenv"), "# GRUB Environment Block\nsaved_entry=0\n");
	teardown(&t);
}

TEST(recovery_next_needs_our_entry)
{
	struct t t;

	setup(&t);
	CHECK(GRUB->recovery_next(&t.ctx) == -ENOENT);
	CHECK(fake_text(&t.f, "boot/grub/grubenv") == NULL);
	teardown(&t);
}

TEST(default_recovery_then_passthrough)
{
	struct t t;
	char *env;

	installed(&t);
	REQUIRE(GRUB->recovery_next(&t.ctx) == 0);
	CHECK(GRUB->set_default(&t.ctx, true) == 0);
	REQUIRE((env = fake_text(&t.f, "boot/grub/grubenv")));
	CHECK_CONTAINS(env, "\nsaved_entry=vfio-early-nopt\n");
	CHECK(!strstr(env, "next_entry"));
	CHECK_CONTAINS(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg"), "\nGRUB_DEFAULT=saved\n");
	CHECK_CONTAINS(out(&t), "GRUB_DEFAULT=saved");
	CHECK(GRUB->set_default(&t.ctx, false) == 0);
	CHECK_CONTAINS(fake_text(&t.f, "boot/grub/grubenv"), "\nsaved_entry=gnulinux-simple-U\n");
	teardown(&t);
}

/*
 * "nothing changed" only where nothing did. Without update-grub, remove
 * refuses before touching anything; recovery --default writes grubenv first,
 * and only then finds it cannot add GRUB_DEFAULT=saved to the drop-in.
 */
TEST(nothing_changed_is_said_only_before_a_change)
{
	struct t t;
	char p[PATH_MAX + 32];
	_cleanup_free_ char *kmsg = NULL, *env = NULL;
	char *second;

	installed(&t);
	snprintf(p, sizeof(p), "%s/usr/sbin/update-grub", t.f.dir);
	unlink(p);
	log_open(&t.f.root, VFE_LOG_KMSG, "vfio-early");
	CHECK(GRUB->remove(&t.ctx) == -ENOENT);
	CHECK(GRUB->set_default(&t.ctx, true) == -ENOENT);
	log_close();
	env = fake_read(&t.f, "boot/grub/grubenv");
	CHECK_CONTAINS(env, "\nsaved_entry=vfio-early-nopt\n");
	kmsg = fake_read(&t.f, "dev/kmsg");
	second = kmsg ? strchr(kmsg, '\n') : NULL;
	CHECK(second != NULL);
	if (second) {
		*second++ = '\0';
		CHECK_CONTAINS(kmsg, "grub: neither update-grub nor grub-mkconfig is installed");
		CHECK_CONTAINS(kmsg, "; nothing changed");
		CHECK_CONTAINS(second, "grub: cannot add GRUB_DEFAULT=saved to /etc/default/grub.d/vfio-early.cfg");
		CHECK(!strstr(second, "nothing changed"));
	}
	teardown(&t);
}

TEST(menu_next_sets_our_flag)
{
	struct t t;

	installed(&t);
	CHECK(GRUB->menu_next(&t.ctx) == 0);
	CHECK_CONTAINS(fake_text(&t.f, "boot/grub/grubenv"), "\nvfio_early_menu=1\n");
	teardown(&t);
}

TEST(remove_deletes_dropin_and_our_one_shot)
{
	struct t t;
	char *env;

	installed(&t);
	REQUIRE(GRUB->recovery_next(&t.ctx) == 0);
	CHECK(GRUB->remove(&t.ctx) == 0);
	CHECK(fake_text(&t.f, "etc/default/grub.d/vfio-early.cfg") == NULL);
	REQUIRE((env = fake_text(&t.f, "boot/grub/grubenv"))); /* the block stays, without our one-shot */
	CHECK(!strstr(env, "next_entry"));
	CHECK_STREQ(fake_text(&t.f, "update.log"), "ran\nran\n");
	teardown(&t);
}

TEST(show_and_status_tell_entries_next_boot_and_this_boot)
{
	struct t t;
	struct vfe_boot_status st;

	installed(&t);
	REQUIRE(GRUB->recovery_next(&t.ctx) == 0);
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
	CHECK_CONTAINS(out(&t), "{\"loader\":\"grub\",\"booted_entry\":null,\"default_entry\":\"0\",\"oneshot_entry\":null,");
	CHECK_CONTAINS(out(&t), "\"parameters\":\"intel_iommu=on iommu=pt\"");
	CHECK_CONTAINS(out(&t), "\"booted_recovery\":false");
	teardown(&t);
}

/*
 * The start of grub.cfg as Ubuntu's 00_header writes it (Ubuntu 20.04 to
 * 24.04, grub2 2.04-2.12, debian/patches ubuntu-add-initrd-less-boot-fallback;
 * the same text is in any Ubuntu host's /boot/grub/grub.cfg): with
 * initrdfail=1 in grubenv, next_entry becomes prev_entry before it is used.
 */
static const char ubuntu_header[] =
	"if [ -s $prefix/grubenv ]; then\n  set have_grubenv=true\n  load_env\nfi\n"
	"if [ \"${initrdfail}\" = 2 ]; then\n   set initrdfail=\nelif [ \"${initrdfail}\" = 1 ]; then\n"
	"   set next_entry=\"${prev_entry}\"\n   set prev_entry=\n   save_env prev_entry\n"
	"   if [ \"${next_entry}\" ]; then\n      set initrdfail=2\n   fi\nfi\n"
	"if [ \"${next_entry}\" ] ; then\n   set default=\"${next_entry}\"\n   set next_entry=\n   save_env next_entry\n"
	"   set boot_once=true\nelse\n   set default=\"0\"\nfi\n";

static void ubuntu_installed(struct t *t)
{
	char *cfg;

	setup(t);
	if (asprintf(&cfg, "%s%s", ubuntu_header, cfg_ours) < 0)
		abort();
	fake_write(&t->f, "canned.cfg", cfg);
	free(cfg);
	REQUIRE(GRUB->install(&t->ctx) == 0);
	sb_free(&t->out);
}

TEST(initrdfail_pending_recovery_next_survives_it)
{
	struct t t;
	struct vfe_grubenv env = { 0 };
	char *e;

	ubuntu_installed(&t);
	/* a one-shot armed while initrdfail=1 is pending: show says GRUB will not boot it */
	vfe_grubenv_set(&env, "initrdfail", "1");
	vfe_grubenv_set(&env, "next_entry", "vfio-early-nopt");
	REQUIRE(vfe_grubenv_save(&t.f.root, "boot/grub/grubenv", &env) == 0);
	CHECK(GRUB->show(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "next boot: 0 (GRUB_DEFAULT; Ubuntu's initrdfail=1 in grubenv sets next_entry aside");
	CHECK_CONTAINS(out(&t), "initrdfail=1 prev_entry= (Ubuntu's fallback after an initrd-less boot): it overrides");
	sb_free(&t.out);
	vfe_grubenv_set(&env, "prev_entry", "gnulinux-simple-U");
	REQUIRE(vfe_grubenv_save(&t.f.root, "boot/grub/grubenv", &env) == 0);
	t.ctx.json = true;
	CHECK(GRUB->show(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "\"initrdfail_overrides_next_entry\":true,\"next_boot\":\"gnulinux-simple-U (prev_entry");
	t.ctx.json = false;
	sb_free(&t.out);
	/* recovery --next sets prev_entry too, so the header's replacement gives our entry back */
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "initrdfail=1");
	e = fake_text(&t.f, "boot/grub/grubenv");
	CHECK_CONTAINS(e, "\nnext_entry=vfio-early-nopt\n");
	CHECK_CONTAINS(e, "\nprev_entry=vfio-early-nopt\n");
	CHECK_CONTAINS(e, "\ninitrdfail=1\n"); /* Ubuntu's own state is left alone */
	sb_free(&t.out);
	CHECK(GRUB->show(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "next boot: vfio-early-nopt (one-shot next_entry)");
	/* passthrough --default and remove take our prev_entry away with the one-shot */
	CHECK(GRUB->set_default(&t.ctx, false) == 0);
	REQUIRE((e = fake_text(&t.f, "boot/grub/grubenv")));
	CHECK(!strstr(e, "prev_entry=vfio"));
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	CHECK(GRUB->remove(&t.ctx) == 0);
	REQUIRE((e = fake_text(&t.f, "boot/grub/grubenv")));
	CHECK(!strstr(e, "prev_entry=vfio") && !strstr(e, "next_entry=vfio"));
	vfe_grubenv_free(&env);
	teardown(&t);
}

TEST(initrdfail_without_ubuntus_header_changes_nothing)
{
	struct t t;
	struct vfe_grubenv env = { 0 };
	char *e;

	installed(&t); /* Debian's 00_header has no initrdfail code */
	vfe_grubenv_set(&env, "initrdfail", "1");
	REQUIRE(vfe_grubenv_save(&t.f.root, "boot/grub/grubenv", &env) == 0);
	CHECK(GRUB->recovery_next(&t.ctx) == 0);
	REQUIRE((e = fake_text(&t.f, "boot/grub/grubenv")));
	CHECK(!strstr(e, "prev_entry"));
	vfe_grubenv_free(&env);
	teardown(&t);
}

/* "This boot" is what the binder decided: its own parser, every spelling it accepts */
TEST(this_boot_agrees_with_the_binder)
{
	static const char *const off[] = { "vfio_early=off", "rd.vfio_early=0", "vfio-early=no", "\"vfio_early=off\"" };
	static const char *const on[] = { "vfio_early.debug", "xvfio_early=off", "-- vfio_early=off" };
	struct t t;
	struct vfe_boot_status st;
	char line[128];

	installed(&t);
	for (size_t i = 0; i < ELEMENTSOF(off); i++) {
		snprintf(line, sizeof(line), "BOOT_IMAGE=/boot/v root=/dev/vda ro %s\n", off[i]);
		fake_write(&t.f, "proc/cmdline", line);
		CHECK(GRUB->status(&t.ctx, &st) == 0);
		CHECK(st.booted_recovery);
	}
	for (size_t i = 0; i < ELEMENTSOF(on); i++) {
		snprintf(line, sizeof(line), "BOOT_IMAGE=/boot/v root=/dev/vda ro %s\n", on[i]);
		fake_write(&t.f, "proc/cmdline", line);
		CHECK(GRUB->status(&t.ctx, &st) == 0);
		CHECK(!st.booted_recovery);
	}
	fake_write(&t.f, "proc/cmdline", "root=/dev/vda rd.vfio_early=0\n");
	CHECK(GRUB->show(&t.ctx) == 0);
	CHECK_CONTAINS(out(&t), "this boot: recovery (rd.vfio_early=0 on the kernel command line)");
	teardown(&t);
}

TAP_MAIN()
