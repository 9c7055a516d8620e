// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The automatic fallback's pieces on fake trees: the boot counter in a file
 * name, the config's "fallback" line and its edit, the binder's decision
 * from LoaderBootCountPath, the counted file names, and what counts as a
 * working host display (DRM connectors, logind sessions).
 */
#include <stdio.h>
#include <stdlib.h>

#include "check/host-display.h"
#include "common/log.h"
#include "early/binder.h"
#include "early/config-edit.h"
#include "early/config.h"
#include "early/fallback.h"
#include "early/status.h"
#include "efi/bls/bls.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/machines.h"
#include "tests/lib/tap.h"

#define LOADER_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

TEST(boot_counter_as_systemd_boot_reads_it)
{
	unsigned l = 99, d = 99;

	CHECK(vfe_boot_counter_parse("x+3.conf", &l, &d) == 0 && l == 3 && d == 0);
	CHECK(vfe_boot_counter_parse("\\loader\\entries\\deb-6.1.0-13-amd64+0-3.conf", &l, &d) == 0 && l == 0 && d == 3);
	CHECK(vfe_boot_counter_parse("/loader/entries/a+b+12-7.conf", &l, &d) == 0 && l == 12 && d == 7);
	CHECK(vfe_boot_counter_parse("x.conf", &l, &d) == -EINVAL);
	CHECK(vfe_boot_counter_parse("x+.conf", &l, &d) == -EINVAL);
	CHECK(vfe_boot_counter_parse("x+3-.conf", &l, &d) == -EINVAL);
	CHECK(vfe_boot_counter_parse("x+3a.conf", &l, &d) == -EINVAL);
	CHECK(vfe_boot_counter_parse("x+3.1.conf", &l, &d) == -EINVAL); /* the counter is right before the last '.' */
	CHECK(vfe_boot_counter_parse("+3", &l, &d) == -EINVAL);
}

static void counted(const char *file, int tries, const char *want)
{
	_cleanup_free_ char *got = vfe_bls_counted_file(file, tries);

	CHECK_STREQ(got, want);
}

TEST(counted_file_names)
{
	counted("deb-6.1.0-13-amd64.conf", 4, "deb-6.1.0-13-amd64+4.conf");
	counted("deb-6.1.0-13-amd64+0-3.conf", 4, "deb-6.1.0-13-amd64+4.conf");
	counted("deb-6.1.0-13-amd64+2-1.conf", -1, "deb-6.1.0-13-amd64.conf");
	counted("Pop_OS-current.conf", -1, "Pop_OS-current.conf");
	counted("a+b.conf", 2, "a+b+2.conf"); /* "+b" is no counter */
}

static struct vfe_config parse(const char *text)
{
	struct vfe_config c = { 0 };
	char *copy = strdup(text);

	CHECK(vfe_config_parse(&c, "/etc/vfio-early.conf", copy) == 0);
	free(copy);
	return c;
}

TEST(config_fallback_line)
{
	struct vfe_config c = parse("device 0000:05:00.0\n");

	CHECK(!c.fallback_set && vfe_config_fallback(&c) == VFE_FALLBACK_DEFAULT && VFE_FALLBACK_DEFAULT == 3);
	vfe_config_free(&c);
	c = parse("fallback 2\ndevice 0000:05:00.0\nfallback off\n");
	CHECK(c.n == 1 && c.problems.n == 0 && vfe_config_fallback(&c) == 0); /* the last one counts */
	vfe_config_free(&c);
	c = parse("fallback 9\n");
	CHECK(vfe_config_fallback(&c) == 9);
	vfe_config_free(&c);
	c = parse("fallback 0\nfallback 10\nfallback\nfallback 2 3\nfallback=2\n");
	CHECK(c.problems.n == 5 && !c.fallback_set);
	CHECK_CONTAINS(c.problems.v[0], "/etc/vfio-early.conf:1: bad fallback value");
	CHECK_CONTAINS(c.problems.v[4], "unknown directive");
	vfe_config_free(&c);
}

TEST(config_set_fallback_replaces_every_line)
{
	const char *old = "# mine\ndevice 0000:05:00.0\nfallback 5\n# set by 'vfio-early boot install'\nfallback off\n";
	char *out = NULL;

	CHECK(vfe_config_set_fallback(old, strlen(old), "2", &out) == 0);
	CHECK_STREQ(out, "# mine\ndevice 0000:05:00.0\n# set by 'vfio-early boot install'\nfallback 2\n");
	free(out);
	CHECK(vfe_config_set_fallback(NULL, 0, "off", &out) == 0);
	CHECK_CONTAINS(out, "\nfallback off\n");
	free(out);
	CHECK(vfe_config_set_fallback("fallback 12\n", 12, "3", &out) == 0); /* a bad line goes too */
	CHECK_STREQ(out, "# set by 'vfio-early boot install'\nfallback 3\n");
	free(out);
	out = NULL;
	CHECK(vfe_config_set_fallback("a\0b", 3, "3", &out) == -EBADMSG && !out);
	CHECK(vfe_config_set_fallback("", 0, "11", &out) == -EINVAL && !out);
}

/* LoaderBootCountPath as efivarfs shows it: 4 bytes of attributes (volatile), then UTF-16LE with a NUL. */
static void count_path(struct fake_root *f, const char *path)
{
	char abs[4096], buf[512] = { 6, 0, 0, 0 };
	size_t n = 4;
	FILE *fp;

	for (const char *p = path; *p; p++)
		buf[n++] = *p, buf[n++] = 0;
	buf[n++] = 0, buf[n++] = 0;
	snprintf(abs, sizeof(abs), "%s/sys/firmware/efi/efivars/LoaderBootCountPath-" LOADER_GUID, f->dir);
	fp = fopen(abs, "w");
	CHECK(fp && fwrite(buf, 1, n, fp) == n);
	if (fp)
		fclose(fp);
}

static int no_module(void *ud, const char *name)
{
	(void)ud, (void)name;
	return -ENOENT;
}

static void run_with(struct fake_root *f, const struct vfe_bind_ops *bops, struct vfe_status *st)
{
	struct vfe_binder_opts o = { .bind = bops };

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f->root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f->root, st) == 0);
}

static void run(struct fake_root *f, struct vfe_status *st)
{
	static const struct vfe_bind_ops bind_ops = { .load_module = no_module };

	run_with(f, &bind_ops, st);
}

static void machine(struct fake_root *f, const char *conf)
{
	CHECK(fake_root_new(f, NULL) == 0);
	CHECK(fake_machine_qemu(f) == 0);
	CHECK(fake_mkdir(f, "sys/firmware/efi/efivars") == 0);
	CHECK(fake_write(f, "etc/vfio-early.conf", conf) == 0);
}

TEST(binder_binds_nothing_on_the_last_try)
{
	struct fake_root f;
	struct vfe_status st;

	machine(&f, "device 0000:00:01.0 allow-boot-vga\nfallback 2\n");
	count_path(&f, "\\loader\\entries\\deb-6.1.0-13-amd64+0-3.conf");
	run(&f, &st);
	CHECK_STREQ(st.mode, "recovery");
	CHECK_CONTAINS(st.reason, "automatic fallback after 2 boots without a confirmed host display");
	CHECK_CONTAINS(st.reason, "+0-3.conf");
	CHECK(st.n_devs == 0);
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:01.0/driver_override"), "(null)\n");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "automatic fallback: systemd-boot counted");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(binder_binds_while_tries_are_left)
{
	struct fake_root f;
	struct vfe_status st;

	struct fake_kernel k = { .f = &f };
	const struct vfe_bind_ops kops = { fake_kernel_load_module, fake_kernel_written, &k };
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:01.0 allow-boot-vga\nfallback 2\n");
	count_path(&f, "\\loader\\entries\\deb-6.1.0-13-amd64+1-2.conf");
	run_with(&f, &kops, &st);
	CHECK_STREQ(st.mode, "passthrough");
	d = st.n_devs ? &st.devs[0] : NULL;
	CHECK(d && d->action == VFE_ACT_BOUND);
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:01.0/driver_override"), "vfio-pci");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(binder_ignores_the_counter_when_the_fallback_is_off_or_nothing_is_configured)
{
	struct fake_root f;
	struct vfe_status st;

	machine(&f, "device 0000:00:01.0 allow-boot-vga\nfallback off\n");
	count_path(&f, "\\loader\\entries\\x+0-4.conf");
	run(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	vfe_status_free(&st);
	fake_root_free(&f);

	machine(&f, "# nothing\n");
	count_path(&f, "\\loader\\entries\\x+0-4.conf");
	run(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK_STREQ(st.reason, "no device configured");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(binder_without_efi_or_counter_goes_on)
{
	struct fake_root f;
	struct vfe_status st;

	CHECK(fake_root_new(&f, NULL) == 0);
	CHECK(fake_machine_qemu(&f) == 0);
	CHECK(fake_write(&f, "etc/vfio-early.conf", "device 0000:00:01.0 allow-boot-vga\n") == 0);
	run(&f, &st); /* no sys/firmware/efi: a BIOS boot */
	CHECK_STREQ(st.mode, "passthrough");
	vfe_status_free(&st);
	CHECK(fake_mkdir(&f, "sys/firmware/efi/efivars") == 0);
	run(&f, &st); /* EFI, nothing counted */
	CHECK_STREQ(st.mode, "passthrough");
	vfe_status_free(&st);
	count_path(&f, "\\loader\\entries\\x.conf"); /* a path without a counter */
	run(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(vfio_early_off_wins_over_the_fallback)
{
	struct fake_root f;
	struct vfe_status st;

	machine(&f, "device 0000:00:01.0 allow-boot-vga\n");
	count_path(&f, "\\loader\\entries\\x+0-4.conf");
	CHECK(fake_write(&f, "proc/cmdline", "root=/dev/vda vfio_early=off\n") == 0);
	run(&f, &st);
	CHECK_STREQ(st.mode, "recovery");
	CHECK_STREQ(st.reason, "vfio_early=off on the kernel command line");
	vfe_status_free(&st);
	fake_root_free(&f);
}

static void connector(struct fake_root *f, const char *name, const char *status, const char *enabled)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/class/drm/%s/status", name);
	CHECK(fake_write(f, rel, status) == 0);
	snprintf(rel, sizeof(rel), "sys/class/drm/%s/enabled", name);
	CHECK(fake_write(f, rel, enabled) == 0);
}

TEST(display_is_a_lit_connector_on_a_gpu_the_host_kept)
{
	struct fake_root f;
	char what[128] = "";

	CHECK(fake_root_new(&f, NULL) == 0);
	CHECK(vfe_display_drm(&f.root, what, sizeof(what)) == 0); /* no DRM at all */
	CHECK(fake_mkdir(&f, "sys/class/drm/card0") == 0);
	CHECK(fake_mkdir(&f, "sys/class/drm/renderD128") == 0);
	CHECK(fake_symlink(&f, "sys/class/drm/card0/device", "../../../bus/pci/devices/0000:00:01.0") == 0);
	CHECK(fake_symlink(&f, "sys/bus/pci/devices/0000:00:01.0/driver", "../../../bus/pci/drivers/bochs-drm") == 0);
	connector(&f, "card0-Virtual-1", "disconnected\n", "disabled\n");
	CHECK(vfe_display_drm(&f.root, what, sizeof(what)) == 0);
	connector(&f, "card0-Virtual-1", "connected\n", "disabled\n"); /* a monitor, but nothing drawn on it */
	CHECK(vfe_display_drm(&f.root, what, sizeof(what)) == 0);
	connector(&f, "card0-Virtual-1", "connected\n", "enabled\n");
	CHECK(vfe_display_drm(&f.root, what, sizeof(what)) == 1);
	CHECK_STREQ(what, "card0-Virtual-1 (bochs-drm)");
	/* a card on vfio-pci never counts (it has no DRM device anyway, but a stale one must not) */
	{
		char abs[4096];
		snprintf(abs, sizeof(abs), "%s/sys/bus/pci/devices/0000:00:01.0/driver", f.dir);
		CHECK(unlink(abs) == 0);
	}
	CHECK(fake_symlink(&f, "sys/bus/pci/devices/0000:00:01.0/driver", "../../../bus/pci/drivers/vfio-pci") == 0);
	CHECK(vfe_display_drm(&f.root, what, sizeof(what)) == 0);
	fake_root_free(&f);
}

TEST(display_is_a_local_graphical_seat0_session)
{
	struct fake_root f;
	char what[128] = "";

	CHECK(fake_root_new(&f, NULL) == 0);
	CHECK(vfe_display_session(&f.root, what, sizeof(what)) == 0);
	/* what logind writes: an SSH session, the greeter, a text console */
	CHECK(fake_write(&f, "run/systemd/sessions/4", "UID=1000\nUSER=ann\nACTIVE=1\nSTATE=active\nREMOTE=1\n"
						       "TYPE=tty\nCLASS=user\n") == 0);
	CHECK(fake_write(&f, "run/systemd/sessions/c1", "UID=113\nUSER=gdm\nSEAT=seat0\nTYPE=wayland\nCLASS=greeter\n"
							"REMOTE=0\nSTATE=online\n") == 0);
	CHECK(fake_write(&f, "run/systemd/sessions/5", "UID=1000\nUSER=ann\nSEAT=seat0\nTYPE=tty\nCLASS=user\nREMOTE=0\n") == 0);
	CHECK(vfe_display_session(&f.root, what, sizeof(what)) == 0);
	CHECK(fake_write(&f, "run/systemd/sessions/.#6abc", "USER=ann\nSEAT=seat0\nTYPE=wayland\nCLASS=user\n") == 0);
	CHECK(vfe_display_session(&f.root, what, sizeof(what)) == 0); /* logind's half-written file */
	CHECK(fake_write(&f, "run/systemd/sessions/6", "UID=1000\nUSER=ann\nACTIVE=1\nSTATE=closing\nREMOTE=0\n"
						       "TYPE=wayland\nCLASS=user\nSEAT=seat0\n") == 0);
	CHECK(vfe_display_session(&f.root, what, sizeof(what)) == 0);
	CHECK(fake_write(&f, "run/systemd/sessions/7", "UID=1000\nUSER=ann\nACTIVE=1\nSTATE=active\nREMOTE=0\n"
						       "TYPE=x11\nCLASS=user\nSEAT=seat0\n") == 0);
	CHECK(vfe_display_session(&f.root, what, sizeof(what)) == 1);
	CHECK_STREQ(what, "session 7 of ann (x11 on seat0)");
	fake_root_free(&f);
}

TAP_MAIN()
