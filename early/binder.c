// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One boot's work, in the order its data flows:
 *
 *   read inputs   the kernel command line, the config, whether an IOMMU is on
 *   match         the entries against the scanned PCI devices     \
 *   gather facts  groups, drivers, boot_vga, host-driver answers    > vfe_plan_build()
 *   guard         the refusals, decided from those facts alone     /
 *   bind          what binding did, as results of its own (bind.h)
 *   record        the status record, built from all that at the end
 *
 * It never fails the boot: a problem is logged and recorded, and the run
 * goes on with what it has.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "common/log.h"
#include "common/paths.h"
#include "early/binder.h"
#include "early/cmdline.h"
#include "early/config.h"
#include "early/host-driver.h"
#include "early/load-watch.h"
#include "early/modules.h"
#include "early/protect.h"
#include "early/status.h"

struct run {
	const struct vfe_root *root;
	const struct vfe_binder_opts *o;
	uint64_t started_us;
	struct strv problems; /* in the order met */
	/* read inputs */
	struct vfe_cmdline cmd;
	struct vfe_config cfg; /* the config's entries, then vfio_early.devices= */
	bool cfg_failed;
	bool iommu;
	/* match, gather facts, guard */
	struct vfe_modules *mods; /* libkmod, made on first use: loads vfio-pci */
	struct vfe_host_drivers *hosts; /* the installed kernel's module index, as the hooks copied it */
	struct vfe_protected prot;      /* the functions on the path to the running system, as recorded */
	struct vfe_pci pci;
	struct vfe_plan plan;
	/* bind */
	struct vfe_bind_result *res; /* res[i] for plan.t[i] */
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void problem(struct run *x, const char *msg)
{
	log_warning("%s", msg);
	(void)strv_push(&x->problems, msg);
}

/* ---- read inputs ---- */

static void read_cmdline(struct run *x)
{
	_cleanup_free_ char *text = NULL;
	int l = vfe_kcmdline_read(x->root, &text);

	if (l < 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "cannot read /%s: %s; going on without it", PATH_CMDLINE, strerror(-l));
		problem(x, msg);
		text = strdup("");
	}
	if (!text || vfe_cmdline_parse(text, &x->cmd) < 0)
		problem(x, "out of memory while parsing the kernel command line");
	if (x->cmd.debug)
		log_set_max_level(LOG_DEBUG);
	for (size_t i = 0; i < x->cmd.problems.n; i++)
		problem(x, x->cmd.problems.v[i]);
	for (size_t i = 0; i < x->cmd.extra.problems.n; i++)
		problem(x, x->cmd.extra.problems.v[i]);
}

static int merge_entries(struct run *x)
{
	size_t n = x->cfg.n + x->cmd.extra.n;
	struct vfe_entry *e;

	if (!x->cmd.extra.n)
		return 0;
	e = realloc(x->cfg.entries, n * sizeof(*e));
	if (!e)
		return -ENOMEM;
	memcpy(e + x->cfg.n, x->cmd.extra.entries, x->cmd.extra.n * sizeof(*e));
	x->cfg.entries = e;
	x->cfg.n = n;
	return 0;
}

/* The config is read only for a passthrough boot. */
static void read_config(struct run *x)
{
	if (vfe_config_load(&x->cfg, x->root) < 0 || merge_entries(x) < 0) {
		x->cfg_failed = true;
		problem(x, "out of memory while reading the config; binding nothing");
		return;
	}
	for (size_t i = 0; i < x->cfg.problems.n; i++)
		problem(x, x->cfg.problems.v[i]);
}

static void read_inputs(struct run *x)
{
	read_cmdline(x);
	x->iommu = vfe_iommu_active(x->root);
	if (x->cmd.off)
		log_notice("%s on the kernel command line: binding nothing (recovery boot)", x->cmd.off_reason);
	else
		read_config(x);
}

/* ---- match, gather facts, guard ---- */

/*
 * The facts of the installed system the hooks put into the image: without
 * them the guards decide with less (an unknown driver counts as taken; of
 * the paths to the running system only storage controllers are refused).
 */
static void read_image_facts(struct run *x)
{
	if (vfe_host_drivers_image(x->root, &x->hosts) < 0)
		x->hosts = NULL;
	if (!vfe_host_drivers_known(x->hosts))
		problem(x, "the initramfs has no copy of the installed kernel's module index (/" PATH_IMAGE_FACTS
			   "): a driverless function beside a target counts as taken; rebuild the initramfs");
	if (vfe_protected_read(x->root, &x->prot) < 0)
		problem(x, "the initramfs has no record of the devices behind the host's file systems (/"
			   PATH_IMAGE_PROTECTED "): of those only storage controllers are refused; rebuild the initramfs");
	for (size_t i = 0; i < x->prot.problems.n; i++) {
		char msg[400];
		snprintf(msg, sizeof(msg), "when the initramfs was built: %s", x->prot.problems.v[i]);
		problem(x, msg);
	}
}

static int decide(struct run *x)
{
	struct vfe_plan_ops ops;

	if (vfe_pci_scan(x->root, &x->pci) < 0) {
		problem(x, "cannot enumerate PCI devices; binding nothing");
		return -ENODEV;
	}
	if (!x->o->plan)
		read_image_facts(x);
	ops = x->o->plan ? *x->o->plan : vfe_host_drivers_ops(x->hosts, &x->prot);
	if (vfe_plan_build(&x->pci, x->cfg.entries, x->cfg.n, x->iommu, &ops, &x->plan) < 0) {
		problem(x, "out of memory while deciding; binding nothing");
		return -ENOMEM;
	}
	return 0;
}

/* ---- bind ---- */

/* vfio-pci's ids= would bind every driverless function with those ids, the boot VGA included: never given. */
static int bind_load_module(void *userdata, const char *name)
{
	static const char *const drop[] = { "ids", NULL };

	return vfe_modules_load(userdata, name, drop);
}

static void log_result(const struct vfe_target *t, const struct vfe_bind_result *r)
{
	const char *name = t->dev ? t->dev->name : t->entry->source;

	switch (r->action) {
	case VFE_ACT_BOUND:
		log_notice("%s: bound to vfio-pci%s%s (%s)", name, r->driver_before[0] ? ", taken from " : "",
			   r->driver_before, r->reason);
		break;
	case VFE_ACT_ALREADY:
		log_notice("%s: already on vfio-pci", name);
		break;
	case VFE_ACT_BIND:
		log_notice("%s: would bind to vfio-pci (dry run; %s)", name, r->reason);
		break;
	default:
		log_warning("%s: %s: %s", name, vfe_action_name(r->action), r->reason);
	}
}

static void bind(struct run *x)
{
	struct vfe_load_watch w = { .pci = &x->pci, .plan = &x->plan, .load = { bind_load_module, x->mods } };
	struct vfe_bind_ops ops = { vfe_load_watch_load, &w };

	if (x->o->bind)
		w.load = *x->o->bind;
	x->res = vfe_bind_results_new(&x->plan);
	if (!x->res) {
		problem(x, "out of memory while recording; binding nothing");
		return;
	}
	if (!x->o->dry_run)
		vfe_bind_plan(x->root, &x->plan, &ops, x->res);
	for (size_t i = 0; i < x->plan.n; i++)
		log_result(&x->plan.t[i], &x->res[i]);
	for (size_t i = 0; i < w.taken.n; i++)
		problem(x, w.taken.v[i]);
	vfe_load_watch_free(&w);
}

/* ---- record ---- */

static void mode_and_reason(const struct run *x, struct vfe_status *st)
{
	snprintf(st->mode, sizeof(st->mode), "%s", x->cmd.off ? "recovery" : "passthrough");
	if (x->cmd.off)
		snprintf(st->reason, sizeof(st->reason), "%s on the kernel command line", x->cmd.off_reason);
	else if (x->cfg_failed)
		st->reason[0] = '\0';
	else if (x->cfg.n == 0)
		snprintf(st->reason, sizeof(st->reason), "no device configured");
	else
		snprintf(st->reason, sizeof(st->reason), "%zu device entr%s configured, no vfio_early=off", x->cfg.n,
			 x->cfg.n == 1 ? "y" : "ies");
}

static int record(struct run *x)
{
	struct vfe_status st = { .iommu = x->iommu, .started_us = x->started_us };
	int k;

	mode_and_reason(x, &st);
	if (x->cmd.vfio_pci_ids)
		snprintf(st.vfio_pci_ids, sizeof(st.vfio_pci_ids), "%s", x->cmd.vfio_pci_ids);
	if (x->res && vfe_status_add_results(&st, &x->plan, x->res) < 0)
		problem(x, "out of memory while recording");
	st.problems = x->problems;
	x->problems = (struct strv){ 0 };
	st.finished_us = now_us();
	st.elapsed_us = st.finished_us - st.started_us;
	st.cpu_us = cpu_us();
	k = vfe_status_write(x->root, &st);
	if (k < 0)
		log_error_errno(k, "cannot write the status record /%s: %m", PATH_STATUS);
	log_info("done in %llu us", (unsigned long long)st.elapsed_us);
	vfe_status_free(&st);
	return k;
}

int vfe_binder_run(const struct vfe_root *r, const struct vfe_binder_opts *o)
{
	struct run x = { .root = r, .o = o, .started_us = now_us() };
	int k;

	if (vfe_modules_new(r, &x.mods) < 0)
		x.mods = NULL;
	read_inputs(&x);
	if (!x.cmd.off && !x.cfg_failed && x.cfg.n == 0)
		log_info("no device configured; nothing to do");
	else if (!x.cmd.off && !x.cfg_failed && decide(&x) >= 0)
		bind(&x);
	k = record(&x);
	free(x.res);
	vfe_plan_free(&x.plan);
	vfe_pci_free(&x.pci);
	vfe_host_drivers_free(x.hosts);
	vfe_protected_free(&x.prot);
	vfe_config_free(&x.cfg);
	vfe_cmdline_free(&x.cmd);
	vfe_modules_free(x.mods);
	strv_free(&x.problems);
	return k;
}
