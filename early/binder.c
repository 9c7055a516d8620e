// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "common/log.h"
#include "common/paths.h"
#include "early/binder.h"
#include "early/cmdline.h"
#include "early/config.h"
#include "early/modules.h"
#include "early/status.h"

struct run {
	const struct vfe_root *root;
	struct vfe_cmdline cmd;
	struct vfe_config cfg;
	struct vfe_pci pci;
	struct vfe_plan plan;
	struct vfe_status st;
	struct vfe_modules *mods;
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
	(void)strv_push(&x->st.problems, msg);
}

static void read_cmdline(struct run *x)
{
	_cleanup_free_ char *text = NULL;
	int l = vfe_read_file(x->root, PATH_CMDLINE, 64 * 1024, &text);

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
	if (x->cmd.vfio_pci_ids)
		snprintf(x->st.vfio_pci_ids, sizeof(x->st.vfio_pci_ids), "%s", x->cmd.vfio_pci_ids);
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

/* Only asked for driverless functions that share a group with a target: read modalias then. */
static bool plan_driver_for(void *ud, const struct vfe_dev *d, char *drv, size_t n)
{
	struct run *x = ud;
	char modalias[256];

	if (vfe_read_attr(x->root, modalias, sizeof(modalias), PATH_PCI_DEVICES "/%s/modalias", d->name) <= 0)
		return false;
	return vfe_modules_driver_for(x->mods, modalias, drv, n);
}

static int bind_load_module(void *ud, const char *name)
{
	return vfe_modules_load(ud, name);
}

static void log_target(const struct vfe_target *t)
{
	const char *name = t->dev ? t->dev->name : t->entry->source;

	switch (t->action) {
	case VFE_ACT_BOUND:
		log_notice("%s: bound to vfio-pci%s%s (%s)", name, t->driver_before[0] ? ", taken from " : "",
			   t->driver_before, t->reason);
		break;
	case VFE_ACT_ALREADY:
		log_notice("%s: already on vfio-pci", name);
		break;
	case VFE_ACT_BIND:
		log_notice("%s: would bind to vfio-pci (dry run; %s)", name, t->reason);
		break;
	default:
		log_warning("%s: %s: %s", name, vfe_action_name(t->action), t->reason);
	}
}

static void decide_and_bind(struct run *x, const struct vfe_binder_opts *o)
{
	struct vfe_plan_ops pops = { plan_driver_for, x };
	struct vfe_bind_ops bops = { bind_load_module, x->mods };
	int k;

	k = vfe_pci_scan(x->root, &x->pci);
	if (k < 0) {
		problem(x, "cannot enumerate PCI devices; binding nothing");
		return;
	}
	k = vfe_plan_build(&x->pci, x->cfg.entries, x->cfg.n, x->st.iommu, o->plan ? o->plan : &pops, &x->plan);
	if (k < 0) {
		problem(x, "out of memory while deciding; binding nothing");
		return;
	}
	if (!o->dry_run)
		vfe_bind_plan(x->root, &x->plan, o->bind ? o->bind : &bops);
	for (size_t i = 0; i < x->plan.n; i++)
		log_target(&x->plan.t[i]);
	if (vfe_status_add_plan(&x->st, &x->plan) < 0)
		problem(x, "out of memory while recording");
}

static void run_passthrough(struct run *x, const struct vfe_binder_opts *o)
{
	snprintf(x->st.mode, sizeof(x->st.mode), "passthrough");
	if (vfe_config_load(&x->cfg, x->root) < 0 || merge_entries(x) < 0) {
		problem(x, "out of memory while reading the config; binding nothing");
		return;
	}
	for (size_t i = 0; i < x->cfg.problems.n; i++)
		problem(x, x->cfg.problems.v[i]);
	if (x->cfg.n == 0) {
		snprintf(x->st.reason, sizeof(x->st.reason), "no device configured");
		log_info("no device configured; nothing to do");
		return;
	}
	snprintf(x->st.reason, sizeof(x->st.reason), "%zu device entr%s configured, no vfio_early=off", x->cfg.n,
		 x->cfg.n == 1 ? "y" : "ies");
	decide_and_bind(x, o);
}

int vfe_binder_run(const struct vfe_root *r, const struct vfe_binder_opts *o)
{
	struct run x = { .root = r };
	int k;

	x.st.started_us = now_us();
	if (vfe_modules_new(r, &x.mods) < 0)
		x.mods = NULL;
	read_cmdline(&x);
	x.st.iommu = vfe_iommu_active(r);
	if (x.cmd.off) {
		snprintf(x.st.mode, sizeof(x.st.mode), "recovery");
		snprintf(x.st.reason, sizeof(x.st.reason), "%s on the kernel command line",
			 x.cmd.off_reason ? x.cmd.off_reason : "vfio_early=off");
		log_notice("%s: binding nothing (recovery boot)", x.st.reason);
	} else
		run_passthrough(&x, o);
	x.st.finished_us = now_us();
	x.st.elapsed_us = x.st.finished_us - x.st.started_us;
	x.st.cpu_us = cpu_us();
	k = vfe_status_write(r, &x.st);
	if (k < 0)
		log_error_errno(k, "cannot write the status record /%s: %m", PATH_STATUS);
	log_info("done in %llu us", (unsigned long long)x.st.elapsed_us);
	vfe_status_free(&x.st);
	vfe_plan_free(&x.plan);
	vfe_pci_free(&x.pci);
	vfe_config_free(&x.cfg);
	vfe_cmdline_free(&x.cmd);
	vfe_modules_free(x.mods);
	return k;
}
