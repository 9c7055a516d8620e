// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early add: what the binder will still refuse, or the host will miss, once the change is made. */
#include <stdio.h>

#include "cli/add.h"
#include "cli/devices.h"
#include "common/cpu.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "early/host-driver.h"
#include "early/plan.h"
#include "efi/boot.h"

/* Also for add's question (cli/verb-add.c). */
void add_print_members(const struct add_ctx *c, FILE *f, const struct vfe_dev *const *m, size_t n)
{
	char name[400];

	for (size_t i = 0; i < n; i++) {
		vfe_names_lspci(c->nm, m[i], name, sizeof(name));
		fprintf(f, "  %s  %s  driver: %s\n", m[i]->name, name, m[i]->driver[0] ? m[i]->driver : "none");
	}
}

/* The config as it will be: the entries read, changed and new (for the warnings). */
static int future_config(const struct add_ctx *c, struct vfe_config *ret)
{
	size_t n = c->cfg.n;

	*ret = (struct vfe_config){ .entries = calloc(c->cfg.n + c->n + 1, sizeof(struct vfe_entry)) };
	if (!ret->entries)
		return -ENOMEM;
	if (c->cfg.n)
		memcpy(ret->entries, c->cfg.entries, c->cfg.n * sizeof(struct vfe_entry));
	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		if (it->write && it->old)
			ret->entries[it->old - c->cfg.entries] = it->e;
		else if (it->write)
			ret->entries[n++] = it->e;
	}
	ret->n = n;
	return 0;
}

/* Is a recovery entry installed in some boot loader in use? */
static bool recovery_installed(const struct vfe_root *r)
{
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = r, .dry_run = true, .no_update = true, .out = &out };
	int saved = log_get_max_level();
	bool ok = false;

	log_set_max_level(LOG_CRIT);
	for (size_t i = 0; vfe_boot_backends[i] && !ok; i++) {
		const struct vfe_boot_backend *b = vfe_boot_backends[i];
		struct vfe_boot_status st = { 0 };
		if (b->detect && b->status && b->detect(&ctx) > 0 && b->status(&ctx, &st) >= 0)
			ok = streq(vfe_boot_recovery_state(st.recovery_health), "ok");
	}
	log_set_max_level(saved);
	sb_free(&out);
	return ok;
}

/* No IOMMU on this boot: what to do, for this CPU's vendor (common/cpu.h). */
static void warn_iommu(const struct vfe_root *r)
{
	struct vfe_cpu cpu;

	(void)vfe_cpu_probe(r, &cpu);
	if (cpu.vendor == VFE_CPU_AMD)
		log_warning("the IOMMU is not active on this boot, and the binder binds nothing without it: enable the "
			    "IOMMU (AMD-Vi) in the firmware setup; the kernel turns it on by itself (amd_iommu=on is no "
			    "kernel option), and 'sudo vfio-early boot install' adds iommu=pt");
	else
		log_warning("the IOMMU is not active on this boot, and the binder binds nothing without it: enable VT-d "
			    "(Intel) or AMD-Vi in the firmware setup and run 'sudo vfio-early boot install' (on Intel it "
			    "adds intel_iommu=on)");
}

/* The other functions of d's group the future config leaves out; into others (room for pci.n). */
static size_t left_out(const struct add_ctx *c, const struct vfe_config *future, const struct vfe_dev *d,
		       const struct vfe_dev **others)
{
	const struct vfe_dev *via;
	size_t n = 0;

	for (size_t j = 0; d->group >= 0 && j < c->pci.n; j++) {
		const struct vfe_dev *m = &c->pci.devs[j];
		if (m != d && m->group == d->group && !vfe_dev_is_bridge(m) && !cli_entry_for(future, &c->pci, m, &via))
			others[n++] = m;
	}
	return n;
}

/*
 * What the binder will decide for the entries written, as things are: the
 * same plan (vfe_plan_build()) from the same facts (the installed kernel's
 * module aliases, the path to the running system), so add, check and the
 * binder say the same. Only with the IOMMU on: before, there are no groups.
 */
static void warn_verdicts(struct add_ctx *c, const struct vfe_config *future, const struct vfe_dev **others)
{
	struct vfe_host_drivers *hosts = NULL;
	struct vfe_plan_ops ops;
	struct vfe_plan p;

	if (vfe_host_drivers_installed(&c->cli->root, NULL, &hosts) < 0)
		return;
	ops = vfe_host_drivers_ops(hosts, &c->prot);
	if (vfe_plan_build(&c->pci, future->entries, future->n, true, &ops, &p) < 0) {
		vfe_host_drivers_free(hosts);
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		const struct vfe_target *t = it->write ? vfe_plan_find(&p, it->d) : NULL;
		size_t n;
		if (!t || t->action != VFE_ACT_REFUSE)
			continue;
		log_warning("as things are, the binder would refuse %s at boot: %s", it->d->name, t->reason);
		n = it->e.group == VFE_GROUP_FUNCTION ? left_out(c, future, it->d, others) : 0;
		if (n && !c->cli->quiet)
			add_print_members(c, stderr, others, n);
	}
	vfe_plan_free(&p);
	vfe_host_drivers_free(hosts);
}

/* After the change: what the binder will still refuse or what the host will miss, as warnings. */
void add_warn(struct add_ctx *c)
{
	_cleanup_free_ const struct vfe_dev **others = calloc(c->pci.n + 1, sizeof(*others));
	struct vfe_config future;
	const struct vfe_dev *via;
	bool display_kept = false, any_display = false;

	if (!others || future_config(c, &future) < 0)
		return;
	if (!vfe_iommu_active(&c->cli->root))
		warn_iommu(&c->cli->root);
	else
		warn_verdicts(c, &future, others);
	for (size_t j = 0; j < c->pci.n; j++)
		if (vfe_dev_is_display(&c->pci.devs[j])) {
			any_display = true;
			display_kept = display_kept || !cli_entry_for(&future, &c->pci, &c->pci.devs[j], &via);
		}
	if (c->o.allow_boot_vga && any_display && !display_kept && !recovery_installed(&c->cli->root))
		log_warning("with this, the host keeps no display of its own, and no recovery entry is installed: run "
			    "'sudo vfio-early boot install' before rebooting, so that 'no GPU passthrough' is one choice "
			    "in the boot menu (or keep SSH at hand)");
	free(future.entries);
}
