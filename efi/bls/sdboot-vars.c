// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Loader* variables the systemd-boot backend writes, and the automatic
 * fallback's LoaderEntryDefault: compared first (nothing is written when it
 * already holds the value), read back after, and said (see bls.h).
 */
#include <stdio.h>

#include "common/log.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"

#define WHO "systemd-boot"

int vfe_sdboot_delete_var(struct vfe_boot_ctx *ctx, const char *name, const char *old, const char *why)
{
	int k;

	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would delete EFI variable %s (\"%s\", %s)\n", WHO, name, old, why);
		return 0;
	}
	k = vfe_efivar_delete(ctx->root, name, EFI_GUID_LOADER);
	if (k < 0)
		return log_error_errno(k, "%s: cannot delete EFI variable %s: %m", WHO, name);
	sb_printf(ctx->out, "%s: deleted EFI variable %s (\"%s\", %s)\n", WHO, name, old, why);
	return 1;
}

int vfe_sdboot_set_var(struct vfe_boot_ctx *ctx, const char *name, const char *value)
{
	_cleanup_free_ char *old = NULL;
	int k;

	if (vfe_efivar_read_string(ctx->root, name, EFI_GUID_LOADER, &old) == 0 && streq(old, value)) {
		sb_printf(ctx->out, "%s: %s is already \"%s\"\n", WHO, name, value);
		return 0;
	}
	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would set EFI variable %s-%s = \"%s\" (UTF-16, attributes 0x7)\n", WHO, name,
			  EFI_GUID_LOADER, value);
		return 0;
	}
	k = vfe_efivar_write_string(ctx->root, name, EFI_GUID_LOADER, value);
	if (k < 0)
		return log_error_errno(k, "%s: cannot write EFI variable %s (read back %s): %m", WHO, name,
				       k == -EIO ? "differs" : "failed");
	sb_printf(ctx->out, "%s: set %s = \"%s\" (read back)\n", WHO, name, value);
	return 0;
}
