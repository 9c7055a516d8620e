// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "early/guard.h"

enum vfe_guard vfe_guard_device(const struct vfe_dev *d, const struct vfe_entry *e, enum vfe_iommu_state iommu)
{
	if (iommu == VFE_IOMMU_OFF)
		return VFE_GUARD_NO_IOMMU;
	if (vfe_dev_is_bridge(d))
		return VFE_GUARD_BRIDGE;
	if (iommu == VFE_IOMMU_ON && d->group < 0)
		return VFE_GUARD_NO_GROUP;
	if (vfe_dev_is_storage(d) && !e->allow_storage)
		return VFE_GUARD_STORAGE;
	if (d->boot_vga && !e->allow_boot_vga)
		return VFE_GUARD_BOOT_VGA;
	return VFE_GUARD_PASS;
}

/* The binder's words for a refusal: they go to the kernel log and the status record. */
static void refuse_device(struct vfe_target *t, enum vfe_guard g)
{
	const struct vfe_dev *d = t->dev;

	switch (g) {
	case VFE_GUARD_NO_IOMMU:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "no active IOMMU (enable VT-d/AMD-Vi in the firmware and add "
					 "intel_iommu=on or amd_iommu=on to the kernel command line)");
	case VFE_GUARD_BRIDGE:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "a PCI bridge (class %04x) is never bound", d->class);
	case VFE_GUARD_NO_GROUP:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "not in any IOMMU group");
	case VFE_GUARD_STORAGE:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "a storage controller (class %04x): add allow-storage to its "
					 "entry if it holds none of the host's disks", d->class);
	case VFE_GUARD_BOOT_VGA:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "the boot VGA, the host's display: add allow-boot-vga to its "
					 "entry to pass it through anyway");
	case VFE_GUARD_PASS:
		break;
	}
}

/*
 * Never take every display device of the host, unless the user accepted a
 * headless host on one of them (allow-boot-vga). Matters where no function
 * reports boot_vga (some UEFI machines), since the boot VGA guard catches
 * the rest.
 */
static void guard_last_display(struct vfe_plan *p, const struct vfe_pci *pci)
{
	for (size_t j = 0; j < pci->n; j++)
		if (vfe_dev_is_display(&pci->devs[j]) && !vfe_plan_binds(p, &pci->devs[j]))
			return;
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].action == VFE_ACT_BIND && vfe_dev_is_display(p->t[i].dev) && p->t[i].entry->allow_boot_vga)
			return;
	for (size_t i = 0; i < p->n; i++) {
		struct vfe_target *t = &p->t[i];
		if (t->action == VFE_ACT_BIND && vfe_dev_is_display(t->dev))
			vfe_target_decide(t, VFE_ACT_REFUSE, "the host's last display device: add allow-boot-vga to its "
					  "entry to leave the host headless");
	}
}

void vfe_guard_devices(struct vfe_plan *p, const struct vfe_pci *pci, bool iommu_on)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].action == VFE_ACT_BIND)
			refuse_device(&p->t[i], vfe_guard_device(p->t[i].dev, p->t[i].entry,
								 iommu_on ? VFE_IOMMU_ON : VFE_IOMMU_OFF));
	guard_last_display(p, pci);
}

bool vfe_guard_left_behind(const struct vfe_plan *p, const struct vfe_dev *d)
{
	return !vfe_dev_is_bridge(d) && !vfe_plan_binds(p, d);
}

bool vfe_guard_blocks(const struct vfe_dev *d, const struct vfe_host_answer *a, char *drv, size_t n)
{
	if (d->driver[0]) {
		snprintf(drv, n, "%s", d->driver);
		return !streq(d->driver, "vfio-pci") && !streq(d->driver, "pci-stub");
	}
	if (!a || !a->claimed)
		return false;
	snprintf(drv, n, "%s", a->driver);
	return true;
}

/* The first member of g that blocks it, NULL when none does. */
static const struct vfe_dev *blocker_of(const struct vfe_plan *p, const struct vfe_group *g,
					const struct vfe_facts *f, char *drv, size_t n)
{
	for (int j = 0; j < g->n; j++)
		if (vfe_guard_left_behind(p, g->m[j]) && vfe_guard_blocks(g->m[j], vfe_facts_host(f, g->m[j]), drv, n))
			return g->m[j];
	return NULL;
}

static void guard_group(struct vfe_plan *p, const struct vfe_group *g, const struct vfe_facts *f)
{
	char drv[VFE_DRIVER_MAX] = "";
	const struct vfe_dev *b = g->n < 0 ? NULL : blocker_of(p, g, f, drv, sizeof(drv));
	const char *why;

	if (g->n >= 0 && !b)
		return;
	why = !b ? "" : vfe_plan_find(p, b) ? "is not bound (see its own line)" : "is not listed";
	for (size_t i = 0; i < p->n; i++) {
		struct vfe_target *t = &p->t[i];
		if (t->action != VFE_ACT_BIND || t->dev->group != g->group)
			continue;
		if (!b)
			vfe_target_decide(t, VFE_ACT_REFUSE, "the members of IOMMU group %d cannot be read", g->group);
		else
			vfe_target_decide(t, VFE_ACT_REFUSE, "IOMMU group %d would be left half-bound: %s (%04x:%04x) "
					  "%s and %s %s; list it too or use group=whole", g->group, b->name,
					  b->id.vendor, b->id.device, why, b->driver[0] ? "is bound to" : "would get", drv);
	}
}

void vfe_guard_groups(struct vfe_plan *p, const struct vfe_facts *f)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct vfe_target *t = &p->t[i];
		const struct vfe_group *g;
		bool seen = false;
		if (t->action != VFE_ACT_BIND)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = p->t[k].dev && p->t[k].dev->group == t->dev->group && p->t[k].action == VFE_ACT_BIND;
		if (seen)
			continue;
		/* a group nobody read is a group nobody checked: refused, never bound blind */
		g = vfe_facts_group(f, t->dev->group);
		guard_group(p, g ? g : &(const struct vfe_group){ t->dev->group, -ENODATA, NULL }, f);
	}
}
