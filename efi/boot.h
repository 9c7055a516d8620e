/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "root.h"
#include "strbuf.h"

/*
 * The boot-loader backends behind `vfio-early boot ...`: systemd-boot
 * (Boot Loader Specification entries + Loader* EFI variables), kernelstub
 * (Pop!_OS), GRUB (/etc/default/grub.d, /etc/grub.d, grubenv) and the
 * firmware's own Boot#### / BootNext. cli/verb-boot.c parses the command
 * line, asks each backend whether it is in use on this host (detect), and
 * calls the same operation on every backend that is.
 *
 * Every operation returns 0 or a negative errno; on failure it has logged
 * one clear line (log_error) and left every file and variable as it was.
 * With ctx->dry_run it changes nothing and prints the exact changes (file
 * diffs, variable values) to ctx->out.
 */

/* The kernel parameters passthrough needs, decided once for all backends. */
struct vfe_boot_params {
	const char *iommu;   /* "intel_iommu=on" or "amd_iommu=on", from the CPU vendor */
	bool iommu_pt;       /* add iommu=pt */
	bool ignore_msrs;    /* add kvm.ignore_msrs=1 (on request) */
};

struct vfe_boot_ctx {
	const struct vfe_root *root; /* every path below it: /etc, /boot, the ESP, efivarfs */
	bool dry_run;
	bool json;       /* show: write JSON to out instead of text */
	bool no_update;  /* do not run update-grub/kernelstub/...: say what to run */
	bool firmware;   /* recovery --next --firmware: use BootNext */
	struct vfe_boot_params params;
	struct strbuf *out; /* human (or JSON) output of the operation */
};

/* What `vfio-early status` shows about boot entries; filled by status(). */
struct vfe_boot_status {
	char loader[32];          /* "systemd-boot", "grub", ... */
	char booted_entry[256];   /* the entry this boot came from, "" when unknown */
	bool booted_recovery;     /* that entry is our no-passthrough entry */
	char next_boot[256];      /* what the next boot will do, in words */
	char recovery_health[256];/* "ok" or what is wrong (missing, stale kernel, ...) */
};

struct vfe_boot_backend {
	const char *name;
	/* >0: in use on this host; 0: not; <0: error (logged) */
	int (*detect)(struct vfe_boot_ctx *ctx);
	int (*show)(struct vfe_boot_ctx *ctx);
	int (*install)(struct vfe_boot_ctx *ctx);
	int (*remove)(struct vfe_boot_ctx *ctx);
	int (*recovery_next)(struct vfe_boot_ctx *ctx);
	/* recovery=true: make the no-passthrough entry the default; false: the passthrough one */
	int (*set_default)(struct vfe_boot_ctx *ctx, bool recovery);
	int (*menu_next)(struct vfe_boot_ctx *ctx);
	int (*status)(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret);
	/*
	 * After a kernel was installed or removed (the kernel-install plugin and
	 * the postinst.d/postrm.d hooks run `vfio-early boot refresh`): bring the
	 * recovery entry up to date where install made one; nothing otherwise.
	 * May be NULL.
	 */
	int (*refresh)(struct vfe_boot_ctx *ctx);
};

/* NULL-terminated list of every backend, in the order they are tried. */
extern const struct vfe_boot_backend *const vfe_boot_backends[];

/* The parameters every passthrough entry gets, and the ones the recovery entry drops. */
#define VFE_RECOVERY_PARAM "vfio_early=off"
