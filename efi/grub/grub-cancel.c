// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passthrough --next for GRUB: a pending one-shot to our entries (grubenv's
 * next_entry, set by recovery --next) is dropped, so the next boot is GRUB's
 * default again. A next_entry that is not ours is someone else's
 * (grub-reboot) and stays.
 */
#include "common/log.h"
#include "efi/grub/grub.h"

int vfe_grub_passthrough_next(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	const char *next;
	int k = vfe_grubenv_load(ctx->root, GRUB_PATH_ENV, &env);

	if (k < 0)
		return k;
	next = vfe_grubenv_get(&env, "next_entry");
	if (!next || !*next)
		return 0; /* nothing pending */
	if (!vfe_grub_env_is_ours(next)) {
		sb_printf(ctx->out, "%s: next_entry=%s is not ours; left alone\n", GRUB_WHO, next);
		return 0;
	}
	k = vfe_grub_check_writable(ctx, false, NULL);
	if (k >= 0)
		k = vfe_grubenv_set(&env, "next_entry", NULL);
	return k < 0 ? k : vfe_grub_env_commit(ctx, &env, "next_entry unset (the pending one-shot is cancelled)");
}
