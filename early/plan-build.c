// SPDX-License-Identifier: GPL-2.0-or-later
/* Building the plan: match, gather facts, guard (see plan.h). */
#include <stdio.h>

#include "early/facts.h"
#include "early/guard.h"
#include "early/match.h"
#include "early/plan.h"

/* The driver each device had when the facts were read: what the record calls "before" unless binding reads it anew. */
static void note_drivers(struct vfe_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].dev)
			snprintf(p->t[i].driver_before, sizeof(p->t[i].driver_before), "%s", p->t[i].dev->driver);
}

int vfe_plan_build(const struct vfe_pci *pci, const struct vfe_entry *entries, size_t n_entries, bool iommu_on,
		   const struct vfe_plan_ops *ops, struct vfe_plan *ret)
{
	struct vfe_plan p = { 0 };
	struct vfe_facts f = { 0 };
	int k;

	k = vfe_match_entries(&p, pci, entries, n_entries);
	if (k >= 0)
		k = vfe_facts_devices(&f, pci, &p);
	if (k >= 0)
		k = vfe_match_groups(&p, &f);
	if (k >= 0) {
		note_drivers(&p);
		vfe_guard_devices(&p, pci, iommu_on, ops ? ops->protected : NULL);
		vfe_guard_pinned(&p, &f);
		/* the group guard's facts: asked only about what the device guards left to decide */
		k = vfe_facts_groups(&f, pci, &p, ops);
	}
	if (k >= 0)
		vfe_guard_groups(&p, &f);
	vfe_facts_free(&f);
	if (k < 0) {
		vfe_plan_free(&p);
		return k;
	}
	*ret = p;
	return 0;
}
