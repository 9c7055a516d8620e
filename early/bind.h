/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/root.h"
#include "early/plan.h"

struct vfe_bind_ops {
	/* Makes the named driver's module available (libkmod in production). */
	int (*load_module)(void *userdata, const char *name);
	void *userdata;
};

/*
 * What became of one target of the plan: for a target decided "bind", what
 * binding did (bound, already-bound or failed, with the driver it found
 * there); for the others, the plan's decision as it was.
 */
struct vfe_bind_result {
	enum vfe_action action;
	char driver_before[VFE_DRIVER_MAX];
	char reason[320];
};

/* One result per target, each as the plan decided it (what a dry run reports); NULL when out of memory. */
struct vfe_bind_result *vfe_bind_results_new(const struct vfe_plan *p);

/*
 * Binds every target decided "bind" to vfio-pci, into res[i] for p->t[i]:
 * loads the driver if it is not registered yet, writes driver_override,
 * unbinds a driver that got there first, asks the bus to probe, and reads
 * "driver" back, since a probe request succeeds even when nothing bound.
 */
void vfe_bind_plan(const struct vfe_root *r, const struct vfe_plan *p, const struct vfe_bind_ops *ops,
		   struct vfe_bind_result *res);
