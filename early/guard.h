/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "early/config.h"
#include "early/facts.h"
#include "early/pci.h"
#include "early/plan.h"

/*
 * The guards: which binds are refused, and why. Pure functions of the facts
 * (early/facts.h): no I/O in here. `vfio-early add` asks the per-device guard
 * before it writes an entry, `vfio-early check` and the binder ask all of
 * them through vfe_plan_build(): one answer everywhere.
 */

/* What is known of the IOMMU when a device is judged. */
enum vfe_iommu_state {
	VFE_IOMMU_OFF,
	VFE_IOMMU_ON,
	VFE_IOMMU_LATER, /* not yet (vfio-early add): the binder judges it at boot */
};

/* The per-device guards, in the order they are tried. */
enum vfe_guard {
	VFE_GUARD_PASS,
	VFE_GUARD_NO_IOMMU,
	VFE_GUARD_BRIDGE,
	VFE_GUARD_NO_GROUP,
	VFE_GUARD_STORAGE,  /* unless the entry says allow-storage */
	VFE_GUARD_BOOT_VGA, /* unless the entry says allow-boot-vga */
};

/* Would the entry e be allowed to bind d (filled)? */
enum vfe_guard vfe_guard_device(const struct vfe_dev *d, const struct vfe_entry *e, enum vfe_iommu_state iommu);

/* The per-device guards and the host's-last-display guard, on every target still to be bound. */
void vfe_guard_devices(struct vfe_plan *p, const struct vfe_pci *pci, bool iommu_on);

/* Is group member d left with the host: neither a bridge (never bound, never in the way) nor bound by the plan? */
bool vfe_guard_left_behind(const struct vfe_plan *p, const struct vfe_dev *d);

/*
 * Does d (left behind) keep its group from being passed through: it stays with the host and
 * holds, or would get, a host driver? a is the host-driver answer for a
 * driverless d (NULL: none known). The driver goes to drv.
 */
bool vfe_guard_blocks(const struct vfe_dev *d, const struct vfe_host_answer *a, char *drv, size_t n);

/* A group is viable when every endpoint in it is bound by us, or has and gets no host driver. */
void vfe_guard_groups(struct vfe_plan *p, const struct vfe_facts *f);
