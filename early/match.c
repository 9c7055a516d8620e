// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "early/match.h"

static bool id_matches(const struct vfe_entry *e, const struct vfe_dev *d)
{
	if (e->has_id && (e->id.vendor != d->id.vendor || e->id.device != d->id.device))
		return false;
	if (e->has_subsys && (!d->has_subsys || e->subsys.vendor != d->subsys.vendor ||
			      e->subsys.device != d->subsys.device))
		return false;
	return true;
}

/* An entry with an address: that one device, and only if it is still the card configured. */
static int match_addr(struct vfe_plan *p, const struct vfe_pci *pci, const struct vfe_entry *e)
{
	struct vfe_dev *d = vfe_pci_find(pci, &e->addr);
	char a[VFE_ADDR_STRLEN], want[VFE_ID_STRLEN], have[VFE_ID_STRLEN];
	struct vfe_target *t;

	vfe_format_pci_addr(&e->addr, a);
	if (d && vfe_plan_find(p, d))
		return 0; /* listed twice: the first entry decides */
	t = vfe_plan_push(p, d, e);
	if (!t)
		return -ENOMEM;
	if (!d)
		vfe_target_decide(t, VFE_ACT_SKIP, "no PCI device at %s (card removed or moved?)", a);
	else if (!id_matches(e, d)) {
		vfe_format_pci_id(&e->id, want);
		vfe_format_pci_id(&d->id, have);
		vfe_target_decide(t, VFE_ACT_SKIP, "%s is now %s, the config says %s%s (card swapped or moved?); not bound",
				  a, have, e->has_id ? want : "another subsystem", e->has_subsys ? " with its subsystem id" : "");
	} else
		snprintf(t->reason, sizeof(t->reason), "listed by address%s", e->has_id ? " and id" : "");
	return 0;
}

static int match_id(struct vfe_plan *p, const struct vfe_pci *pci, const struct vfe_entry *e)
{
	char want[VFE_ID_STRLEN];
	bool any = false;

	for (size_t i = 0; i < pci->n; i++) {
		struct vfe_dev *d = &pci->devs[i];
		struct vfe_target *t;
		if (!id_matches(e, d))
			continue;
		any = true;
		if (vfe_plan_find(p, d))
			continue;
		t = vfe_plan_push(p, d, e);
		if (!t)
			return -ENOMEM;
		snprintf(t->reason, sizeof(t->reason), "listed by id");
	}
	if (!any) {
		struct vfe_target *t = vfe_plan_push(p, NULL, e);
		if (!t)
			return -ENOMEM;
		vfe_format_pci_id(&e->id, want);
		vfe_target_decide(t, VFE_ACT_SKIP, "no PCI device with id %s%s", want,
				  e->has_subsys ? " and that subsystem id" : "");
	}
	return 0;
}

int vfe_match_entries(struct vfe_plan *p, const struct vfe_pci *pci, const struct vfe_entry *entries, size_t n)
{
	int k = 0;

	for (size_t i = 0; k >= 0 && i < n; i++)
		k = entries[i].has_addr ? match_addr(p, pci, &entries[i]) : match_id(p, pci, &entries[i]);
	return k;
}

/* The members of target i's group come along, taken "via" it. */
static int add_members_of(struct vfe_plan *p, size_t i, const struct vfe_facts *f)
{
	const struct vfe_dev *via = p->t[i].dev;
	const struct vfe_group *g = vfe_facts_group(f, via->group);

	if (!g)
		return -EINVAL; /* vfe_facts_devices() reads every such group */
	if (g->n < 0)
		return g->n;
	for (int j = 0; j < g->n; j++) {
		struct vfe_target *t;
		if (vfe_dev_is_bridge(g->m[j]) || vfe_plan_find(p, g->m[j]))
			continue;
		t = vfe_plan_push(p, g->m[j], p->t[i].entry); /* moves p->t: index, don't hold */
		if (!t)
			return -ENOMEM;
		t->via = via;
		snprintf(t->reason, sizeof(t->reason), "in the IOMMU group of %s (group=whole)", via->name);
	}
	return 0;
}

bool vfe_match_takes_group(const struct vfe_target *t)
{
	return t->dev && t->action == VFE_ACT_BIND && t->entry->group == VFE_GROUP_WHOLE && t->dev->group >= 0;
}

int vfe_match_groups(struct vfe_plan *p, const struct vfe_facts *f)
{
	size_t n = p->n;
	int k = 0;

	for (size_t i = 0; k >= 0 && i < n; i++)
		if (vfe_match_takes_group(&p->t[i]))
			k = add_members_of(p, i, f);
	return k;
}
