// SPDX-License-Identifier: GPL-2.0-or-later
/* The EFI backends (systemd-boot, kernelstub, firmware Boot####) on fake ESP trees and a fake efivarfs. */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "efi/bls/bls.h"
#include "efi/boot.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"
#include "efi/firmware/firmware.h"
#include "efi/grub/grub.h"
#include "efi/kparams.h"
#include "recovery/recovery-cmdline.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

#define SDBOOT vfe_boot_backend(VFE_LOADER_SDBOOT)
#define KERNELSTUB vfe_boot_backend(VFE_LOADER_KERNELSTUB)
#define FIRMWARE vfe_boot_backend(VFE_LOADER_FIRMWARE)

#define ENTRIES "boot/efi/loader/entries/"
#define VARS "sys/firmware/efi/efivars/"

static const char deb_entry[] = "title Debian GNU/Linux\nversion 6.1.0-13-amd64\nmachine-id 0123456789abcdef0123456789abcdef\n"
				"sort-key debian\nlinux /0123/6.1.0-13-amd64/linux\ninitrd /0123/6.1.0-13-amd64/initrd.img\n"
				"options root=UUID=abcd ro quiet vfio-pci.ids=10de:2684 video=efifb:off\n";
static const char old_entry[] = "title Debian GNU/Linux\nversion 6.1.0-12-amd64\nmachine-id 0123456789abcdef0123456789abcdef\n"
				"sort-key debian\nlinux /0123/6.1.0-12-amd64/linux\ninitrd /0123/6.1.0-12-amd64/initrd.img\n"
				"options root=UUID=abcd ro quiet intel_iommu=off\n";
static const char pop_current[] = "title Pop!_OS\nlinux /EFI/Pop_OS-abcd/vmlinuz.efi\ninitrd /EFI/Pop_OS-abcd/initrd.img\n"
				  "options root=UUID=abcd ro quiet loglevel=0 systemd.show_status=false splash\n";
static const char pop_oldkern[] = "title Pop!_OS\nlinux /EFI/Pop_OS-abcd/vmlinuz-previous.efi\n"
				  "initrd /EFI/Pop_OS-abcd/initrd.img-previous\n"
				  "options root=UUID=abcd ro quiet loglevel=0 systemd.show_status=false splash\n";
static const char kstub_conf[] = "{\n  \"default\": {\n    \"kernel_options\": [\n      \"quiet\",\n      \"splash\"\n    ],\n"
				 "    \"esp_path\": \"/boot/efi\"\n  },\n  \"user\": {\n    \"kernel_options\": [\n"
				 "      \"quiet\",\n      \"loglevel=0\",\n      \"systemd.show_status=false\",\n      \"splash\"\n"
				 "    ],\n    \"esp_path\": \"/boot/efi\",\n    \"setup_loader\": true,\n    \"manage_mode\": true,\n"
				 "    \"force_update\": false,\n    \"live_mode\": false,\n    \"config_rev\": 3\n  }\n}\n";

struct t {
	struct fake_root f;
	struct strbuf out;
	struct vfe_boot_ctx ctx;
};

static void setup(struct t *t)
{
	memset(t, 0, sizeof(*t));
	REQUIRE(fake_root_new(&t->f, NULL) == 0);
	fake_write(&t->f, "proc/self/mountinfo", "22 1 254:2 / / rw,relatime - ext4 /dev/vda2 rw\n"
						 "30 22 254:1 / /boot/efi rw,relatime - vfat /dev/vda1 rw,fmask=0077\n");
	fake_mkdir(&t->f, "sys/firmware/efi/efivars");
	fake_write(&t->f, "boot/efi/EFI/systemd/systemd-bootx64.efi", "MZ");
	t->ctx.root = &t->f.root;
	t->ctx.out = &t->out;
	t->ctx.params = (struct vfe_boot_params){ .iommu = "intel_iommu=on", .iommu_pt = true };
}

static void teardown(struct t *t)
{
	sb_free(&t->out);
	fake_root_free(&t->f);
}

static void debian_tree(struct t *t)
{
	fake_write(&t->f, ENTRIES "0123-6.1.0-13-amd64.conf", deb_entry);
	fake_write(&t->f, ENTRIES "0123-6.1.0-12-amd64.conf", old_entry);
	fake_write(&t->f, "boot/efi/loader/loader.conf", "timeout 3\n");
	fake_write(&t->f, "usr/lib/kernel/install.d/90-loaderentry.install", "#!/bin/sh\n");
	fake_write(&t->f, "boot/efi/0123/6.1.0-13-amd64/linux", "kernel");
}

static void pop_tree(struct t *t)
{
	fake_write(&t->f, ENTRIES "Pop_OS-current.conf", pop_current);
	fake_write(&t->f, ENTRIES "Pop_OS-oldkern.conf", pop_oldkern);
	fake_write(&t->f, "boot/efi/loader/loader.conf", "default Pop_OS-current\n");
	fake_write(&t->f, "boot/efi/EFI/Pop_OS-abcd/vmlinuz.efi", "kernel");
	fake_write(&t->f, "etc/kernelstub/configuration", kstub_conf);
}

/* A loader that says it supports everything (LoaderFeatures 0x7ff, as systemd-boot 252). */
static void loader_vars(struct t *t)
{
	uint64_t f = 0x7ff;

	REQUIRE(vfe_efivar_write(&t->f.root, "LoaderFeatures", EFI_GUID_LOADER, 0x6, &f, 8) == 0);
	REQUIRE(vfe_efivar_write_string(&t->f.root, "LoaderEntrySelected", EFI_GUID_LOADER, "0123-6.1.0-13-amd64.conf") == 0);
}

/* A loader variable's value (freed with the fake tree), NULL when it is not set. */
static char *var(struct t *t, const char *name)
{
	char *s = NULL;

	return vfe_efivar_read_string(&t->f.root, name, EFI_GUID_LOADER, &s) == 0 ? fake_own(&t->f, s) : NULL;
}

TEST(efivar_round_trip_immutable_flag_kept)
{
	struct t t;
	char p[PATH_MAX + 100];
	int fd, flags = 0;
	char *s;

	setup(&t);
	CHECK(vfe_efivar_write_string(&t.f.root, "LoaderEntryOneShot", EFI_GUID_LOADER, "a-longer-name.conf") == 0);
	s = fake_text(&t.f, VARS "LoaderEntryOneShot-" EFI_GUID_LOADER);
	CHECK(s && s[0] == 7 && s[1] == 0 && s[4] == 'a' && s[5] == 0);
	snprintf(p, sizeof(p), "%s/" VARS "LoaderEntryOneShot-" EFI_GUID_LOADER, t.f.dir);
	fd = open(p, O_RDONLY);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags |= FS_IMMUTABLE_FL;
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0) {
			CHECK(vfe_efivar_write_string(&t.f.root, "LoaderEntryOneShot", EFI_GUID_LOADER, "b.conf") == 0);
			flags = 0;
			CHECK(ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL));
			flags &= ~FS_IMMUTABLE_FL;
			ioctl(fd, FS_IOC_SETFLAGS, &flags);
		}
	}
	close(fd);
	CHECK(vfe_efivar_write_string(&t.f.root, "LoaderEntryOneShot", EFI_GUID_LOADER, "b.conf") == 0);
	CHECK_STREQ(var(&t, "LoaderEntryOneShot"), "b.conf"); /* the shorter value replaced the longer one whole */
	CHECK(vfe_efivar_delete(&t.f.root, "LoaderEntryOneShot", EFI_GUID_LOADER) == 0);
	CHECK(!var(&t, "LoaderEntryOneShot"));
	teardown(&t);
}

TEST(kparams_replace_conflicting_value_and_put_it_back)
{
	char *o = NULL, *rep = NULL, *back = NULL;

	CHECK(vfe_kparams_add("ro intel_iommu=off quiet", "intel_iommu=on", &o, &rep) == 1);
	CHECK_STREQ(o, "ro intel_iommu=on quiet");
	CHECK_STREQ(rep, "intel_iommu=off");
	CHECK(vfe_kparams_remove(o, "intel_iommu=on", rep, &back) == 1);
	CHECK_STREQ(back, "ro intel_iommu=off quiet");
	free(o), free(rep), free(back);
	CHECK(vfe_kparams_add("ro iommu=pt", "iommu=pt", &o, &rep) == 0 && !rep);
	free(o);
}

/* (Also links recovery/ before efi/ needs it: the Makefile lists libvfe-recovery.a before libvfe-efi.a.) */
TEST(recovery_cmdline_of_a_pop_entry)
{
	char *s = NULL;

	CHECK(vfe_recovery_cmdline("root=UUID=abcd ro quiet vfio-pci.ids=10de:2684 intel_iommu=on", &s) == 0);
	CHECK_STREQ(s, "root=UUID=abcd ro quiet intel_iommu=on vfio_early=off");
	free(s);
}

TEST(bls_recovery_entry_sorts_right_after_its_source)
{
	CHECK(vfe_verscmp("pop_os-current-vfio-early-nopt.conf", "pop_os-current.conf") < 0);
	CHECK(vfe_verscmp("0123-6.1.0-13-amd64-vfio-early-nopt.conf", "0123-6.1.0-13-amd64.conf") < 0);
	CHECK(vfe_verscmp("0123-6.1.0-13-amd64-vfio-early-nopt.conf", "0123-6.1.0-12-amd64.conf") > 0);
	CHECK(vfe_verscmp("6.10", "6.9") > 0);
}

TEST(sdboot_install_is_idempotent_and_remove_restores_every_byte)
{
	struct t t;
	struct vfe_bls b = { 0 };
	char *e;

	setup(&t);
	debian_tree(&t);
	CHECK(SDBOOT->detect(&t.ctx) > 0);
	CHECK(SDBOOT->install(&t.ctx) == 0);
	e = fake_text(&t.f, ENTRIES "0123-6.1.0-13-amd64-vfio-early-nopt.conf");
	CHECK_CONTAINS(e, "title Debian GNU/Linux (no GPU passthrough)\n");
	CHECK_CONTAINS(e, "linux /0123/6.1.0-13-amd64/linux\ninitrd /0123/6.1.0-13-amd64/initrd.img\n");
	CHECK_CONTAINS(e, "options root=UUID=abcd ro quiet intel_iommu=on iommu=pt vfio_early=off\n");
	CHECK_CONTAINS(fake_text(&t.f, ENTRIES "0123-6.1.0-13-amd64.conf"), "quiet vfio-pci.ids=10de:2684 video=efifb:off intel_iommu=on iommu=pt\n");
	CHECK_CONTAINS(fake_text(&t.f, ENTRIES "0123-6.1.0-12-amd64.conf"), "options root=UUID=abcd ro quiet intel_iommu=on iommu=pt\n");
	CHECK_CONTAINS(fake_text(&t.f, "etc/kernel/cmdline"), "intel_iommu=on iommu=pt");
	/* the menu: the default first, ours right after it, never the default */
	vfe_bls_load(&t.f.root, "boot/efi", &b);
	vfe_bls_sort(&b);
	CHECK(b.n == 3 && streq(b.v[0].id, "0123-6.1.0-13-amd64.conf") && b.v[1].ours);
	CHECK(!vfe_bls_default(&b, NULL)->ours);
	vfe_bls_free(&b);
	sb_free(&t.out);
	CHECK(SDBOOT->install(&t.ctx) == 0);
	CHECK_CONTAINS(t.out.s, "already installed");
	CHECK(SDBOOT->remove(&t.ctx) == 0);
	CHECK_STREQ(fake_text(&t.f, ENTRIES "0123-6.1.0-13-amd64.conf"), deb_entry);
	CHECK_STREQ(fake_text(&t.f, ENTRIES "0123-6.1.0-12-amd64.conf"), old_entry);
	CHECK(!fake_text(&t.f, ENTRIES "0123-6.1.0-13-amd64-vfio-early-nopt.conf"));
	CHECK(!fake_text(&t.f, "etc/kernel/cmdline"));
	CHECK(!fake_text(&t.f, EFI_PATH_STATE));
	teardown(&t);
}

TEST(sdboot_dry_run_prints_diffs_and_changes_nothing)
{
	struct t t;

	setup(&t);
	debian_tree(&t);
	t.ctx.dry_run = true;
	CHECK(SDBOOT->install(&t.ctx) == 0);
	CHECK_CONTAINS(t.out.s, "+options root=UUID=abcd ro quiet intel_iommu=on iommu=pt vfio_early=off");
	CHECK_CONTAINS(t.out.s, "-options root=UUID=abcd ro quiet intel_iommu=off");
	CHECK_STREQ(fake_text(&t.f, ENTRIES "0123-6.1.0-12-amd64.conf"), old_entry);
	CHECK(!fake_text(&t.f, ENTRIES "0123-6.1.0-13-amd64-vfio-early-nopt.conf"));
	teardown(&t);
}

TEST(sdboot_oneshot_default_menu_through_loader_variables)
{
	struct t t;
	struct vfe_boot_status st;

	setup(&t);
	debian_tree(&t);
	REQUIRE(SDBOOT->install(&t.ctx) == 0);
	CHECK(SDBOOT->recovery_next(&t.ctx) < 0); /* no LoaderFeatures: no loader said it supports it */
	CHECK(!var(&t, "LoaderEntryOneShot"));
	loader_vars(&t);
	CHECK(SDBOOT->recovery_next(&t.ctx) == 0);
	CHECK_STREQ(var(&t, "LoaderEntryOneShot"), "0123-6.1.0-13-amd64-vfio-early-nopt.conf");
	CHECK(SDBOOT->status(&t.ctx, &st) == 0);
	CHECK_STREQ(st.booted_entry, "0123-6.1.0-13-amd64.conf");
	CHECK(!st.booted_recovery);
	CHECK_CONTAINS(st.next_boot, "vfio-early-nopt.conf (LoaderEntryOneShot)");
	CHECK_CONTAINS(st.recovery_health, "ok");
	CHECK(SDBOOT->set_default(&t.ctx, true) == 0);
	CHECK_STREQ(var(&t, "LoaderEntryDefault"), "0123-6.1.0-13-amd64-vfio-early-nopt.conf");
	/* passthrough --next over a pending one-shot and a recovery default: the next boot only is passthrough */
	CHECK(SDBOOT->passthrough_next(&t.ctx) == 0);
	CHECK_STREQ(var(&t, "LoaderEntryOneShot"), "0123-6.1.0-13-amd64.conf");
	CHECK(vfe_efivar_delete(&t.f.root, "LoaderEntryOneShot", EFI_GUID_LOADER) == 0);
	CHECK(SDBOOT->status(&t.ctx, &st) == 0);
	CHECK_CONTAINS(st.next_boot, "default: 0123-6.1.0-13-amd64-vfio-early-nopt.conf (no GPU passthrough)");
	CHECK(SDBOOT->set_default(&t.ctx, false) == 0);
	/* no loader.conf default: the newest entry is the default by systemd-boot's own rule */
	CHECK(!var(&t, "LoaderEntryDefault"));
	CHECK(SDBOOT->recovery_next(&t.ctx) == 0);
	CHECK(SDBOOT->passthrough_next(&t.ctx) == 0);
	CHECK(!var(&t, "LoaderEntryOneShot"));
	CHECK(SDBOOT->menu_next(&t.ctx) == 0);
	CHECK_STREQ(var(&t, "LoaderConfigTimeoutOneShot"), VFE_MENU_ONESHOT_TIMEOUT);
	CHECK(SDBOOT->remove(&t.ctx) == 0);
	CHECK(!var(&t, "LoaderEntryOneShot"));
	teardown(&t);
}

TEST(sdboot_status_says_stale_when_the_kernel_is_gone_and_refresh_follows_the_new_default)
{
	struct t t;
	struct vfe_boot_status st;

	setup(&t);
	debian_tree(&t);
	REQUIRE(SDBOOT->install(&t.ctx) == 0);
	unlink(strcat(strcpy((char[PATH_MAX + 64]){ 0 }, t.f.dir), "/boot/efi/0123/6.1.0-13-amd64/linux"));
	CHECK(SDBOOT->status(&t.ctx, &st) == 0);
	CHECK_CONTAINS(st.recovery_health, "stale");
	/* a new kernel: kernel-install made its entry; the hook refreshes ours */
	fake_write(&t.f, ENTRIES "0123-6.1.0-14-amd64.conf", "title Debian GNU/Linux\nversion 6.1.0-14-amd64\n"
		   "machine-id 0123456789abcdef0123456789abcdef\nsort-key debian\nlinux /0123/6.1.0-14-amd64/linux\n"
		   "options root=UUID=abcd ro quiet intel_iommu=on iommu=pt\n");
	fake_write(&t.f, "boot/efi/0123/6.1.0-14-amd64/linux", "kernel");
	CHECK(SDBOOT->refresh(&t.ctx) == 0);
	CHECK(fake_text(&t.f, ENTRIES "0123-6.1.0-14-amd64-vfio-early-nopt.conf") != NULL);
	CHECK(!fake_text(&t.f, ENTRIES "0123-6.1.0-13-amd64-vfio-early-nopt.conf"));
	CHECK(SDBOOT->status(&t.ctx, &st) == 0);
	CHECK_CONTAINS(st.recovery_health, "ok");
	teardown(&t);
}

TEST(kernelstub_pop_layout_install_and_remove)
{
	struct t t;
	char *c, *e;

	setup(&t);
	pop_tree(&t);
	CHECK(KERNELSTUB->detect(&t.ctx) > 0);
	CHECK(KERNELSTUB->install(&t.ctx) == 0);
	CHECK(SDBOOT->install(&t.ctx) == 0); /* leaves kernelstub's entries alone */
	c = fake_text(&t.f, "etc/kernelstub/configuration");
	CHECK_CONTAINS(c, "      \"splash\",\n      \"intel_iommu=on\",\n      \"iommu=pt\"\n    ],\n    \"esp_path\"");
	CHECK_CONTAINS(c, "\"default\": {\n    \"kernel_options\": [\n      \"quiet\",\n      \"splash\"\n    ],");
	e = fake_text(&t.f, ENTRIES "Pop_OS-current-vfio-early-nopt.conf");
	CHECK_CONTAINS(e, "title Pop!_OS (no GPU passthrough)\nlinux /EFI/Pop_OS-abcd/vmlinuz.efi\ninitrd /EFI/Pop_OS-abcd/initrd.img\n");
	CHECK_CONTAINS(e, "options root=UUID=abcd ro quiet loglevel=0 systemd.show_status=false splash intel_iommu=on iommu=pt vfio_early=off\n");
	CHECK_CONTAINS(fake_text(&t.f, ENTRIES "Pop_OS-current.conf"), "splash intel_iommu=on iommu=pt\n");
	CHECK_STREQ(fake_text(&t.f, "boot/efi/loader/loader.conf"), "default Pop_OS-current\n");
	sb_free(&t.out);
	CHECK(KERNELSTUB->install(&t.ctx) == 0);
	CHECK_CONTAINS(t.out.s, "already installed");
	CHECK(KERNELSTUB->remove(&t.ctx) == 0);
	CHECK_STREQ(fake_text(&t.f, "etc/kernelstub/configuration"), kstub_conf);
	CHECK_STREQ(fake_text(&t.f, ENTRIES "Pop_OS-current.conf"), pop_current);
	CHECK_STREQ(fake_text(&t.f, ENTRIES "Pop_OS-oldkern.conf"), pop_oldkern);
	CHECK(!fake_text(&t.f, ENTRIES "Pop_OS-current-vfio-early-nopt.conf"));
	teardown(&t);
}

/* A fake device path: File(<path>) + End, without /sys. */
static ssize_t fake_dp(const char *abspath, uint8_t *buf, ssize_t size)
{
	const char *base = strrchr(abspath, '/') + 1;
	ssize_t n = 4 + 2 * ((ssize_t)strlen(base) + 1) + 4;

	if (!buf)
		return n;
	memset(buf, 0, (size_t)size);
	buf[0] = 4, buf[1] = 4, buf[2] = (uint8_t)(n - 4), buf[3] = 0;
	for (size_t i = 0; base[i]; i++)
		buf[4 + 2 * i] = (uint8_t)base[i];
	buf[n - 4] = 0x7f, buf[n - 3] = 0xff, buf[n - 2] = 4;
	return n;
}

static const struct vfe_efi_dp_ops fake_ops = { .file_dp = fake_dp };

TEST(firmware_boot_option_bootnext_and_remove)
{
	struct t t;
	uint8_t order[] = { 0, 0 };
	uint64_t next;
	uint8_t *d = NULL;
	size_t l;
	char *s;

	setup(&t);
	pop_tree(&t);
	vfe_efi_dp_ops = &fake_ops;
	REQUIRE(vfe_efivar_write(&t.f.root, "BootOrder", EFI_GUID_GLOBAL, 7, order, 2) == 0);
	REQUIRE(vfe_efivar_write(&t.f.root, "Boot0000", EFI_GUID_GLOBAL, 7, "\1\0\0\0\4\0P\0o\0p\0\0\0\x7f\xff\4\0", 18) == 0);
	REQUIRE(KERNELSTUB->install(&t.ctx) == 0);
	CHECK(FIRMWARE->install(&t.ctx) == 0);
	REQUIRE(vfe_efivar_read(&t.f.root, "Boot0001", EFI_GUID_GLOBAL, NULL, &d, &l) == 0);
	CHECK_STREQ(fake_own(&t.f, vfe_loadopt_desc(d, l)), "Pop!_OS (no GPU passthrough)");
	s = fake_own(&t.f, vfe_loadopt_cmdline(d, l));
	CHECK_STREQ(s, "initrd=\\EFI\\Pop_OS-abcd\\initrd.img root=UUID=abcd ro quiet loglevel=0 "
		       "systemd.show_status=false splash intel_iommu=on iommu=pt vfio_early=off");
	sb_free(&t.out);
	CHECK(FIRMWARE->install(&t.ctx) == 0);
	CHECK_CONTAINS(t.out.s, "up to date");
	CHECK(FIRMWARE->recovery_next(&t.ctx) == 0);
	CHECK(vfe_efivar_read_uint(&t.f.root, "BootNext", EFI_GUID_GLOBAL, &next) == 0 && next == 1);
	free(d);
	d = NULL;
	CHECK(vfe_efivar_read(&t.f.root, "BootOrder", EFI_GUID_GLOBAL, NULL, &d, &l) == 0 && l == 2); /* untouched */
	free(d);
	CHECK(FIRMWARE->remove(&t.ctx) == 0);
	CHECK(vfe_efivar_read(&t.f.root, "Boot0001", EFI_GUID_GLOBAL, NULL, NULL, NULL) == -ENOENT);
	CHECK(vfe_efivar_read(&t.f.root, "BootNext", EFI_GUID_GLOBAL, NULL, NULL, NULL) == -ENOENT);
	CHECK(vfe_efivar_read(&t.f.root, "Boot0000", EFI_GUID_GLOBAL, NULL, NULL, NULL) == 0);
	teardown(&t);
}

/* A load option as firmware setups hold them: ACTIVE, description "d", File(path), End. */
static void boot_option(struct t *t, const char *name, const char *path)
{
	uint8_t o[512] = { 1, 0, 0, 0 };
	size_t n = 6, fl = 4 + 2 * (strlen(path) + 1);

	o[n] = 'd', n += 4; /* "d" and its NUL in UTF-16 */
	o[4] = (uint8_t)(fl + 4);
	o[n] = 4, o[n + 1] = 4, o[n + 2] = (uint8_t)fl;
	for (size_t i = 0; path[i]; i++)
		o[n + 4 + 2 * i] = (uint8_t)path[i];
	n += fl;
	o[n] = 0x7f, o[n + 1] = 0xff, o[n + 2] = 4, n += 4;
	CHECK(vfe_efivar_write(&t->f.root, name, EFI_GUID_GLOBAL, 7, o, n) == 0);
}

TEST(the_loader_in_use_is_the_one_that_booted)
{
	struct t t;
	struct vfe_booted b;
	uint8_t cur[] = { 3, 0 };

	setup(&t);
	vfe_boot_booted(&t.f.root, &b);
	CHECK(b.loader == _VFE_LOADER_MAX); /* no variables: unknown, every loader found is in use */
	CHECK(vfe_boot_in_use(vfe_boot_backend(VFE_LOADER_GRUB), &b));
	/* GRUB through shim: BootCurrent's option starts \EFI\debian\shimx64.efi */
	boot_option(&t, "Boot0003", "\\EFI\\debian\\shimx64.efi");
	CHECK(vfe_efivar_write(&t.f.root, "BootCurrent", EFI_GUID_GLOBAL, 6, cur, 2) == 0);
	vfe_boot_booted(&t.f.root, &b);
	CHECK(b.loader == VFE_LOADER_GRUB);
	CHECK_CONTAINS(b.how, "BootCurrent Boot0003 starts \\EFI\\debian\\shimx64.efi");
	CHECK(!vfe_boot_in_use(SDBOOT, &b) && !vfe_boot_in_use(KERNELSTUB, &b) && vfe_boot_in_use(FIRMWARE, &b));
	/* the removable-media path: what the image there is decides */
	boot_option(&t, "Boot0003", "\\EFI\\BOOT\\BOOTX64.EFI");
	fake_write(&t.f, "boot/efi/EFI/BOOT/BOOTX64.EFI", "MZ....#### LoaderInfo: systemd-boot 252.39 ####");
	vfe_boot_booted(&t.f.root, &b);
	CHECK(b.loader == VFE_LOADER_SDBOOT);
	/* the loader's own word comes first */
	CHECK(vfe_efivar_write_string(&t.f.root, "LoaderInfo", EFI_GUID_LOADER, "GRUB 2.12") == 0);
	vfe_boot_booted(&t.f.root, &b);
	CHECK(b.loader == VFE_LOADER_GRUB);
	teardown(&t);
}

TEST(boot_counting_ids_match_without_the_counter)
{
	CHECK(vfe_bls_id_equal("Debian-6.1.0-13-amd64+2-1.conf", "debian-6.1.0-13-amd64.conf"));
	CHECK(vfe_bls_id_equal("a+0.conf", "A+3-0.conf"));
	CHECK(!vfe_bls_id_equal("a+x.conf", "a.conf")); /* not a counter */
	CHECK(vfe_bls_id_match("*-vfio-early-nopt.conf", "x-vfio-early-nopt+3.conf"));
	CHECK(vfe_bls_is_bad("a+0-3.conf") && !vfe_bls_is_bad("a+1-2.conf"));
}

TEST(passthrough_next_cancels_the_grub_and_firmware_one_shots_that_are_ours)
{
	const struct vfe_boot_backend *grub = vfe_boot_backend(VFE_LOADER_GRUB);
	struct vfe_grubenv env = { 0 };
	struct t t;
	uint8_t next[] = { 5, 0 };
	char *g;

	setup(&t);
	CHECK(vfe_grubenv_set(&env, "next_entry", "vfio-early-nopt") == 1);
	CHECK(vfe_grubenv_set(&env, "saved_entry", "gnulinux-simple-abcd") == 1);
	fake_mkdir(&t.f, "boot/grub");
	CHECK(vfe_grubenv_save(&t.f.root, GRUB_PATH_ENV, &env) == 0);
	CHECK(grub->passthrough_next(&t.ctx) == 0);
	g = fake_read(&t.f, GRUB_PATH_ENV);
	CHECK(g && !strstr(g, "next_entry") && strstr(g, "saved_entry=gnulinux-simple-abcd"));
	free(g);
	/* someone else's grub-reboot stays */
	CHECK(vfe_grubenv_set(&env, "next_entry", "gnulinux-advanced-abcd>gnulinux-6.1.0-13") == 1);
	CHECK(vfe_grubenv_save(&t.f.root, GRUB_PATH_ENV, &env) == 0);
	CHECK(grub->passthrough_next(&t.ctx) == 0);
	CHECK_CONTAINS(t.out.s, "is not ours; left alone");
	vfe_grubenv_free(&env);
	/* a BootNext that is not ours stays too */
	CHECK(vfe_efivar_write(&t.f.root, "BootNext", EFI_GUID_GLOBAL, 7, next, 2) == 0);
	CHECK(FIRMWARE->passthrough_next(&t.ctx) == 0);
	CHECK(vfe_efivar_read(&t.f.root, "BootNext", EFI_GUID_GLOBAL, NULL, NULL, NULL) == 0);
	teardown(&t);
}

TEST(no_esp_is_a_clear_error_and_nothing_is_written)
{
	struct t t;

	setup(&t);
	fake_write(&t.f, "proc/self/mountinfo", "22 1 254:2 / / rw,relatime - ext4 /dev/vda2 rw\n");
	debian_tree(&t);
	CHECK(SDBOOT->install(&t.ctx) == -ENOENT);
	CHECK_STREQ(fake_text(&t.f, ENTRIES "0123-6.1.0-12-amd64.conf"), old_entry);
	teardown(&t);
}

TAP_MAIN()
