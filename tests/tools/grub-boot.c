// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * grub-boot [--root=DIR] [--dry-run] [--no-update] VERB: runs one operation of
 * the GRUB backend (efi/grub*.c) directly, for the boot test
 * tests/boot/test-grub.sh to use in the guest until 'vfio-early boot' calls
 * the backends. VERB: show, install, remove, recovery-next, recovery-default,
 * passthrough-default, menu-next.
 */
#include <stdio.h>

#include "boot.h"
#include "grub-backend.h"
#include "log.h"

static int run(struct vfe_boot_ctx *ctx, const char *verb)
{
	const struct vfe_boot_backend *b = &vfe_backend_grub;

	if (streq(verb, "show"))
		return b->show(ctx);
	if (streq(verb, "install"))
		return b->install(ctx);
	if (streq(verb, "remove"))
		return b->remove(ctx);
	if (streq(verb, "recovery-next"))
		return b->recovery_next(ctx);
	if (streq(verb, "recovery-default"))
		return b->set_default(ctx, true);
	if (streq(verb, "passthrough-default"))
		return b->set_default(ctx, false);
	if (streq(verb, "menu-next"))
		return b->menu_next(ctx);
	fprintf(stderr, "grub-boot: unknown verb '%s'\n", verb);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	struct vfe_root root;
	struct vfe_boot_ctx ctx = { .root = &root, .out = &out };
	const char *dir = NULL;
	int i, r;

	ctx.params = (struct vfe_boot_params){ .iommu = "intel_iommu=on", .iommu_pt = true };
	for (i = 1; i < argc - 1; i++) {
		if (startswith(argv[i], "--root="))
			dir = argv[i] + 7;
		else if (streq(argv[i], "--dry-run"))
			ctx.dry_run = true;
		else if (streq(argv[i], "--no-update"))
			ctx.no_update = true;
		else if (streq(argv[i], "--json"))
			ctx.json = true;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: grub-boot [--root=DIR] [--dry-run] [--no-update] [--json] VERB\n");
		return 2;
	}
	r = vfe_root_open(&root, dir);
	if (r < 0) {
		fprintf(stderr, "grub-boot: %s: %s\n", dir ? dir : "/", strerror(-r));
		return 1;
	}
	log_open(&root, VFE_LOG_STDERR, "grub-boot");
	r = run(&ctx, argv[argc - 1]);
	if (out.s)
		fputs(out.s, stdout);
	sb_free(&out);
	vfe_root_close(&root);
	return r < 0 ? 1 : 0;
}
