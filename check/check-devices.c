// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early check: each configured device is present and still the card
 * configured, not on the path to the running system, its IOMMU group
 * viable, the host keeps a display. The answers come from vfe_plan_build()
 * (a plan built as if the IOMMU were on), the same guards the binder
 * applies at boot, decided from the same facts of the installed system: the
 * installed kernel's module indexes (early/host-driver.h) and the devices
 * behind its file systems (check/system-paths.h).
 */
#include <stdio.h>

#include "check/check.h"
#include "check/system-paths.h"
#include "common/paths.h"
#include "early/guard.h"
#include "early/host-driver.h"
#include "early/protect.h"
#include "early/plan.h"
#include "early/status.h"

static const char *target_name(const struct vfe_target *t)
{
	return t->dev ? t->dev->name : t->entry->source;
}

/* The group the binder saw at boot, -2 when the record does not list the device. */
static int boot_group(const struct vfe_status *st, const char *bdf)
{
	for (size_t i = 0; st && i < st->n_devs; i++)
		if (streq(st->devs[i].bdf, bdf))
			return st->devs[i].group;
	return -2;
}

/* What 'vfio-early remove' takes to drop the entry: its address, or its id. */
static void entry_spec(const struct vfe_entry *e, char buf[VFE_ADDR_STRLEN])
{
	if (e->has_addr)
		vfe_format_pci_addr(&e->addr, buf);
	else
		vfe_format_pci_id(&e->id, buf);
}

/* Does another endpoint of d's group stay behind (not bound by the plan)? */
static bool group_left_behind(const struct check_env *env, const struct vfe_plan *p, const struct vfe_dev *d)
{
	for (size_t j = 0; d->group >= 0 && j < env->pci.n; j++) {
		const struct vfe_dev *m = &env->pci.devs[j];
		if (m != d && m->group == d->group && !vfe_dev_is_bridge(m) && vfe_guard_left_behind(p, m))
			return true;
	}
	return false;
}

/* A bridge of d's group that holds a driver the kernel minds (vfe_guard_blocks()): no entry can fix that. */
static const struct vfe_dev *blocking_bridge(const struct check_env *env, const struct vfe_dev *d)
{
	for (size_t j = 0; d->group >= 0 && j < env->pci.n; j++) {
		const struct vfe_dev *m = &env->pci.devs[j];
		if (m->group == d->group && vfe_dev_is_bridge(m) && m->driver[0] && !vfe_guard_driver_viable(m->driver))
			return m;
	}
	return NULL;
}

/* Has d's group a member that e, pinned by add --group, did not record as it is now? */
static bool group_changed(const struct check_env *env, const struct vfe_entry *e, const struct vfe_dev *d)
{
	for (size_t j = 0; e->n_members && d->group >= 0 && j < env->pci.n; j++) {
		const struct vfe_dev *m = &env->pci.devs[j];
		const struct vfe_member *r = m->group == d->group ? vfe_entry_member(e, &m->addr) : NULL;
		if (m->group == d->group && (!r || r->id.vendor != m->id.vendor || r->id.device != m->id.device))
			return true;
	}
	return false;
}

/* The exact command that settles a refusal, from the guard that refused (early/guard.h). */
static void refusal_fix(const struct check_env *env, const struct vfe_plan *p, const struct vfe_target *t,
			const struct vfe_protected *prot, char *fix, size_t n)
{
	const struct vfe_dev *d = t->dev, *named = t->via ? t->via : t->dev, *b;
	char spec[VFE_ADDR_STRLEN];

	entry_spec(t->entry, spec);
	switch (vfe_guard_device(d, t->entry, VFE_IOMMU_ON, prot)) {
	case VFE_GUARD_BRIDGE:
		snprintf(fix, n, "a bridge is never passed through: sudo vfio-early remove %s", spec);
		return;
	case VFE_GUARD_PROTECTED:
		snprintf(fix, n, "the host needs it to run: sudo vfio-early remove %s", spec);
		return;
	case VFE_GUARD_NO_IOMMU:
	case VFE_GUARD_NO_GROUP:
		snprintf(fix, n, "enable VT-d (Intel) or AMD-Vi/IOMMU in the firmware setup, run 'sudo vfio-early boot "
			 "install' and reboot");
		return;
	case VFE_GUARD_STORAGE:
		snprintf(fix, n, "if it holds none of the host's disks: sudo vfio-early add --allow-storage %s; "
			 "otherwise: sudo vfio-early remove %s", named->name, spec);
		return;
	case VFE_GUARD_BOOT_VGA:
		snprintf(fix, n, "to give the guest the host's display: sudo vfio-early boot install (the way back), "
			 "then sudo vfio-early add --allow-boot-vga %s; otherwise: sudo vfio-early remove %s", named->name, spec);
		return;
	case VFE_GUARD_PASS:
		break;
	}
	if (group_changed(env, t->entry, t->via ? t->via : d))
		snprintf(fix, n, "check 'vfio-early list'; if the group is right as it is now, record it anew: sudo "
			 "vfio-early add --group %s", named->name);
	else if ((b = blocking_bridge(env, d)))
		snprintf(fix, n, "%s, a bridge on %s, shares the group and is never passed through: try another slot, "
			 "or sudo vfio-early remove %s", b->name, b->driver, spec);
	else if (group_left_behind(env, p, d))
		snprintf(fix, n, "take the whole IOMMU group: sudo vfio-early add --group %s", named->name);
	else
		snprintf(fix, n, "keep another display for the host, or leave it headless: sudo vfio-early boot install "
			 "(the way back), then sudo vfio-early add --allow-boot-vga %s", named->name);
}

static void report_target(struct check_env *env, const struct vfe_plan *p, const struct vfe_target *t,
			  const struct vfe_protected *prot, const struct vfe_status *st)
{
	char id[sizeof(t->entry->source) + 8], title[sizeof(t->entry->source) + 8], fix[400], spec[VFE_ADDR_STRLEN];
	const struct vfe_dev *d = t->dev;
	int bg;

	snprintf(id, sizeof(id), "device:%s", target_name(t));
	snprintf(title, sizeof(title), "device %s", target_name(t));
	if (t->action == VFE_ACT_SKIP) {
		entry_spec(t->entry, spec);
		snprintf(fix, sizeof(fix), "if the card is gone: sudo vfio-early remove %s; if it moved: sudo vfio-early "
			 "remove %s, then sudo vfio-early add NEW-ADDRESS ('vfio-early list' shows it)", spec, spec);
		check_add(env->rep, id, title, CHECK_FAIL, fix, "%s: %s", t->entry->source, t->reason);
		return;
	}
	if (t->action == VFE_ACT_REFUSE) {
		refusal_fix(env, p, t, prot, fix, sizeof(fix));
		check_add(env->rep, id, title, CHECK_FAIL, fix, "%s: refused: %s", t->entry->source, t->reason);
		return;
	}
	bg = boot_group(st, d->name);
	if (!t->via && t->entry->group == VFE_GROUP_WHOLE && !t->entry->n_members) {
		snprintf(fix, sizeof(fix), "pin the group as it is now: sudo vfio-early add --group %s", d->name);
		check_add(env->rep, id, title, CHECK_WARN, fix,
			  "%s: group=whole without the members 'vfio-early add --group' records: a member that joins the "
			  "group later (another kernel, an ACS override, a firmware update) would be bound too",
			  t->entry->source);
	} else if (bg >= -1 && bg != d->group)
		check_add(env->rep, id, title, CHECK_WARN, "check 'vfio-early list': the machine's PCI layout changed",
			  "%04x:%04x, IOMMU group %d now but %d at boot", d->id.vendor, d->id.device, d->group, bg);
	else if (d->driver[0] && !streq(d->driver, VFIO_PCI_DRIVER))
		check_add(env->rep, id, title, CHECK_WARN,
			  "reboot with vfio-early in the initramfs; 'vfio-early status' tells what happened at boot",
			  "%04x:%04x, group %d, passes every guard, but is on %s now", d->id.vendor, d->id.device, d->group,
			  d->driver);
	else
		check_add(env->rep, id, title, CHECK_PASS, NULL, "%04x:%04x, group %d, %s (%s)", d->id.vendor,
			  d->id.device, d->group, d->driver[0] ? "on vfio-pci" : "passes every guard", t->reason);
}

/* The display devices the host keeps (not taken by the plan). */
static void report_display(struct check_env *env, const struct vfe_plan *p)
{
	char kept[160] = "";
	size_t l = 0, n = 0;

	for (size_t j = 0; j < env->pci.n; j++) {
		const struct vfe_dev *d = &env->pci.devs[j];
		bool taken = false;
		if (!vfe_dev_is_display(d))
			continue;
		for (size_t i = 0; i < p->n; i++)
			taken = taken || (p->t[i].dev == d && p->t[i].action == VFE_ACT_BIND);
		if (!taken && l < sizeof(kept)) {
			l += (size_t)snprintf(kept + l, sizeof(kept) - l, "%s%s%s", n ? ", " : "", d->name,
					      d->boot_vga ? " (boot VGA)" : "");
			n++;
		}
	}
	if (n)
		check_add(env->rep, "host-display", "host display", CHECK_PASS, NULL, "the host keeps %s", kept);
	else
		check_add(env->rep, "host-display", "host display", CHECK_WARN,
			  "keep a display for the host, or make sure you can reach it over SSH",
			  "every display device goes to the guest (allow-boot-vga): the host is headless");
}

/* What could not be followed to a PCI function: a warning, since the binder cannot protect it either. */
static void report_system_paths(struct check_env *env, const struct vfe_protected *prot)
{
	for (size_t i = 0; i < prot->problems.n; i++)
		check_add(env->rep, "system-paths", "path to the running system", CHECK_WARN,
			  "make sure no configured device carries it", "%s", prot->problems.v[i]);
}

void check_devices(struct check_env *env)
{
	_cleanup_(vfe_protected_freep) struct vfe_protected prot = { 0 };
	struct vfe_host_drivers *hosts = NULL;
	struct vfe_plan_ops ops;
	struct vfe_status st;
	struct vfe_plan p;
	bool have_st;
	int k;

	for (size_t i = 0; i < env->cfg.problems.n; i++) {
		const char *pr = env->cfg.problems.v[i];
		size_t l = strcspn(pr, " ");
		char fix[300];
		/* "/etc/vfio-early.conf:3: ..." */
		if (l && pr[l - 1] == ':')
			l--;
		snprintf(fix, sizeof(fix), "fix or delete line %.*s (sudoedit %.*s; vfio-early.conf(5) has the syntax), then "
			 "'sudo update-initramfs -u'", (int)l, pr, (int)strcspn(pr, ":"), pr);
		check_add(env->rep, "config", "config", CHECK_FAIL, fix, "%s", pr);
	}
	if (env->cfg.n == 0) {
		check_add(env->rep, "devices", "configured devices", CHECK_SKIP, "sudo vfio-early add DEVICE",
			  "no device configured in /%s", PATH_CONFIG);
		return;
	}
	if (env->pci_err < 0) {
		check_add(env->rep, "devices", "configured devices", CHECK_FAIL,
			  "run 'vfio-early check' on the host itself, with sysfs mounted on /sys", "cannot scan /%s: %s",
			  PATH_PCI_DEVICES, strerror(-env->pci_err));
		return;
	}
	if (vfe_system_paths(env->root, &prot) < 0 || vfe_host_drivers_installed(env->root, env->release, &hosts) < 0) {
		check_add(env->rep, "devices", "configured devices", CHECK_FAIL, NULL, "out of memory");
		return;
	}
	report_system_paths(env, &prot);
	ops = vfe_host_drivers_ops(hosts, &prot);
	k = vfe_plan_build(&env->pci, env->cfg.entries, env->cfg.n, true, &ops, &p);
	vfe_host_drivers_free(hosts);
	if (k < 0) {
		check_add(env->rep, "devices", "configured devices", CHECK_FAIL, "run 'vfio-early check' again",
			  "cannot plan: %s", strerror(-k));
		return;
	}
	have_st = vfe_status_read(env->root, &st) == 0;
	for (size_t i = 0; i < p.n; i++)
		report_target(env, &p, &p.t[i], &prot, have_st ? &st : NULL);
	report_display(env, &p);
	check_framebuffer_targets(env, &p);
	check_console_prompt(env, &p);
	if (have_st)
		vfe_status_free(&st);
	vfe_plan_free(&p);
}
