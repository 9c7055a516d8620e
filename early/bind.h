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
 * Binds every VFE_ACT_BIND target to vfio-pci: loads the driver if it is
 * not registered yet, writes driver_override, unbinds a driver that got
 * there first, asks the bus to probe, and reads "driver" back, since a
 * probe request succeeds even when nothing bound. Each target ends as
 * bound, already-bound or failed, with its reason.
 */
void vfe_bind_plan(const struct vfe_root *r, struct vfe_plan *p, const struct vfe_bind_ops *ops);
