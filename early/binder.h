/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/root.h"
#include "early/bind.h"
#include "early/plan.h"

struct vfe_binder_opts {
	bool dry_run;                    /* decide and record, change nothing in sysfs */
	const struct vfe_bind_ops *bind; /* NULL: libkmod loads vfio-pci */
	const struct vfe_plan_ops *plan; /* NULL: the installed system's facts the hooks put into the image */
	unsigned timeout_ms;             /* how long binding is waited for; 0: VFE_BIND_TIMEOUT_MS */
};

/*
 * One boot's work: read the kernel command line and the config, scan PCI,
 * match, gather facts, guard, bind, log each outcome, write the status
 * record (binder.c tells the flow). Never fails the boot: every problem is
 * logged and recorded; the return value is for tests (negative only when
 * the status record could not be written).
 */
int vfe_binder_run(const struct vfe_root *r, const struct vfe_binder_opts *o);

/*
 * A PCI function added after boot (udev's "add" event of a hotplugged card,
 * an SR-IOV virtual function, a Thunderbolt device; bdf as udev names it):
 * the same inputs, plan and guards as at boot, acted on for the new
 * function's IOMMU group only, recorded in the status record as late. A
 * device the record already has from this boot is left alone. Returns as
 * vfe_binder_run().
 */
int vfe_binder_added(const struct vfe_root *r, const struct vfe_binder_opts *o, const char *bdf);
