// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "Is passthrough off for this boot?" gets one answer wherever it is asked:
 * the binder (its parse and its run), `vfio-early status`, GRUB's show and
 * status, systemd-boot's status (booted without LoaderEntrySelected, so the
 * command line is all it has) and `vfio-early check`. Each command line of
 * the table is asked of every one of them, on one fake tree.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "check/check.h"
#include "cli/cli.h"
#include "common/log.h"
#include "early/binder.h"
#include "early/cmdline.h"
#include "early/status.h"
#include "efi/boot.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

static const struct {
	const char *cmdline;
	bool off;
} table[] = {
	{ "BOOT_IMAGE=/boot/vmlinuz ro quiet\n", false },
	{ "ro quiet vfio_early=off\n", true },
	{ "vfio-early=off", true },
	{ "rd.vfio_early=0 quiet", true },
	{ "vfio_early=no", true },
	{ "vfio_early=false", true },
	{ "vfio_early=OFF", true },
	{ "vfio_early=Disabled", true },
	{ "vfio_early=off vfio_early=on", false },
	{ "vfio_early=on vfio_early=off", true },
	{ "vfio_early=off vfio_early=maybe", true },
	{ "vfio_early=maybe", false },
	{ "vfio_early", false },
	{ "\"vfio_early=off\"", true },
	{ "vfio_early=\"off\"", true },
	{ "ro -- vfio_early=off", false },
	{ "vfio_early.devices=off", false },
	{ "quiet \"vfio_early=off splash\n", false },
	{ "", false },
};

#define GRUB vfe_boot_backend(VFE_LOADER_GRUB)
#define SDBOOT vfe_boot_backend(VFE_LOADER_SDBOOT)

/* A host with GRUB and systemd-boot both installed, as after a switch of loaders. */
static void host(struct fake_root *f)
{
	REQUIRE(fake_root_new(f, NULL) == 0);
	fake_write(f, "proc/self/mountinfo", "22 1 254:2 / / rw,relatime - ext4 /dev/vda2 rw\n"
					     "30 22 254:1 / /boot/efi rw,relatime - vfat /dev/vda1 rw,fmask=0077\n");
	fake_write(f, "etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	fake_write(f, "boot/grub/grub.cfg", "menuentry 'Debian GNU/Linux' $menuentry_id_option 'gnulinux-simple-U' {\n}\n");
	fake_mkdir(f, "sys/firmware/efi/efivars");
	fake_write(f, "boot/efi/EFI/systemd/systemd-bootx64.efi", "MZ");
	fake_write(f, "boot/efi/loader/loader.conf", "timeout 3\n");
	fake_write(f, "boot/efi/loader/entries/0123-6.1.0-13-amd64.conf",
		   "title Debian GNU/Linux\nlinux /0123/6.1.0-13-amd64/linux\noptions root=UUID=abcd ro quiet\n");
}

static bool binder_parse_off(const char *cmdline)
{
	struct vfe_cmdline c;
	bool off;

	if (vfe_cmdline_parse(cmdline, &c) < 0)
		return !CHECK(false);
	off = c.off;
	vfe_cmdline_free(&c);
	return off;
}

static bool binder_run_off(struct fake_root *f)
{
	struct vfe_binder_opts o = { .dry_run = true };
	struct vfe_status st;
	bool off;

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	(void)vfe_binder_run(&f->root, &o);
	log_close();
	if (vfe_status_read(&f->root, &st) < 0)
		return !CHECK(false);
	off = strcmp(st.mode, "recovery") == 0;
	vfe_status_free(&st);
	return off;
}

/* `vfio-early status --json`: its "cmdline_off". */
static bool status_off(struct fake_root *f)
{
	struct vfe_cli cli = { .root = f->root, .json = true };
	char *argv[] = { (char *)"status", NULL }, *out;
	char path[PATH_MAX + 16];
	int saved = dup(STDOUT_FILENO), fd;
	bool off;

	snprintf(path, sizeof(path), "%s/status.json", f->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	optind = 0;
	(void)verb_status(&cli, 1, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	out = fake_read(f, "status.json");
	CHECK(out && strstr(out, "\"cmdline_off\":"));
	off = out && strstr(out, "\"cmdline_off\":true");
	free(out);
	return off;
}

static bool grub_show_off(struct fake_root *f)
{
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = &f->root, .out = &out, .json = true };
	bool off;

	CHECK(GRUB->show(&ctx) == 0);
	CHECK_CONTAINS(out.s, "\"booted_recovery\":");
	off = out.s && strstr(out.s, "\"booted_recovery\":true");
	sb_free(&out);
	return off;
}

static bool loader_status_off(struct fake_root *f, const struct vfe_boot_backend *b)
{
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = &f->root, .out = &out };
	struct vfe_boot_status st;

	CHECK(b->detect(&ctx) > 0);
	CHECK(b->status(&ctx, &st) == 0);
	sb_free(&out);
	return st.booted_recovery;
}

/* `vfio-early check`: the "cmdline-vfio-early" item says this is a no-passthrough boot. */
static bool check_off(struct fake_root *f, const char *cmdline)
{
	struct check_report rep = { 0 };
	struct check_env env = { .root = &f->root, .rep = &rep, .cmdline = (char *)cmdline };
	bool off = false;

	check_cmdline(&env);
	for (size_t i = 0; i < rep.n; i++)
		off = off || strcmp(rep.items[i].id, "cmdline-vfio-early") == 0;
	check_report_free(&rep);
	return off;
}

TEST(every_caller_gives_the_same_answer)
{
	struct fake_root f;

	host(&f);
	log_set_max_level(LOG_CRIT);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *c = table[i].cmdline;
		bool want = table[i].off;
		fake_write(&f, "proc/cmdline", c);
		printf("# command line: %.*s\n", (int)strcspn(c, "\n"), c);
		CHECK(binder_parse_off(c) == want);
		CHECK(binder_run_off(&f) == want);
		CHECK(status_off(&f) == want);
		CHECK(grub_show_off(&f) == want);
		CHECK(loader_status_off(&f, GRUB) == want);
		CHECK(loader_status_off(&f, SDBOOT) == want);
		CHECK(check_off(&f, c) == want);
	}
	fake_root_free(&f);
}

TAP_MAIN()
