// SPDX-License-Identifier: GPL-2.0-or-later
/* What the GRUB backend's commands share: the checks before touching grubenv or grub.cfg, and saving grubenv. */
#include <stdio.h>

#include "common/log.h"
#include "efi/grub/grub.h"
#include "recovery/recovery-cmdline.h"

int vfe_grub_check_writable(struct vfe_boot_ctx *ctx, bool need_grub, const char *what)
{
	struct vfe_grub_fs fs;

	if (vfe_grub_fs_probe(ctx->root, GRUB_PATH_DIR, &fs) < 0)
		return 0; /* no mountinfo: nothing known against it */
	if (fs.read_only)
		return log_nothing_changed(-EROFS, GRUB_WHO, "%s is mounted read-only; remount it read-write "
					   "('mount -o remount,rw %s') and retry", fs.mountpoint, fs.mountpoint);
	if (need_grub && !fs.grub_can_write)
		return log_nothing_changed(-EOPNOTSUPP, GRUB_WHO, "%s: GRUB cannot write /%s at boot (%s), so the %s "
					   "would never be cleared and would stick for every boot; use "
					   "'vfio-early boot menu --next' and pick the '(no GPU passthrough)' "
					   "entry instead", what, GRUB_PATH_ENV, fs.why, what);
	return 0;
}

int vfe_grub_need_entries(struct vfe_boot_ctx *ctx, struct vfe_grub_cfg *ret)
{
	int k = vfe_grub_cfg_load(ctx->root, ret);

	if (k < 0 && k != -ENOENT)
		return log_nothing_changed(k, GRUB_WHO, "cannot read /%s: %m", GRUB_PATH_CFG);
	if (k >= 0 && vfe_grub_cfg_find(ret, GRUB_ID_RECOVERY))
		return 0;
	if (k >= 0)
		vfe_grub_cfg_free(ret);
	return log_nothing_changed(-ENOENT, GRUB_WHO, "/%s has no '(no GPU passthrough)' entry; run "
				   "'vfio-early boot install' (or update-grub) first", GRUB_PATH_CFG);
}

bool vfe_grub_env_is_ours(const char *value)
{
	return value && (startswith(value, GRUB_ID_RECOVERY) || startswith(value, GRUB_ID_SUBMENU));
}

/* Is word one of the blank-separated words of line? */
static bool has_word(const char *line, const char *word)
{
	size_t l = strlen(word);

	for (const char *p = line; p && (p = strstr(p, word)); p += l)
		if ((p == line || p[-1] == ' ' || p[-1] == '\t') && (!p[l] || p[l] == ' ' || p[l] == '\t'))
			return true;
	return false;
}

/* The first word of params that args lacks, into buf; false when none is missing. */
static bool missing_param(const char *args, const char *params, char *buf, size_t n)
{
	_cleanup_free_ char *copy = strdup(params ? params : "");
	char *save = NULL;

	for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save))
		if (!has_word(args ? args : "", w)) {
			snprintf(buf, n, "%s", w);
			return true;
		}
	return false;
}

int vfe_grub_cfg_check(const struct vfe_root *r, const char *params, char *why, size_t n)
{
	_cleanup_(vfe_grub_cfg_freep) struct vfe_grub_cfg cfg = { 0 };
	const struct vfe_grub_entry *ours, *pt;
	char w[128];
	int k = vfe_grub_cfg_load(r, &cfg);

	if (k < 0) {
		snprintf(why, n, "/%s cannot be read (%s)", GRUB_PATH_CFG, strerror(-k));
		return k;
	}
	ours = vfe_grub_cfg_find(&cfg, GRUB_ID_RECOVERY);
	pt = vfe_grub_cfg_first_passthrough(&cfg);
	if (!ours)
		snprintf(why, n, "/%s has no '(no GPU passthrough)' entry (id %s): /%s did not add it", GRUB_PATH_CFG,
			 GRUB_ID_RECOVERY, GRUB_PATH_SCRIPT);
	else if (!has_word(ours->linux_args, VFE_RECOVERY_PARAM))
		snprintf(why, n, "the '(no GPU passthrough)' entry in /%s lacks " VFE_RECOVERY_PARAM, GRUB_PATH_CFG);
	else if (!pt)
		snprintf(why, n, "/%s has no passthrough entry", GRUB_PATH_CFG);
	else if (missing_param(pt->linux_args, params, w, sizeof(w)))
		snprintf(why, n, "the entry '%s' in /%s lacks %s (another file in /%s may set "
				 "GRUB_CMDLINE_LINUX_DEFAULT after ours)", pt->title, GRUB_PATH_CFG, w, GRUB_PATH_DEFAULT_D);
	else
		return 0;
	return -EBADMSG;
}

int vfe_grub_env_commit(struct vfe_boot_ctx *ctx, const struct vfe_grubenv *env, const char *summary)
{
	int k = 0;

	if (!ctx->dry_run)
		k = vfe_grubenv_save(ctx->root, GRUB_PATH_ENV, env);
	if (k < 0)
		return k;
	sb_printf(ctx->out, GRUB_WHO ": %s /%s: %s\n", ctx->dry_run ? "would write" : "wrote", GRUB_PATH_ENV, summary);
	for (size_t i = 0; ctx->dry_run && i < env->n; i++)
		sb_printf(ctx->out, "  %s=%s\n", env->names[i], env->values[i]);
	return 0;
}
