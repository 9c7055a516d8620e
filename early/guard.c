// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "early/guard.h"

enum vfe_guard vfe_guard_device(const struct vfe_dev *d, const struct vfe_entry *e, enum vfe_iommu_state iommu,
				const struct vfe_protected *prot)
{
	if (iommu == VFE_IOMMU_OFF)
		return VFE_GUARD_NO_IOMMU;
	if (vfe_dev_is_bridge(d))
		return VFE_GUARD_BRIDGE;
	if (iommu == VFE_IOMMU_ON && d->group < 0)
		return VFE_GUARD_NO_GROUP;
	if (vfe_protected_find(prot, &d->addr))
		return VFE_GUARD_PROTECTED;
	if (vfe_dev_is_storage(d) && !e->allow_storage)
		return VFE_GUARD_STORAGE;
	if (d->boot_vga && !e->allow_boot_vga)
		return VFE_GUARD_BOOT_VGA;
	return VFE_GUARD_PASS;
}

/* The binder's words for a refusal: they go to the kernel log and the status record. */
static void refuse_device(struct vfe_target *t, enum vfe_guard g, const struct vfe_protected *prot)
{
	const struct vfe_dev *d = t->dev;

	switch (g) {
	case VFE_GUARD_NO_IOMMU:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "no active IOMMU (turn on VT-d or AMD-Vi/IOMMU in the "
					 "firmware setup; Intel also needs intel_iommu=on on the kernel command line)");
	case VFE_GUARD_BRIDGE:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "a PCI bridge (class %04x) is never bound", d->class);
	case VFE_GUARD_NO_GROUP:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "not in any IOMMU group");
	case VFE_GUARD_PROTECTED:
		return vfe_target_decide(t, VFE_ACT_REFUSE, "on the path to the host's running system: %s; never "
					 "passed through, allow-storage or not", vfe_protected_find(prot, &d->addr)->what);
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

void vfe_guard_devices(struct vfe_plan *p, const struct vfe_pci *pci, bool iommu_on, const struct vfe_protected *prot)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].action == VFE_ACT_BIND)
			refuse_device(&p->t[i],
				      vfe_guard_device(p->t[i].dev, p->t[i].entry, iommu_on ? VFE_IOMMU_ON : VFE_IOMMU_OFF, prot),
				      prot);
	guard_last_display(p, pci);
}

/* The first member of g that add --group did not record as it is now, NULL when none; what changed goes to why. */
static const struct vfe_dev *unrecorded_member(const struct vfe_entry *e, const struct vfe_group *g, char *why,
					       size_t n)
{
	char want[VFE_ID_STRLEN];

	for (int j = 0; j < g->n; j++) {
		const struct vfe_dev *m = g->m[j];
		const struct vfe_member *r = vfe_entry_member(e, &m->addr);
		if (!r) {
			snprintf(why, n, "%s (%04x:%04x) was not in it when the entry was added", m->name, m->id.vendor,
				 m->id.device);
			return m;
		}
		if (r->id.vendor != m->id.vendor || r->id.device != m->id.device) {
			vfe_format_pci_id(&r->id, want);
			snprintf(why, n, "%s is now %04x:%04x, recorded as %s", m->name, m->id.vendor, m->id.device, want);
			return m;
		}
	}
	return NULL;
}

void vfe_guard_pinned(struct vfe_plan *p, const struct vfe_facts *f)
{
	char why[160];

	for (size_t i = 0; i < p->n; i++) {
		const struct vfe_target *t = &p->t[i];
		const struct vfe_group *g;
		if (t->via || !t->dev || t->action != VFE_ACT_BIND || t->entry->group != VFE_GROUP_WHOLE ||
		    !t->entry->n_members || t->dev->group < 0)
			continue;
		g = vfe_facts_group(f, t->dev->group);
		if (!g || g->n < 0 || !unrecorded_member(t->entry, g, why, sizeof(why)))
			continue; /* a group that cannot be read: the group guard refuses it */
		for (size_t k = 0; k < p->n; k++) {
			struct vfe_target *u = &p->t[k];
			if (u->action == VFE_ACT_BIND && (u == t || u->via == t->dev))
				vfe_target_decide(u, VFE_ACT_REFUSE, "IOMMU group %d changed since 'vfio-early add --group' "
						  "recorded it: %s; nothing in it is bound (check 'vfio-early list', then "
						  "run 'vfio-early add --group %s' again)", g->group, why, t->dev->name);
		}
	}
}

bool vfe_guard_left_behind(const struct vfe_plan *p, const struct vfe_dev *d)
{
	return !vfe_plan_binds(p, d);
}

bool vfe_guard_driver_viable(const char *driver)
{
	return streq(driver, "vfio-pci") || streq(driver, "pci-stub") || streq(driver, "pcieport");
}

bool vfe_guard_blocks(const struct vfe_dev *d, const struct vfe_host_answer *a, char *why, size_t n)
{
	if (d->driver[0]) {
		snprintf(why, n, "is bound to %s", d->driver);
		return !vfe_guard_driver_viable(d->driver);
	}
	if (vfe_dev_is_pci_bridge(d))
		return false; /* pcieport and shpchp are built in: they had their chance */
	switch (a ? a->verdict : VFE_HOST_UNKNOWN) {
	case VFE_HOST_NONE:
		return false;
	case VFE_HOST_CLAIMED:
		snprintf(why, n, "would get %s from the installed system", a->driver);
		return true;
	case VFE_HOST_UNKNOWN:
		break;
	}
	snprintf(why, n, "has no driver yet, and which one the installed system would give it is unknown");
	return true;
}

/* The first member of g that blocks it, NULL when none does. */
static const struct vfe_dev *blocker_of(const struct vfe_plan *p, const struct vfe_group *g,
					const struct vfe_facts *f, char *why, size_t n)
{
	for (int j = 0; j < g->n; j++)
		if (vfe_guard_left_behind(p, g->m[j]) && vfe_guard_blocks(g->m[j], vfe_facts_host(f, g->m[j]), why, n))
			return g->m[j];
	return NULL;
}

/* What to do about blocker b: its words after "; " in the refusal. */
static const char *remedy(const struct vfe_dev *b, const struct vfe_host_answer *a)
{
	if (vfe_dev_is_bridge(b))
		return "a bridge is never passed through, so neither is this group (try another slot)";
	if (!b->driver[0] && (!a || a->verdict == VFE_HOST_UNKNOWN))
		return "list it too, use group=whole, or rebuild the initramfs (it lacks the installed kernel's module index)";
	return "list it too or use group=whole";
}

static void guard_group(struct vfe_plan *p, const struct vfe_group *g, const struct vfe_facts *f)
{
	char why[VFE_BLOCK_WHY_MAX] = "";
	const struct vfe_dev *b = g->n < 0 ? NULL : blocker_of(p, g, f, why, sizeof(why));
	const char *who;

	if (g->n >= 0 && !b)
		return;
	who = !b ? "" : vfe_plan_find(p, b) ? "is not bound (see its own line)" : "is not listed";
	for (size_t i = 0; i < p->n; i++) {
		struct vfe_target *t = &p->t[i];
		if (t->action != VFE_ACT_BIND || t->dev->group != g->group)
			continue;
		if (!b)
			vfe_target_decide(t, VFE_ACT_REFUSE, "the members of IOMMU group %d cannot be read", g->group);
		else
			vfe_target_decide(t, VFE_ACT_REFUSE, "IOMMU group %d would be left half-bound: %s (%04x:%04x) "
					  "%s and %s; %s", g->group, b->name, b->id.vendor, b->id.device, who, why,
					  remedy(b, vfe_facts_host(f, b)));
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
