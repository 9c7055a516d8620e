// SPDX-License-Identifier: GPL-2.0-or-later
/* One-shots and defaults through grubenv: recovery --next, --default, menu --next. */
#include <stdio.h>

#include "common/log.h"
#include "efi/grub/grub.h"

/* Loads grubenv after the checks every change needs. */
static int env_begin(struct vfe_boot_ctx *ctx, bool need_grub, const char *what, struct vfe_grubenv *env)
{
	int k = vfe_grub_check_writable(ctx, need_grub, what);

	return k < 0 ? k : vfe_grubenv_load(ctx->root, GRUB_PATH_ENV, env);
}

/*
 * Ubuntu's 00_header replaces next_entry with prev_entry while grubenv holds
 * initrdfail=1 (see grub-show.c). Its own initrdfail function keeps a
 * one-shot that way: it copies the one-shot entry to prev_entry. We do the
 * same, so the header's replacement gives our entry back, and Ubuntu's
 * fallback state (initrdfail) stays as it is.
 */
static int keep_through_initrdfail(struct vfe_boot_ctx *ctx, const struct vfe_grub_cfg *cfg, struct vfe_grubenv *env)
{
	const char *f = vfe_grubenv_get(env, "initrdfail");

	if (!cfg->has_initrdfail_hook || !f || !streq(f, "1"))
		return 0;
	sb_printf(ctx->out, GRUB_WHO ": grubenv holds Ubuntu's initrdfail=1, with which GRUB boots prev_entry instead of "
			    "next_entry: prev_entry=" GRUB_ID_RECOVERY " too\n");
	return vfe_grubenv_set(env, "prev_entry", GRUB_ID_RECOVERY);
}

int vfe_grub_recovery_next(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_grub_cfg_freep) struct vfe_grub_cfg cfg = { 0 };
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	const char *prev;
	int k;

	k = vfe_grub_need_entries(ctx, &cfg);
	if (k >= 0)
		k = env_begin(ctx, true, "one-shot next_entry", &env);
	if (k < 0)
		return k;
	/* as grub-reboot: a default saved before an older one-shot comes back first */
	prev = vfe_grubenv_get(&env, "prev_saved_entry");
	if (prev && *prev) {
		_cleanup_free_ char *p = strdup(prev);
		k = p ? vfe_grubenv_set(&env, "saved_entry", p) : -ENOMEM;
	}
	if (k >= 0)
		k = vfe_grubenv_set(&env, "prev_saved_entry", NULL);
	if (k >= 0)
		k = vfe_grubenv_set(&env, "next_entry", GRUB_ID_RECOVERY);
	if (k >= 0)
		k = keep_through_initrdfail(ctx, &cfg, &env);
	if (k >= 0)
		k = vfe_grub_env_commit(ctx, &env, "next_entry=" GRUB_ID_RECOVERY
						    " (the next boot only; GRUB clears it when it boots)");
	return k;
}

/* GRUB_DEFAULT from /etc/default/grub and the drop-ins other than ours. */
static int user_grub_default(struct vfe_boot_ctx *ctx, char **ret)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv vars = { 0 };
	const char *v;
	int k;

	k = vfe_grub_defaults_load(ctx->root, "vfio-early.cfg", &vars);
	if (k < 0)
		return k;
	v = vfe_grubenv_get(&vars, "GRUB_DEFAULT");
	*ret = strdup(v ? v : "0");
	return *ret ? 0 : -ENOMEM;
}

/*
 * Makes GRUB_DEFAULT=saved effective through our drop-in when the user's
 * config does not say so: the drop-in keeps its parameters and gets the line.
 */
static int need_saved_default(struct vfe_boot_ctx *ctx)
{
	_cleanup_free_ char *user = NULL, *old = NULL, *text = NULL, *params = NULL;
	int k;

	k = user_grub_default(ctx, &user);
	if (k < 0 || streq(user, "saved"))
		return k;
	k = vfe_read_file(ctx->root, GRUB_PATH_DROPIN, 1 << 20, &old);
	if (k < 0)
		return log_error_errno(k, GRUB_WHO ": cannot read /%s (run 'vfio-early boot install' first): %m",
				       GRUB_PATH_DROPIN);
	if (strstr(old, "\n" GRUB_DROPIN_SAVED))
		return 0;
	sb_printf(ctx->out, GRUB_WHO ": GRUB_DEFAULT is '%s'; a default entry needs GRUB_DEFAULT=saved, added in /%s\n",
		  user, GRUB_PATH_DROPIN);
	/* vfe_grub_apply_dropin() would refuse with "nothing changed", but grubenv is written already */
	if (!vfe_grub_can_update(ctx))
		return log_error_errno(-ENOENT, GRUB_WHO ": cannot add GRUB_DEFAULT=saved to /%s: neither update-grub nor "
					   "grub-mkconfig is installed (package grub2-common); use --no-update to only "
					   "write the file", GRUB_PATH_DROPIN);
	if (asprintf(&text, "%s%s", old, GRUB_DROPIN_SAVED_BLOCK) < 0)
		return text = NULL, -ENOMEM; /* asprintf leaves text undefined */
	params = vfe_grub_dropin_params(old);
	k = vfe_grub_apply_dropin(ctx, text, params ? params : "");
	return k < 0 ? k : 0;
}

int vfe_grub_set_default(struct vfe_boot_ctx *ctx, bool recovery)
{
	_cleanup_(vfe_grub_cfg_freep) struct vfe_grub_cfg cfg = { 0 };
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	const struct vfe_grub_entry *e;
	_cleanup_free_ char *summary = NULL;
	const char *id;
	int k;

	k = vfe_grub_need_entries(ctx, &cfg);
	if (k < 0)
		return k;
	e = recovery ? vfe_grub_cfg_find(&cfg, GRUB_ID_RECOVERY) : vfe_grub_cfg_first_passthrough(&cfg);
	id = e && *e->id ? e->id : NULL;
	if (!id)
		return log_nothing_changed(-ENOENT, GRUB_WHO, "no %s entry with an id in /%s",
					   recovery ? "'(no GPU passthrough)'" : "passthrough", GRUB_PATH_CFG);
	k = env_begin(ctx, false, NULL, &env);
	if (k < 0)
		return k;
	k = vfe_grubenv_set(&env, "saved_entry", id);
	if (k >= 0)
		k = vfe_grubenv_set(&env, "next_entry", NULL);
	if (k >= 0)
		k = vfe_grubenv_set(&env, "prev_saved_entry", NULL);
	if (k >= 0 && vfe_grub_env_is_ours(vfe_grubenv_get(&env, "prev_entry")))
		k = vfe_grubenv_set(&env, "prev_entry", NULL); /* our one-shot kept for initrdfail: gone with it */
	if (k >= 0 && asprintf(&summary, "saved_entry=%s (every boot)", id) < 0)
		summary = NULL, k = -ENOMEM; /* asprintf leaves summary undefined */
	if (k >= 0)
		k = vfe_grub_env_commit(ctx, &env, summary);
	if (k >= 0)
		k = need_saved_default(ctx);
	/* passthrough again: the count starts again (and a count that ran out is over) */
	return k < 0 || recovery ? k : vfe_grub_arm(ctx, true);
}

/* Where GRUB cannot clear our flag, Ubuntu's recordfail (cleared after boot by grub-common) still works. */
static bool has_recordfail(const struct vfe_root *r)
{
	_cleanup_free_ char *text = NULL;

	return vfe_read_file(r, GRUB_PATH_CFG, 16 << 20, &text) >= 0 && strstr(text, "recordfail");
}

static bool grub_can_write(const struct vfe_root *r)
{
	struct vfe_grub_fs fs;

	return vfe_grub_fs_probe(r, GRUB_PATH_DIR, &fs) < 0 || fs.grub_can_write;
}

int vfe_grub_menu_next(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_grub_cfg_freep) struct vfe_grub_cfg cfg = { 0 };
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	bool hook, grub_writes;
	const char *var;
	int k;

	k = vfe_grub_need_entries(ctx, &cfg);
	if (k < 0)
		return k;
	hook = cfg.has_menu_hook;
	grub_writes = grub_can_write(ctx->root);
	if (!grub_writes && !has_recordfail(ctx->root))
		return log_nothing_changed(-EOPNOTSUPP, GRUB_WHO, "GRUB cannot write /%s on this system (LVM, RAID, "
					   "btrfs or ZFS), so a one-shot menu flag would stick; set GRUB_TIMEOUT_STYLE=menu "
					   "and GRUB_TIMEOUT=5 in /etc/default/grub instead", GRUB_PATH_ENV);
	if (!hook && grub_writes)
		return log_nothing_changed(-ENOENT, GRUB_WHO, "/%s predates the menu hook; run update-grub first",
					   GRUB_PATH_CFG);
	var = grub_writes ? GRUB_ENV_MENU : "recordfail";
	if (!grub_writes)
		log_info(GRUB_WHO ": using Ubuntu's recordfail instead (cleared after a good boot by grub-common)");
	k = env_begin(ctx, false, NULL, &env);
	if (k < 0)
		return k;
	k = vfe_grubenv_set(&env, var, "1");
	if (k >= 0)
		k = vfe_grub_env_commit(ctx, &env, grub_writes ? GRUB_ENV_MENU "=1 (the menu shows on the next boot)"
							    : "recordfail=1 (the menu shows on the next boot)");
	return k;
}
