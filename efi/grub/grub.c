// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The GRUB backend (Debian/Ubuntu): kernel parameters through the drop-in
 * /etc/default/grub.d/vfio-early.cfg (GRUB_CMDLINE_LINUX_DEFAULT, which GRUB
 * leaves off its recovery entries), the "(no GPU passthrough)" entries from
 * /etc/grub.d/42_vfio-early, and one-shots through grubenv.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/log.h"
#include "efi/grub/grub.h"

static int grub_detect(struct vfe_boot_ctx *ctx)
{
	return vfe_exists(ctx->root, "%s", GRUB_PATH_CFG) || vfe_exists(ctx->root, "%s", GRUB_PATH_DEFAULT);
}

static int check_script(const struct vfe_root *r)
{
	struct stat st;

	if (fstatat(r->fd, GRUB_PATH_SCRIPT, &st, 0) < 0)
		return log_nothing_changed(negative_errno(), GRUB_WHO, "/%s is missing (it comes with 'make install' "
					   "or the vfio-early package)", GRUB_PATH_SCRIPT);
	if (!(st.st_mode & 0111))
		return log_nothing_changed(-ENOEXEC, GRUB_WHO, "/%s is not executable, so grub-mkconfig skips it; "
					   "run 'chmod +x /%s'", GRUB_PATH_SCRIPT, GRUB_PATH_SCRIPT);
	return 0;
}

static bool dropin_has_saved(const struct vfe_root *r)
{
	_cleanup_free_ char *old = NULL;

	return vfe_read_file(r, GRUB_PATH_DROPIN, 1 << 20, &old) >= 0 && strstr(old, "\n" GRUB_DROPIN_SAVED);
}

/*
 * The drop-in already says what install would write: is grub.cfg up to date
 * with it? If not (update-grub never ran: --no-update, a crash, or it was
 * undone by hand), regenerate it, so that "already installed" is only said
 * of a grub.cfg that boots what we promise.
 */
static int install_unchanged(struct vfe_boot_ctx *ctx, const char *params)
{
	char why[512];
	int k;

	if (vfe_grub_cfg_check(ctx->root, params, why, sizeof(why)) >= 0) {
		sb_printf(ctx->out, GRUB_WHO ": already installed (/%s, and /%s has the entries)\n", GRUB_PATH_DROPIN,
			  GRUB_PATH_CFG);
		return 0;
	}
	sb_printf(ctx->out, GRUB_WHO ": /%s is in place, but %s\n", GRUB_PATH_DROPIN, why);
	k = vfe_grub_update(ctx);
	if (k < 0 || ctx->no_update || ctx->dry_run)
		return k;
	if (vfe_grub_cfg_check(ctx->root, params, why, sizeof(why)) < 0)
		return log_error_errno(-EBADMSG, GRUB_WHO ": update-grub ran, but %s; check /%s and the files in /%s",
				       why, GRUB_PATH_SCRIPT, GRUB_PATH_DEFAULT_D);
	return 0;
}

static int grub_install(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv vars = { 0 };
	_cleanup_free_ char *text = NULL, *params = NULL;
	int k;

	k = vfe_grub_defaults_load(ctx->root, NULL, &vars); /* a file that stops grub-mkconfig stops us here */
	if (k >= 0)
		k = check_script(ctx->root);
	if (k >= 0)
		k = vfe_grub_check_writable(ctx, false, NULL); /* grub-mkconfig would fail half way on a read-only /boot */
	if (k < 0)
		return k;
	text = vfe_grub_dropin_text(&ctx->params, dropin_has_saved(ctx->root));
	if (!text)
		return log_nothing_changed(-EINVAL, GRUB_WHO, "no kernel parameters to install (no IOMMU vendor known)");
	params = vfe_grub_dropin_params(text);
	if (!params)
		return -ENOMEM;
	k = vfe_grub_apply_dropin(ctx, text, params);
	if (k == 0)
		k = install_unchanged(ctx, params);
	if (k >= 0)
		k = vfe_grub_arm(ctx, true);
	return k < 0 ? k : 0;
}

/* Drops one-shots and defaults that point at our entries. */
static int forget_our_env(struct vfe_boot_ctx *ctx)
{
	static const char *const vars[] = { "next_entry", "saved_entry", "prev_entry", GRUB_ENV_MENU, GRUB_ENV_TRIES,
					    GRUB_ENV_CREATED };
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	int k, changed = 0;
	bool created;

	k = vfe_grubenv_load(ctx->root, GRUB_PATH_ENV, &env);
	if (k < 0)
		return k;
	created = vfe_grubenv_get(&env, GRUB_ENV_CREATED);
	for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
		const char *v = vfe_grubenv_get(&env, vars[i]);
		if (v && (vfe_grub_env_is_ours(v) || startswith(vars[i], "vfio_early_")))
			changed += vfe_grubenv_set(&env, vars[i], NULL);
	}
	if (created && env.n == 0) {
		/* install made the file for its counter, and nothing else is in it: it goes again */
		if (!ctx->dry_run && unlinkat(ctx->root->fd, GRUB_PATH_ENV, 0) < 0 && errno != ENOENT)
			return log_error_errno(negative_errno(), GRUB_WHO ": cannot remove /%s: %m", GRUB_PATH_ENV);
		sb_printf(ctx->out, GRUB_WHO ": %s /%s (install made it for the automatic fallback's counter)\n",
			  ctx->dry_run ? "would remove" : "removed", GRUB_PATH_ENV);
		return 0;
	}
	return changed ? vfe_grub_env_commit(ctx, &env, "cleared the one-shot/default pointing at our entry") : 0;
}

static int grub_remove(struct vfe_boot_ctx *ctx)
{
	int k;

	/* before any change; it also covers grubenv, which forget_our_env() rewrites after the drop-in */
	k = vfe_grub_check_writable(ctx, false, NULL);
	if (k < 0)
		return k;
	k = vfe_grub_apply_dropin(ctx, NULL, NULL);
	if (k < 0)
		return k;
	if (k == 0)
		sb_printf(ctx->out, GRUB_WHO ": not installed; nothing to remove\n");
	return forget_our_env(ctx);
}

const struct vfe_boot_backend vfe_backend_grub = {
	.id = VFE_LOADER_GRUB,
	.name = GRUB_WHO,
	.detect = grub_detect,
	.show = vfe_grub_show,
	.install = grub_install,
	.remove = grub_remove,
	.recovery_next = vfe_grub_recovery_next,
	.set_default = vfe_grub_set_default,
	.passthrough_next = vfe_grub_passthrough_next,
	.menu_next = vfe_grub_menu_next,
	.status = vfe_grub_status,
	.refresh = vfe_grub_refresh,
	.confirm = vfe_grub_confirm,
};
