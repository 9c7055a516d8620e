// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "early/facts.h"
#include "early/guard.h"
#include "early/match.h"

/* Each group's directory is read once per boot: group=whole and the group guard both need it. */
static int read_group(struct vfe_facts *f, const struct vfe_pci *pci, int group)
{
	struct vfe_dev **m = NULL;
	struct vfe_group *nv;
	int n;

	if (vfe_facts_group(f, group))
		return 0;
	nv = realloc(f->groups, (f->n_groups + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	f->groups = nv;
	n = vfe_pci_group_members(pci, group, &m);
	f->groups[f->n_groups++] = (struct vfe_group){ group, n, n < 0 ? NULL : m };
	return 0;
}

int vfe_facts_devices(struct vfe_facts *f, const struct vfe_pci *pci, const struct vfe_plan *p)
{
	int k = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].dev) /* the scan owns its devices: fill through it */
			vfe_pci_fill(pci, &pci->devs[p->t[i].dev - pci->devs]);
	for (size_t i = 0; k >= 0 && i < p->n; i++)
		if (vfe_match_takes_group(&p->t[i]))
			k = read_group(f, pci, p->t[i].dev->group);
	return k;
}

static int ask_host(struct vfe_facts *f, const struct vfe_dev *d, const struct vfe_plan_ops *ops)
{
	struct vfe_host_answer *nv, *a;

	if (vfe_facts_host(f, d))
		return 0;
	nv = realloc(f->hosts, (f->n_hosts + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	f->hosts = nv;
	a = &f->hosts[f->n_hosts++];
	*a = (struct vfe_host_answer){ .dev = d, .verdict = VFE_HOST_UNKNOWN };
	if (ops && ops->host_driver_for)
		a->verdict = ops->host_driver_for(ops->userdata, d, a->driver, sizeof(a->driver));
	return 0;
}

/*
 * Asks about the members of one group the group guard will look at: those
 * left behind, in order, up to the first that blocks the group (the guard
 * stops there too).
 */
static int ask_about_group(struct vfe_facts *f, const struct vfe_group *g, const struct vfe_plan *p,
			   const struct vfe_plan_ops *ops)
{
	char why[VFE_BLOCK_WHY_MAX];

	for (int j = 0; j < g->n; j++) {
		const struct vfe_dev *d = g->m[j];
		if (!vfe_guard_left_behind(p, d))
			continue;
		if (!d->driver[0] && !vfe_dev_is_pci_bridge(d) && ask_host(f, d, ops) < 0)
			return -ENOMEM;
		if (vfe_guard_blocks(d, vfe_facts_host(f, d), why, sizeof(why)))
			break;
	}
	return 0;
}

int vfe_facts_groups(struct vfe_facts *f, const struct vfe_pci *pci, const struct vfe_plan *p,
		     const struct vfe_plan_ops *ops)
{
	int k = 0;

	for (size_t i = 0; k >= 0 && i < p->n; i++) {
		const struct vfe_target *t = &p->t[i];
		if (t->action != VFE_ACT_BIND)
			continue;
		k = read_group(f, pci, t->dev->group);
		if (k >= 0 && vfe_facts_group(f, t->dev->group)->n >= 0)
			k = ask_about_group(f, vfe_facts_group(f, t->dev->group), p, ops);
	}
	return k;
}

void vfe_facts_free(struct vfe_facts *f)
{
	for (size_t i = 0; i < f->n_groups; i++)
		free(f->groups[i].m);
	free(f->groups);
	free(f->hosts);
	*f = (struct vfe_facts){ 0 };
}
