/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "boot.h"
#include "grub-cfg.h"
#include "grub-fs.h"
#include "grubenv.h"

/* Shared by efi/grub*.c; the public face is vfe_backend_grub (boot.h). */
extern const struct vfe_boot_backend vfe_backend_grub;

#define GRUB_DROPIN_SAVED "GRUB_DEFAULT=saved\n"
#define GRUB_DROPIN_SAVED_BLOCK \
	"# 'vfio-early boot recovery --default' chose the default through saved_entry:\n" GRUB_DROPIN_SAVED

/* The drop-in's text for these parameters; with_saved adds GRUB_DEFAULT=saved. NULL on OOM / no parameters. */
char *vfe_grub_dropin_text(const struct vfe_boot_params *p, bool with_saved);
/* The parameters our drop-in adds ("intel_iommu=on iommu=pt"), parsed back; NULL when absent. */
char *vfe_grub_dropin_params(const char *text);

/* Checks that grubenv can be written now by us and, when need_grub, at boot by GRUB. Logs and fails. */
int vfe_grub_check_env_writable(struct vfe_boot_ctx *ctx, bool need_grub, const char *what);
/* Loads grub.cfg, failing (logged) unless our recovery entry is in it. */
int vfe_grub_need_entries(struct vfe_boot_ctx *ctx, struct vfe_grub_cfg *ret);
/* Writes the drop-in (or removes it when text is NULL) and regenerates grub.cfg; restores it on failure. */
int vfe_grub_apply_dropin(struct vfe_boot_ctx *ctx, const char *text);
/* Saves env (or prints it with dry_run). */
int vfe_grub_env_commit(struct vfe_boot_ctx *ctx, const struct vfe_grubenv *env, const char *summary);

int vfe_grub_show(struct vfe_boot_ctx *ctx);
int vfe_grub_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret);
int vfe_grub_recovery_next(struct vfe_boot_ctx *ctx);
int vfe_grub_set_default(struct vfe_boot_ctx *ctx, bool recovery);
int vfe_grub_menu_next(struct vfe_boot_ctx *ctx);
