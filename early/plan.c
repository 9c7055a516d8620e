// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "early/plan.h"

static const char *const action_names[] = {
	[VFE_ACT_BIND] = "bind",       [VFE_ACT_REFUSE] = "refused", [VFE_ACT_SKIP] = "skipped",
	[VFE_ACT_BOUND] = "bound",     [VFE_ACT_ALREADY] = "already-bound", [VFE_ACT_FAILED] = "failed",
};

const char *vfe_action_name(enum vfe_action a)
{
	return (size_t)a < ELEMENTSOF(action_names) ? action_names[a] : "unknown";
}

int vfe_action_from_name(const char *s, enum vfe_action *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
		if (streq(s, action_names[i]))
			return *ret = (enum vfe_action)i, 0;
	return -EINVAL;
}

static _printf_(3, 4) void set_reason(struct vfe_target *t, enum vfe_action a, const char *fmt, ...)
{
	va_list ap;

	t->action = a;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
}

static struct vfe_target *push(struct vfe_plan *p, const struct vfe_dev *d, const struct vfe_entry *e)
{
	struct vfe_target *n = realloc(p->t, (p->n + 1) * sizeof(*n));

	if (!n)
		return NULL;
	p->t = n;
	n = &p->t[p->n++];
	*n = (struct vfe_target){ .dev = d, .entry = e, .action = VFE_ACT_BIND };
	if (d)
		snprintf(n->driver_before, sizeof(n->driver_before), "%s", d->driver);
	return n;
}

static struct vfe_target *find_target(const struct vfe_plan *p, const struct vfe_dev *d)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].dev == d)
			return &p->t[i];
	return NULL;
}

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
static int resolve_addr(struct vfe_plan *p, const struct vfe_pci *pci, const struct vfe_entry *e)
{
	struct vfe_dev *d = vfe_pci_find(pci, &e->addr);
	char a[VFE_ADDR_STRLEN], want[VFE_ID_STRLEN], have[VFE_ID_STRLEN];
	struct vfe_target *t;

	vfe_format_pci_addr(&e->addr, a);
	if (d)
		vfe_pci_fill(pci, d);
	if (d && find_target(p, d))
		return 0; /* listed twice: the first entry decides */
	t = push(p, d, e);
	if (!t)
		return -ENOMEM;
	if (!d)
		set_reason(t, VFE_ACT_SKIP, "no PCI device at %s (card removed or moved?)", a);
	else if (!id_matches(e, d)) {
		vfe_format_pci_id(&e->id, want);
		vfe_format_pci_id(&d->id, have);
		set_reason(t, VFE_ACT_SKIP, "%s is now %s, the config says %s%s (card swapped or moved?); not bound",
			   a, have, e->has_id ? want : "another subsystem", e->has_subsys ? " with its subsystem id" : "");
	} else
		snprintf(t->reason, sizeof(t->reason), "listed by address%s", e->has_id ? " and id" : "");
	return 0;
}

static int resolve_id(struct vfe_plan *p, const struct vfe_pci *pci, const struct vfe_entry *e)
{
	char want[VFE_ID_STRLEN];
	bool any = false;

	for (size_t i = 0; i < pci->n; i++) {
		struct vfe_dev *d = &pci->devs[i];
		struct vfe_target *t;
		if (!id_matches(e, d))
			continue;
		any = true;
		vfe_pci_fill(pci, d);
		if (find_target(p, d))
			continue;
		t = push(p, d, e);
		if (!t)
			return -ENOMEM;
		snprintf(t->reason, sizeof(t->reason), "listed by id");
	}
	if (!any) {
		struct vfe_target *t = push(p, NULL, e);
		if (!t)
			return -ENOMEM;
		vfe_format_pci_id(&e->id, want);
		set_reason(t, VFE_ACT_SKIP, "no PCI device with id %s%s", want,
			   e->has_subsys ? " and that subsystem id" : "");
	}
	return 0;
}

/*
 * The members of the IOMMU groups looked at, each group's directory read
 * once per boot: group=whole and the viability guard both need them.
 */
struct groups {
	struct {
		int group, n;
		struct vfe_dev **m;
	} *v;
	size_t n;
};

static int members(struct groups *g, const struct vfe_pci *pci, int group, struct vfe_dev ***ret)
{
	struct vfe_dev **m = NULL;
	void *nv;
	int n;

	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].group == group)
			return *ret = g->v[i].m, g->v[i].n;
	n = vfe_pci_group_members(pci, group, &m);
	if (n < 0)
		return n;
	nv = realloc(g->v, (g->n + 1) * sizeof(*g->v));
	if (!nv) {
		free(m);
		return -ENOMEM;
	}
	g->v = nv;
	g->v[g->n].group = group;
	g->v[g->n].n = n;
	g->v[g->n++].m = m;
	*ret = m;
	return n;
}

static void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].m);
	free(g->v);
}

/* group=whole: every other endpoint of the group comes along. */
static int add_members_of(struct vfe_plan *p, const struct vfe_pci *pci, size_t i, struct groups *g)
{
	const struct vfe_dev *via = p->t[i].dev;
	struct vfe_dev **m = NULL;
	int n = members(g, pci, via->group, &m);

	for (int j = 0; j < n; j++) {
		struct vfe_target *t;
		if (vfe_dev_is_bridge(m[j]) || find_target(p, m[j]))
			continue;
		t = push(p, m[j], p->t[i].entry); /* may move p->t: index, don't hold */
		if (!t) {
			n = -ENOMEM;
			break;
		}
		t->via = via;
		snprintf(t->reason, sizeof(t->reason), "in the IOMMU group of %s (group=whole)", via->name);
	}
	return n < 0 ? n : 0;
}

static int add_group_members(struct vfe_plan *p, const struct vfe_pci *pci, struct groups *g)
{
	size_t n = p->n;

	for (size_t i = 0; i < n; i++) {
		const struct vfe_target *t = &p->t[i];
		if (!t->dev || t->action != VFE_ACT_BIND || t->entry->group != VFE_GROUP_WHOLE || t->dev->group < 0)
			continue;
		int k = add_members_of(p, pci, i, g);
		if (k < 0)
			return k;
	}
	return 0;
}

/* The per-device guards. */
static void guard_device(struct vfe_target *t, bool iommu_on)
{
	const struct vfe_dev *d = t->dev;

	if (t->action != VFE_ACT_BIND)
		return;
	if (!iommu_on)
		set_reason(t, VFE_ACT_REFUSE, "no active IOMMU (enable VT-d/AMD-Vi in the firmware and add "
			   "intel_iommu=on or amd_iommu=on to the kernel command line)");
	else if (vfe_dev_is_bridge(d))
		set_reason(t, VFE_ACT_REFUSE, "a PCI bridge (class %04x) is never bound", d->class);
	else if (d->group < 0)
		set_reason(t, VFE_ACT_REFUSE, "not in any IOMMU group");
	else if (vfe_dev_is_storage(d) && !t->entry->allow_storage)
		set_reason(t, VFE_ACT_REFUSE, "a storage controller (class %04x): add allow-storage to its entry "
			   "if it holds none of the host's disks", d->class);
	else if (d->boot_vga && !t->entry->allow_boot_vga)
		set_reason(t, VFE_ACT_REFUSE, "the boot VGA, the host's display: add allow-boot-vga to its entry "
			   "to pass it through anyway");
}

static bool will_bind(const struct vfe_plan *p, const struct vfe_dev *d)
{
	const struct vfe_target *t = find_target(p, d);

	return t && t->action == VFE_ACT_BIND;
}

static bool holds_no_host_driver(const struct vfe_dev *d, const struct vfe_plan_ops *ops, char *drv, size_t n)
{
	if (d->driver[0]) {
		snprintf(drv, n, "%s", d->driver);
		return streq(d->driver, "vfio-pci") || streq(d->driver, "pci-stub");
	}
	return !(ops && ops->host_driver_for && ops->host_driver_for(ops->userdata, d, drv, n));
}

/* A group is viable when every endpoint in it is bound by us, or has and gets no host driver. */
static void guard_group(struct vfe_plan *p, const struct vfe_pci *pci, int group, const struct vfe_plan_ops *ops,
			struct groups *g)
{
	const struct vfe_dev *blocker = NULL;
	char drv[VFE_DRIVER_MAX] = "";
	struct vfe_dev **m = NULL;
	int n = members(g, pci, group, &m);

	for (int j = 0; j < n && !blocker; j++) {
		if (vfe_dev_is_bridge(m[j]) || will_bind(p, m[j]))
			continue;
		if (!holds_no_host_driver(m[j], ops, drv, sizeof(drv)))
			blocker = m[j];
	}
	if (n < 0)
		snprintf(drv, sizeof(drv), "?");
	if (!blocker && n >= 0)
		return;
	const char *why = !blocker ? "" : find_target(p, blocker) ? "is not bound (see its own line)" : "is not listed";
	for (size_t i = 0; i < p->n; i++) {
		struct vfe_target *t = &p->t[i];
		if (t->action != VFE_ACT_BIND || t->dev->group != group)
			continue;
		if (!blocker)
			set_reason(t, VFE_ACT_REFUSE, "the members of IOMMU group %d cannot be read", group);
		else
			set_reason(t, VFE_ACT_REFUSE, "IOMMU group %d would be left half-bound: %s (%04x:%04x) "
				   "%s and %s %s; list it too or use group=whole", group, blocker->name,
				   blocker->id.vendor, blocker->id.device, why,
				   blocker->driver[0] ? "is bound to" : "would get", drv);
	}
}

static void guard_groups(struct vfe_plan *p, const struct vfe_pci *pci, const struct vfe_plan_ops *ops,
			 struct groups *g)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct vfe_target *t = &p->t[i];
		bool seen = false;
		if (t->action != VFE_ACT_BIND)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = p->t[k].dev && p->t[k].dev->group == t->dev->group && p->t[k].action == VFE_ACT_BIND;
		if (!seen)
			guard_group(p, pci, t->dev->group, ops, g);
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
		if (vfe_dev_is_display(&pci->devs[j]) && !will_bind(p, &pci->devs[j]))
			return;
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].action == VFE_ACT_BIND && vfe_dev_is_display(p->t[i].dev) && p->t[i].entry->allow_boot_vga)
			return;
	for (size_t i = 0; i < p->n; i++) {
		struct vfe_target *t = &p->t[i];
		if (t->action == VFE_ACT_BIND && vfe_dev_is_display(t->dev))
			set_reason(t, VFE_ACT_REFUSE, "the host's last display device: add allow-boot-vga to its "
				   "entry to leave the host headless");
	}
}

int vfe_plan_build(const struct vfe_pci *pci, const struct vfe_entry *entries, size_t n_entries, bool iommu_on,
		   const struct vfe_plan_ops *ops, struct vfe_plan *ret)
{
	struct vfe_plan p = { 0 };
	struct groups g = { 0 };
	int k = 0;

	for (size_t i = 0; k >= 0 && i < n_entries; i++)
		k = entries[i].has_addr ? resolve_addr(&p, pci, &entries[i]) : resolve_id(&p, pci, &entries[i]);
	if (k >= 0)
		k = add_group_members(&p, pci, &g);
	if (k < 0) {
		groups_free(&g);
		vfe_plan_free(&p);
		return k;
	}
	for (size_t i = 0; i < p.n; i++)
		guard_device(&p.t[i], iommu_on);
	guard_last_display(&p, pci);
	guard_groups(&p, pci, ops, &g);
	groups_free(&g);
	*ret = p;
	return 0;
}

void vfe_plan_free(struct vfe_plan *p)
{
	free(p->t);
	*p = (struct vfe_plan){ 0 };
}
