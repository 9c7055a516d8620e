/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "bls-host.h"
#include "boot.h"

/* Shared by efi/sdboot*.c, efi/kernelstub.c and efi/firmware.c. */
extern const struct vfe_boot_backend vfe_backend_sdboot;
extern const struct vfe_boot_backend vfe_backend_kernelstub;
extern const struct vfe_boot_backend vfe_backend_firmware;

/* The value `menu --next` writes to LoaderConfigTimeoutOneShot: the menu waits this many seconds. */
#define VFE_MENU_ONESHOT_TIMEOUT "30"

bool vfe_kernelstub_present(const struct vfe_root *r);
/* Lists the entries (menu order, default marked, ours marked, passthrough parameters) as text or JSON. */
void vfe_sdboot_show_entries(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h);
/* Fills status from the Loader* variables and our entry's health relative to src. */
void vfe_sdboot_fill_status(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			    struct vfe_boot_status *ret);
/* The entry our recovery entry is made from: kernelstub's Pop_OS-current.conf, else systemd-boot's default. */
const struct vfe_bls_entry *vfe_sdboot_source(const struct vfe_root *r, const struct vfe_bls_host *h);
