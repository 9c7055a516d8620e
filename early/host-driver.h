/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/root.h"
#include "early/modules.h"
#include "early/pci.h"
#include "early/plan.h"

/*
 * Would a host driver claim this PCI function, which has none yet? The one
 * answer the group guard gets, in the binder and in `vfio-early check`
 * (and `vfio-early xml`), through vfe_host_drivers_ops().
 *
 * Decided from the function's modalias (rebuilt from the scan: no read) and
 * the module aliases libkmod sees under the root, vfio and pci-stub left
 * out. At boot those are the initramfs's. To decide from another index,
 * change this file alone: callers hold only the opaque handle.
 */
struct vfe_host_drivers;

/* mods: the binder's libkmod context, shared (NULL: one of its own). */
int vfe_host_drivers_new(const struct vfe_root *r, struct vfe_modules *mods, struct vfe_host_drivers **ret);
void vfe_host_drivers_free(struct vfe_host_drivers *h);

/* The question itself; true with the driver's module name in driver. */
bool vfe_host_driver_for(struct vfe_host_drivers *h, const struct vfe_dev *d, char *driver, size_t n);

/* The same, as the plan asks it (h may be NULL: no driver is known). */
struct vfe_plan_ops vfe_host_drivers_ops(struct vfe_host_drivers *h);
