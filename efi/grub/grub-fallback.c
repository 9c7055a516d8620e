// SPDX-License-Identifier: GPL-2.0-or-later
/* The automatic fallback on GRUB: a grubenv counter that grub.cfg counts down (see grub.h, grub-fallback). */
#include <stdio.h>

#include "common/log.h"
#include "efi/grub/grub.h"

/* Is it installed (our drop-in)? */
static bool installed(const struct vfe_root *r)
{
	return vfe_exists(r, "%s", GRUB_PATH_DROPIN);
}

/* Why GRUB cannot count here, into why[n]; false when it can. */
static bool cannot_count(const struct vfe_root *r, char *why, size_t n)
{
	struct vfe_grub_fs fs;

	if (vfe_grub_fs_probe(r, GRUB_PATH_DIR, &fs) < 0 || fs.grub_can_write)
		return false;
	snprintf(why, n, "%s, where GRUB cannot write /%s at boot, so it cannot count boots; pick '(no GPU "
		 "passthrough)' in the boot menu when the host display is lost", fs.why, GRUB_PATH_ENV);
	return true;
}

/* grub.cfg without our counting code (update-grub has not run since): nothing counts yet. */
static void note_hook(const struct vfe_root *r, char *why, size_t n)
{
	struct vfe_grub_cfg cfg;

	if (vfe_grub_cfg_load(r, &cfg) < 0)
		return;
	if (!cfg.has_count_hook)
		snprintf(why, n, "/%s predates the counting code of /%s: nothing counts until update-grub runs",
			 GRUB_PATH_CFG, GRUB_PATH_SCRIPT);
	vfe_grub_cfg_free(&cfg);
}

void vfe_grub_fallback(struct vfe_boot_ctx *ctx, struct vfe_fallback *ret)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	const char *t;
	int saved = log_get_max_level();

	*ret = (struct vfe_fallback){ .state = VFE_FALLBACK_NONE };
	if (!installed(ctx->root))
		return;
	if (!ctx->fallback) {
		ret->state = VFE_FALLBACK_OFF;
		return;
	}
	if (cannot_count(ctx->root, ret->why, sizeof(ret->why))) {
		ret->state = VFE_FALLBACK_UNAVAILABLE;
		return;
	}
	log_set_max_level(LOG_CRIT); /* a malformed grubenv: show and status say so elsewhere */
	(void)vfe_grubenv_load(ctx->root, GRUB_PATH_ENV, &env);
	log_set_max_level(saved);
	t = vfe_grubenv_get(&env, GRUB_ENV_TRIES);
	snprintf(ret->counter, sizeof(ret->counter), "grubenv " GRUB_ENV_TRIES "=%s", t ? t : "(unset)");
	if (!t || !*t)
		ret->state = VFE_FALLBACK_CONFIRMED;
	else if (streq(t, "0"))
		ret->state = VFE_FALLBACK_FALLEN;
	else
		ret->state = VFE_FALLBACK_ARMED, ret->left = (unsigned)atoi(t);
	note_hook(ctx->root, ret->why, sizeof(ret->why));
}

/* Sets (value) or unsets (NULL) the counter in grubenv; says what it did. */
static int put_tries(struct vfe_boot_ctx *ctx, const char *value, const char *summary)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	bool existed = vfe_exists(ctx->root, "%s", GRUB_PATH_ENV);
	int k = vfe_grub_check_writable(ctx, false, NULL);

	if (k >= 0)
		k = vfe_grubenv_load(ctx->root, GRUB_PATH_ENV, &env);
	if (k >= 0)
		k = vfe_grubenv_set(&env, GRUB_ENV_TRIES, value);
	/* GRUB's save_env rewrites an existing file only: a missing one is made, and remove knows it */
	if (k > 0 && !existed && value)
		k = vfe_grubenv_set(&env, GRUB_ENV_CREATED, "1");
	if (k <= 0)
		return k; /* unchanged, or failed (logged) */
	return vfe_grub_env_commit(ctx, &env, summary);
}

int vfe_grub_arm(struct vfe_boot_ctx *ctx, bool rearm)
{
	struct vfe_fallback f;
	char n[16], summary[128];

	vfe_grub_fallback(ctx, &f);
	switch (f.state) {
	case VFE_FALLBACK_NONE:
		return 0;
	case VFE_FALLBACK_FALLEN:
		if (!rearm)
			return 0; /* the count ran out and the user has not acted: recovery stays */
		break;
	case VFE_FALLBACK_UNAVAILABLE:
		sb_printf(ctx->out, "%s: automatic fallback is not available: %s\n", GRUB_WHO, f.why);
		return put_tries(ctx, NULL, GRUB_ENV_TRIES " unset (the automatic fallback is not available)");
	case VFE_FALLBACK_OFF:
		return put_tries(ctx, NULL, GRUB_ENV_TRIES " unset (\"fallback off\" in the config)");
	default:
		break;
	}
	snprintf(n, sizeof(n), "%u", ctx->fallback);
	snprintf(summary, sizeof(summary), GRUB_ENV_TRIES "=%u (the automatic fallback: %u unconfirmed passthrough "
		 "boots, then the '(no GPU passthrough)' entry)", ctx->fallback, ctx->fallback);
	return put_tries(ctx, n, summary);
}

int vfe_grub_refresh(struct vfe_boot_ctx *ctx)
{
	return vfe_grub_arm(ctx, false);
}

int vfe_grub_confirm(struct vfe_boot_ctx *ctx, enum vfe_confirm_how how, bool recovery)
{
	struct vfe_fallback f;
	char what[512];

	vfe_grub_fallback(ctx, &f);
	vfe_fallback_describe(&f, what, sizeof(what));
	if (f.state == VFE_FALLBACK_FALLEN) {
		if (how == VFE_CONFIRM_AUTO) {
			sb_printf(ctx->out, "%s: recovery after the automatic fallback; nothing to confirm\n", GRUB_WHO);
			return 0;
		}
		sb_printf(ctx->out, "%s: the host display is confirmed by hand: back to passthrough, counting again\n",
			  GRUB_WHO);
		return vfe_grub_arm(ctx, true);
	}
	if (f.state != VFE_FALLBACK_ARMED || recovery) {
		sb_printf(ctx->out, "%s: %s; nothing to confirm%s\n", GRUB_WHO, what, recovery ? " in a recovery boot" : "");
		return 0;
	}
	return put_tries(ctx, NULL, "confirmed: " GRUB_ENV_TRIES " unset; not counting until the next kernel or config "
				    "change");
}
