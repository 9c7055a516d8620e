// SPDX-License-Identifier: GPL-2.0-or-later
/* Our /etc/default/grub.d drop-in: its text, writing it and regenerating grub.cfg. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/atomic.h"
#include "common/log.h"
#include "efi/grub/grub.h"

#define DROPIN_KEY "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT "

char *vfe_grub_dropin_text(const struct vfe_boot_params *p, bool with_saved)
{
	struct strbuf sb = { 0 };

	if (!p->iommu && !p->iommu_pt && !p->ignore_msrs)
		return NULL;
	sb_puts(&sb, "# Written by 'vfio-early boot install'; 'vfio-early boot remove' deletes it.\n"
		     "# GRUB puts GRUB_CMDLINE_LINUX_DEFAULT on its normal entries, not on recovery\n"
		     "# entries, nor on the '(no GPU passthrough)' entry of /etc/grub.d/" GRUB_SCRIPT_NAME ".\n"
		     DROPIN_KEY);
	sb_printf(&sb, "%s%s%s%s%s", p->iommu ? p->iommu : "", p->iommu && p->iommu_pt ? " " : "",
		  p->iommu_pt ? "iommu=pt" : "", (p->iommu || p->iommu_pt) && p->ignore_msrs ? " " : "",
		  p->ignore_msrs ? "kvm.ignore_msrs=1" : "");
	sb_puts(&sb, "\"\n");
	if (with_saved)
		sb_puts(&sb, GRUB_DROPIN_SAVED_BLOCK);
	return sb_steal(&sb);
}

char *vfe_grub_dropin_params(const char *text)
{
	const char *p = text ? strstr(text, DROPIN_KEY) : NULL;
	const char *e;

	if (!p)
		return NULL;
	p += strlen(DROPIN_KEY);
	e = strchr(p, '"');
	return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static int ensure_dir(const struct vfe_root *r, const char *rel)
{
	if (mkdirat(r->fd, rel, 0755) < 0 && errno != EEXIST)
		return log_error_errno(negative_errno(), GRUB_WHO ": cannot create /%s: %m", rel);
	return 0;
}

static int put_dropin(const struct vfe_root *r, const char *text)
{
	int k;

	if (text)
		k = vfe_write_file_atomic(r, GRUB_PATH_DROPIN, text, strlen(text), 0644, 0);
	else
		k = unlinkat(r->fd, GRUB_PATH_DROPIN, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
	if (k < 0)
		return log_error_errno(k, GRUB_WHO ": cannot %s /%s: %m", text ? "write" : "remove", GRUB_PATH_DROPIN);
	return 0;
}

static void print_change(struct vfe_boot_ctx *ctx, const char *old, const char *text)
{
	sb_printf(ctx->out, GRUB_WHO ": %s /%s\n", ctx->dry_run ? "would change" : "changing", GRUB_PATH_DROPIN);
	sb_printf(ctx->out, "--- /%s\n+++ /%s\n", old ? GRUB_PATH_DROPIN : "dev/null", text ? GRUB_PATH_DROPIN : "dev/null");
	for (const char *p = old; p && *p;) {
		const char *e = strchrnul(p, '\n');
		sb_printf(ctx->out, "-%.*s\n", (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
	for (const char *p = text; p && *p;) {
		const char *e = strchrnul(p, '\n');
		sb_printf(ctx->out, "+%.*s\n", (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

/* Puts the previous drop-in back after a failed step, and grub.cfg with it when update-grub had replaced it. */
static void restore(struct vfe_boot_ctx *ctx, const char *old, bool regenerate)
{
	if (put_dropin(ctx->root, old) < 0)
		return;
	log_notice(GRUB_WHO ": restored the previous /%s", GRUB_PATH_DROPIN);
	if (regenerate && vfe_grub_update(ctx) < 0)
		log_error(GRUB_WHO ": /%s is back as it was, but /%s still reflects the failed change: run update-grub",
			  GRUB_PATH_DROPIN, GRUB_PATH_CFG);
}

int vfe_grub_apply_dropin(struct vfe_boot_ctx *ctx, const char *text, const char *check_params)
{
	_cleanup_free_ char *old = NULL;
	char why[512];
	int k;

	k = vfe_read_file(ctx->root, GRUB_PATH_DROPIN, 1 << 20, &old);
	if (k < 0 && k != -ENOENT)
		return log_error_errno(k, GRUB_WHO ": cannot read /%s: %m", GRUB_PATH_DROPIN);
	if ((!old && !text) || (old && text && streq(old, text)))
		return 0;
	if (!vfe_grub_can_update(ctx))
		return log_nothing_changed(-ENOENT, GRUB_WHO, "neither update-grub nor grub-mkconfig is installed "
					   "(package grub2-common); use --no-update to only write /%s", GRUB_PATH_DROPIN);
	print_change(ctx, old, text);
	if (ctx->dry_run)
		return vfe_grub_update(ctx) < 0 ? -ENOENT : 1;
	k = text ? ensure_dir(ctx->root, GRUB_PATH_DEFAULT_D) : 0;
	if (k >= 0)
		k = put_dropin(ctx->root, text);
	if (k < 0)
		return k;
	k = vfe_grub_update(ctx);
	if (k < 0) {
		/* grub-mkconfig writes grub.cfg.new and renames it last: grub.cfg is untouched */
		restore(ctx, old, false);
		return k;
	}
	if (check_params && !ctx->no_update && (k = vfe_grub_cfg_check(ctx->root, check_params, why, sizeof(why))) < 0) {
		log_error(GRUB_WHO ": update-grub ran, but %s; undoing the change", why);
		restore(ctx, old, true);
		return k;
	}
	return 1;
}
