/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "early/config.h"
#include "early/facts.h"
#include "early/pci.h"
#include "early/plan.h"
#include "early/protect.h"

/*
 * The guards: which binds are refused, and why. Pure functions of the facts
 * (early/facts.h, early/protect.h): no I/O in here. `vfio-early add` asks
 * the per-device guard before it writes an entry; add, `vfio-early check`
 * and the binder ask all of them through vfe_plan_build(): one answer
 * everywhere.
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
	VFE_GUARD_PROTECTED, /* on the path to the running system: allow-storage does not change it */
	VFE_GUARD_STORAGE,   /* unless the entry says allow-storage */
	VFE_GUARD_BOOT_VGA,  /* unless the entry says allow-boot-vga */
};

/* Would the entry e be allowed to bind d (filled)? prot: the protected functions (NULL: not known). */
enum vfe_guard vfe_guard_device(const struct vfe_dev *d, const struct vfe_entry *e, enum vfe_iommu_state iommu,
				const struct vfe_protected *prot);

/* The per-device guards and the host's-last-display guard, on every target still to be bound. */
void vfe_guard_devices(struct vfe_plan *p, const struct vfe_pci *pci, bool iommu_on, const struct vfe_protected *prot);

/*
 * group=whole pinned by `vfio-early add --group` (members=): a member of the
 * group now that the entry did not record, or that now has another id,
 * refuses every target of that entry in the group.
 */
void vfe_guard_pinned(struct vfe_plan *p, const struct vfe_facts *f);

/* Is group member d left with the host (not bound by the plan)? */
bool vfe_guard_left_behind(const struct vfe_plan *p, const struct vfe_dev *d);

/* The drivers the kernel lets a group member hold while the group is given to a VM (vfio_dev_viable). */
bool vfe_guard_driver_viable(const char *driver);

#define VFE_BLOCK_WHY_MAX 160

/*
 * Does d, left behind, keep its group from being given to a VM, as the
 * kernel's viability check will see it? It does when it holds a driver
 * other than vfio-pci, pci-stub or pcieport, or has none but would get one
 * from the installed system, or has none and nothing is known of that (an
 * endpoint only: a PCI-to-PCI bridge without a driver gets none later). a is
 * the host-driver answer for a driverless d (NULL: none asked). What d holds
 * or would get goes to why ("is bound to lpc_ich", "would get snd_hda_intel").
 */
bool vfe_guard_blocks(const struct vfe_dev *d, const struct vfe_host_answer *a, char *why, size_t n);

/* A group is viable when no member left behind blocks it (vfe_guard_blocks()). */
void vfe_guard_groups(struct vfe_plan *p, const struct vfe_facts *f);
