/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/macro.h"
#include "early/config.h"
#include "early/pci.h"

/*
 * What the status record says became of a device. The plan decides the
 * first three (vfe_plan_build); binding (early/bind.h, early/worker.h) turns
 * a "bind" into one of the last four, in its own result.
 */
enum vfe_action {
	VFE_ACT_BIND,    /* passes every guard: to be bound to vfio-pci */
	VFE_ACT_REFUSE,  /* matched, but a guard refuses it */
	VFE_ACT_SKIP,    /* an entry that matches no device, or a device that is not the card configured */
	/* set by binding */
	VFE_ACT_BOUND,   /* bound to vfio-pci now */
	VFE_ACT_ALREADY, /* was on vfio-pci before the binder ran */
	VFE_ACT_FAILED,  /* the bind was tried and did not take, or was not tried */
	VFE_ACT_TIMEOUT, /* still in the kernel when the binder stopped waiting */
};

/* One decision: a device (or, for an entry that matched nothing, none) and why. */
struct vfe_target {
	const struct vfe_dev *dev;     /* NULL: the entry matched no device */
	const struct vfe_entry *entry; /* the entry that asked for it */
	const struct vfe_dev *via;     /* set when taken as a member of via's IOMMU group */
	enum vfe_action action;        /* bind, refused or skipped */
	char driver_before[VFE_DRIVER_MAX];
	char reason[320];
};

/* Would a host driver claim a function that has none yet? */
enum vfe_host_verdict {
	VFE_HOST_NONE,    /* no driver of the installed kernel matches it */
	VFE_HOST_CLAIMED, /* one does: its module's name comes with the answer */
	VFE_HOST_UNKNOWN, /* the installed kernel's drivers are not known here */
};

struct vfe_protected;

/*
 * What the guards need from outside the scan, for the binder, add and
 * check alike (tests give their own):
 * - would a host driver claim this function, which has none yet?
 *   early/host-driver.h answers it from the installed kernel's module
 *   indexes; NULL (or no ops at all) answers "not known".
 * - which functions are on the path to the running system (its root, /usr,
 *   /boot, swap, ...)? early/protect.h; NULL: not known.
 */
struct vfe_plan_ops {
	enum vfe_host_verdict (*host_driver_for)(void *userdata, const struct vfe_dev *d, char *driver, size_t n);
	void *userdata;
	const struct vfe_protected *protected;
};

struct vfe_plan {
	struct vfe_target *t;
	size_t n;
};

/*
 * Resolves the entries against the scanned devices and applies the guards:
 * no IOMMU, bridges, the path to the running system, storage controllers,
 * the boot VGA and the host's last display, pinned groups that changed, and
 * IOMMU groups that would not be viable for a VM. In order: match
 * (early/match.h), gather the facts the guards decide from (early/facts.h:
 * all the I/O), guard (early/guard.h: no I/O).
 */
int vfe_plan_build(const struct vfe_pci *pci, const struct vfe_entry *entries, size_t n_entries, bool iommu_on,
		   const struct vfe_plan_ops *ops, struct vfe_plan *ret);
void vfe_plan_free(struct vfe_plan *p);

/* A new target for d (may be NULL) asked by e, to be bound; NULL when out of memory. Moves p->t. */
struct vfe_target *vfe_plan_push(struct vfe_plan *p, const struct vfe_dev *d, const struct vfe_entry *e);
/* The target of device d, NULL when the plan has none. */
struct vfe_target *vfe_plan_find(const struct vfe_plan *p, const struct vfe_dev *d);
/* Will d be bound (a target decided "bind")? */
bool vfe_plan_binds(const struct vfe_plan *p, const struct vfe_dev *d);
/* Decides t: the action and its reason. */
void vfe_target_decide(struct vfe_target *t, enum vfe_action a, const char *fmt, ...) _printf_(3, 4);

const char *vfe_action_name(enum vfe_action a);
int vfe_action_from_name(const char *s, enum vfe_action *ret);
