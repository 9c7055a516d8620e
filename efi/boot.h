/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/log.h"
#include "common/root.h"
#include "common/strbuf.h"
#include "common/strv.h"

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

/*
 * The one form of the error a backend logs when it stops before changing
 * anything: "WHO: WHAT FAILED: REASON; nothing changed", WHO the backend's
 * name ("systemd-boot", "grub", ...). fmt is a string literal and says what
 * failed and why (%m is err's text). Logs at error level and returns err:
 *	return log_nothing_changed(k, WHO, "cannot read /%s: %m", path);
 */
#define log_nothing_changed(err, who, fmt, ...) \
	log_error_errno((err), "%s: " fmt "; nothing changed", (who), ##__VA_ARGS__)

/* The kernel parameters passthrough needs, decided once for all backends. */
struct vfe_boot_params {
	const char *iommu;   /* "intel_iommu=on" on Intel, NULL on AMD (on by default), from the CPU vendor */
	bool iommu_pt;       /* add iommu=pt */
	bool ignore_msrs;    /* add kvm.ignore_msrs=1 (on request) */
};

struct vfe_boot_ctx {
	const struct vfe_root *root; /* every path below it: /etc, /boot, the ESP, efivarfs */
	bool dry_run;
	unsigned fallback; /* the automatic fallback's N (early/config.h); 0: off */
	bool json;       /* show: write JSON to out instead of text */
	bool no_update;  /* do not run update-grub/kernelstub/...: say what to run */
	struct vfe_boot_params params;
	struct strbuf *out; /* human (or JSON) output of the operation */
};

/*
 * The automatic fallback (docs/fallback.md) as one loader keeps it: a
 * counter the loader itself counts down at boot (systemd-boot's
 * NAME+LEFT-DONE.conf, a grubenv variable that grub.cfg decrements), armed
 * by install, refresh and passthrough --default, stopped by a confirmed
 * boot. When it runs out, the loader boots without passthrough until the
 * user acts.
 */
enum vfe_fallback_state {
	VFE_FALLBACK_NONE,        /* nothing installed to count */
	VFE_FALLBACK_OFF,         /* "fallback off" in the config */
	VFE_FALLBACK_UNAVAILABLE, /* this layout cannot count; why says why */
	VFE_FALLBACK_ARMED,       /* counting: left passthrough boots without a confirmed display, then recovery */
	VFE_FALLBACK_CONFIRMED,   /* a confirmed boot stopped the count; a kernel or config change arms it again */
	VFE_FALLBACK_FALLEN,      /* the count ran out: recovery boots until the user acts */
};

struct vfe_fallback {
	enum vfe_fallback_state state;
	unsigned left;     /* ARMED: passthrough boots left before the fallback */
	char counter[256]; /* what counts, for people: "debian-6.1.0-13-amd64+3-1.conf", "grubenv vfio_early_tries=2" */
	char why[256];     /* UNAVAILABLE: why; else a note, or "" */
};

/* "armed", "confirmed", ...: the state's name in show, status and JSON. */
const char *vfe_fallback_state_name(enum vfe_fallback_state s);
/* The state in words for people ("armed: 2 unconfirmed passthrough boots left, then ..."), into buf. */
void vfe_fallback_describe(const struct vfe_fallback *f, char *buf, size_t n);

/* {"state":"armed","left":2,"counter":"...","note":"..."} */
void vfe_fallback_json(struct strbuf *o, const struct vfe_fallback *f);

/* How `vfio-early confirm` was called. */
enum vfe_confirm_how {
	VFE_CONFIRM_MANUAL, /* by hand or from SSH: always confirms */
	VFE_CONFIRM_AUTO,   /* the shipped callers, after they saw the host display work */
};

/* What `vfio-early status` shows about boot entries; filled by status(). */
struct vfe_boot_status {
	char loader[32];          /* "systemd-boot", "grub", ... */
	char booted_entry[256];   /* the entry this boot came from, "" when unknown */
	bool booted_recovery;     /* that entry is our no-passthrough entry; where the loader cannot
				   * tell the entry, the command line turned passthrough off */
	char next_boot[256];      /* what the next boot will do, in words */
	char recovery_health[256];/* for people, starting with the state: "ok (...)", "missing: ...",
				   * "stale: ...", "not installed ...", "unknown: ..." */
	struct vfe_fallback fallback;
};

/* That state as a machine value: "ok", "missing", "stale", "not_installed" or "unknown". */
const char *vfe_boot_recovery_state(const char *health);
/* "recovery":{"state":STATE,"detail":HEALTH} into a JSON object, after a ',' as sb_put_json_member() puts one. */
void vfe_boot_json_recovery(struct strbuf *sb, const char *health);

/*
 * The passthrough entry a loader boots by default, as the firmware can start
 * it directly (a kernel with an EFI stub on the ESP): what the firmware
 * backend copies into its Boot#### option.
 */
struct vfe_boot_source {
	char *title;
	char *kernel;       /* relative to the root: "boot/efi/EFI/Pop_OS-.../vmlinuz.efi" */
	struct strv initrd; /* inside the ESP, '/'-separated: "/EFI/Pop_OS-.../initrd.img" */
	char *options;
};
void vfe_boot_source_free(struct vfe_boot_source *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vfe_boot_source, vfe_boot_source_free);

/* Each backend, by what it is; the table below lists them in the order they are tried. */
enum vfe_loader {
	VFE_LOADER_KERNELSTUB,
	VFE_LOADER_SDBOOT,
	VFE_LOADER_FIRMWARE,
	VFE_LOADER_GRUB,
	_VFE_LOADER_MAX,
};

enum {
	/* The firmware's own menu (Boot####, BootNext): bypasses the boot loader, so a
	 * one-shot goes either to it (--firmware) or to the loaders, never both. */
	VFE_BACKEND_FIRMWARE_MENU = 1 << 0,
};

struct vfe_boot_backend {
	enum vfe_loader id;
	const char *name; /* for people: "systemd-boot", "grub", ... */
	unsigned flags;
	/* >0: in use on this host; 0: not; <0: error (logged) */
	int (*detect)(struct vfe_boot_ctx *ctx);
	int (*show)(struct vfe_boot_ctx *ctx);
	int (*install)(struct vfe_boot_ctx *ctx);
	int (*remove)(struct vfe_boot_ctx *ctx);
	int (*recovery_next)(struct vfe_boot_ctx *ctx);
	/* recovery=true: make the no-passthrough entry the default; false: the passthrough one */
	int (*set_default)(struct vfe_boot_ctx *ctx, bool recovery);
	/*
	 * `passthrough --next`: cancels a pending one-shot to the recovery entry
	 * (LoaderEntryOneShot, GRUB's next_entry, BootNext), and where the
	 * recovery entry is the default, makes the next boot (only) passthrough
	 * where the loader can. May be NULL: the loader has no one-shot.
	 */
	int (*passthrough_next)(struct vfe_boot_ctx *ctx);
	int (*menu_next)(struct vfe_boot_ctx *ctx);
	int (*status)(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret);
	/*
	 * After a kernel was installed or removed (the kernel-install plugin and
	 * the postinst.d/postrm.d hooks run `vfio-early boot refresh`): bring the
	 * recovery entry up to date where install made one; nothing otherwise.
	 * May be NULL.
	 */
	int (*refresh)(struct vfe_boot_ctx *ctx);
	/* The passthrough entry it boots, for the firmware backend (NULL: it has none on the ESP). */
	int (*source)(struct vfe_boot_ctx *ctx, struct vfe_boot_source *ret);
	/*
	 * `vfio-early confirm`: the host display works this boot. In a
	 * passthrough boot the count stops (until a kernel or config change
	 * arms it again). In a recovery boot after the automatic fallback, a
	 * MANUAL confirm returns to passthrough (armed again), an AUTO one
	 * changes nothing; AUTO returns -EBUSY when this very boot is the
	 * counted fallback boot, so that its caller fails and
	 * systemd-bless-boot does not mark the entry good. What it did goes
	 * to ctx->out. May be NULL: the loader does not count (the firmware's
	 * Boot#### is a one-shot the user arms).
	 */
	int (*confirm)(struct vfe_boot_ctx *ctx, enum vfe_confirm_how how, bool recovery);
};

/* NULL-terminated list of every backend, in the order they are tried. */
extern const struct vfe_boot_backend *const vfe_boot_backends[];

/* The backend with that id. */
const struct vfe_boot_backend *vfe_boot_backend(enum vfe_loader id);

/*
 * Which boot loader started this boot (efi/firmware/booted.c): the loader's
 * own LoaderInfo / LoaderImageIdentifier (systemd-boot; GRUB with its "bli"
 * module), else the file BootCurrent's Boot#### starts, else what that file
 * on the ESP is. A machine moved from GRUB to systemd-boot keeps
 * /etc/default/grub and a grubenv: those leftovers are found, but the
 * loader in use is the one that booted.
 */
struct vfe_booted {
	enum vfe_loader loader; /* VFE_LOADER_SDBOOT or VFE_LOADER_GRUB; _VFE_LOADER_MAX when unknown */
	char how[256];          /* how we know, for people: "LoaderInfo \"systemd-boot 252\"", ... */
};
void vfe_boot_booted(const struct vfe_root *r, struct vfe_booted *ret);
/*
 * Is backend b, found on this host (detect() > 0), the one in use? The
 * firmware's menu always is; kernelstub and systemd-boot are when
 * systemd-boot booted, GRUB when GRUB did; all of them when the booted
 * loader is unknown (no EFI variables: a test tree, a BIOS boot).
 */
bool vfe_boot_in_use(const struct vfe_boot_backend *b, const struct vfe_booted *booted);

/* The source entry of the first loader in use that has one; -ENOENT when none has. */
int vfe_boot_find_source(struct vfe_boot_ctx *ctx, struct vfe_boot_source *ret);
