/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/root.h"
#include "common/strv.h"
#include "early/binder.h"
#include "early/cmdline.h"
#include "early/config.h"
#include "early/host-driver.h"
#include "early/modules.h"
#include "early/pci.h"
#include "early/plan.h"
#include "early/protect.h"
#include "early/status.h"
#include "early/worker.h"

/*
 * One run of the binder, shared by its two entry points: the boot
 * (binder.c) and a device added after boot (added.c). Both read the same
 * inputs, decide through the same plan (match, facts, guards) and bind
 * through the same bounded worker; they differ in which targets they act
 * on and how they record them.
 */
struct vfe_run {
	const struct vfe_root *root;
	const struct vfe_binder_opts *o;
	bool late; /* a device added after boot, in the real root (added.c), not the initramfs */
	uint64_t started_us;
	struct strv problems; /* in the order met */
	/* read inputs */
	struct vfe_cmdline cmd;
	struct vfe_config cfg; /* the config's entries, then vfio_early.devices= */
	bool cfg_failed;
	bool iommu;
	char fallback[256]; /* the counted entry that ran out of tries: this is the fallback boot */
	/* match, gather facts, guard */
	struct vfe_modules *mods;       /* libkmod, made on first use: loads vfio-pci */
	struct vfe_host_drivers *hosts; /* the installed kernel's module index, as the hooks copied it */
	struct vfe_protected prot;      /* the functions on the path to the running system, as recorded */
	struct vfe_pci pci;
	struct vfe_plan plan;
	/* bind */
	struct vfe_bind_result *res; /* res[i] for plan.t[i] */
	struct vfe_bind_job job;
};

void vfe_run_init(struct vfe_run *x, const struct vfe_root *r, const struct vfe_binder_opts *o);
void vfe_run_free(struct vfe_run *x);
/* Logs msg and keeps it for the status record. */
void vfe_run_problem(struct vfe_run *x, const char *msg);

/* The kernel command line, the IOMMU and (unless vfio_early=off) the config and the automatic fallback. */
void vfe_run_read_inputs(struct vfe_run *x);
/* Passthrough is off this boot: the command line says so, or this is the automatic fallback. */
bool vfe_run_off(const struct vfe_run *x);
/* Is there a config to act on (not a recovery boot, config read, entries)? */
bool vfe_run_configured(const struct vfe_run *x);
/* Scan, match, facts, guards; then the results, each as decided. */
int vfe_run_decide(struct vfe_run *x);

/*
 * Binds the targets decided "bind" whose wanted[i] is true (NULL: all) with
 * a bounded wait (worker.h); late is called in the child if it outlives the
 * wait. The others keep their decided result.
 */
void vfe_run_bind(struct vfe_run *x, const bool *wanted, const struct vfe_bind_late *late);

/* One target's outcome, to the log: a line per device. */
void vfe_run_log_result(const struct vfe_run *x, size_t i, const char *when);
/* The mode, its reason and the IOMMU: the record's boot line. */
void vfe_run_boot_line(const struct vfe_run *x, struct vfe_status *st);
/* "26 bound, 3 refused": the outcomes counted, for the closing line. */
void vfe_run_tally(const struct vfe_run *x, const bool *wanted, char *buf, size_t n);
