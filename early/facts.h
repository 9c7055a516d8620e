/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "early/pci.h"
#include "early/plan.h"

/*
 * The facts the guards decide from, gathered before they run: every read
 * of sysfs and every host-driver question of a plan happens here, so the
 * guards (early/guard.h) are pure functions. Per device (its IOMMU group,
 * driver and boot_vga) they sit in struct vfe_dev, filled; per group and
 * per host-driver answer, here.
 *
 * Two rounds, because the expensive question is asked only where its answer
 * can change a decision: vfe_facts_devices() before the device guards,
 * vfe_facts_groups() after them, for the groups still to be bound.
 */
struct vfe_group {
	int group;
	int n;               /* members, or a negative errno when they could not be read */
	struct vfe_dev **m;  /* filled */
};

struct vfe_host_answer {
	const struct vfe_dev *dev;
	enum vfe_host_verdict verdict;
	char driver[VFE_DRIVER_MAX];  /* which one, when claimed */
};

struct vfe_facts {
	struct vfe_group *groups;
	size_t n_groups;
	struct vfe_host_answer *hosts;
	size_t n_hosts;
};

/* Fills every target's device, and reads the members of the groups that group=whole targets bring. */
int vfe_facts_devices(struct vfe_facts *f, const struct vfe_pci *pci, const struct vfe_plan *p);

/*
 * Reads the members of every group holding a target still to be bound, and
 * asks ops (may be NULL: no host driver is known) about each driverless
 * member left behind that is not a PCI-to-PCI bridge.
 */
int vfe_facts_groups(struct vfe_facts *f, const struct vfe_pci *pci, const struct vfe_plan *p,
		     const struct vfe_plan_ops *ops);

/* NULL when the group was not read. */
static inline const struct vfe_group *vfe_facts_group(const struct vfe_facts *f, int group)
{
	for (size_t i = 0; i < f->n_groups; i++)
		if (f->groups[i].group == group)
			return &f->groups[i];
	return NULL;
}

/* NULL when nobody asked about d. */
static inline const struct vfe_host_answer *vfe_facts_host(const struct vfe_facts *f, const struct vfe_dev *d)
{
	for (size_t i = 0; i < f->n_hosts; i++)
		if (f->hosts[i].dev == d)
			return &f->hosts[i];
	return NULL;
}

void vfe_facts_free(struct vfe_facts *f);
