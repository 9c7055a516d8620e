// SPDX-License-Identifier: GPL-2.0-or-later
/* The phases of a binder run, shared by the boot and the udev path (see run.h). */
#include <stdio.h>

#include "common/clock.h"
#include "common/kcmdline.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/fallback.h"
#include "early/load-watch.h"
#include "early/run.h"

void vfe_run_init(struct vfe_run *x, const struct vfe_root *r, const struct vfe_binder_opts *o)
{
	*x = (struct vfe_run){ .root = r, .o = o, .started_us = vfe_now_us(), .job = { .ack_fd = -1 } };
	if (vfe_modules_new(r, &x->mods) < 0)
		x->mods = NULL;
}

void vfe_run_free(struct vfe_run *x)
{
	vfe_bind_job_release(&x->job);
	free(x->res);
	vfe_plan_free(&x->plan);
	vfe_pci_free(&x->pci);
	vfe_host_drivers_free(x->hosts);
	vfe_protected_free(&x->prot);
	vfe_config_free(&x->cfg);
	vfe_cmdline_free(&x->cmd);
	vfe_modules_free(x->mods);
	strv_free(&x->problems);
	x->res = NULL;
	x->hosts = NULL;
	x->mods = NULL;
}

void vfe_run_problem(struct vfe_run *x, const char *msg)
{
	log_warning("%s", msg);
	(void)strv_push(&x->problems, msg);
}

/* ---- read inputs ---- */

static void read_cmdline(struct vfe_run *x)
{
	_cleanup_free_ char *text = NULL;
	int l = vfe_kcmdline_read(x->root, &text);

	if (l < 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "cannot read /%s: %s; going on without it", PATH_CMDLINE, strerror(-l));
		vfe_run_problem(x, msg);
		text = strdup("");
	}
	if (!text || vfe_cmdline_parse(text, &x->cmd) < 0)
		vfe_run_problem(x, "out of memory while parsing the kernel command line");
	if (x->cmd.debug)
		log_set_max_level(LOG_DEBUG);
	for (size_t i = 0; i < x->cmd.problems.n; i++)
		vfe_run_problem(x, x->cmd.problems.v[i]);
	for (size_t i = 0; i < x->cmd.extra.problems.n; i++)
		vfe_run_problem(x, x->cmd.extra.problems.v[i]);
}

static int merge_entries(struct vfe_run *x)
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
static void read_config(struct vfe_run *x)
{
	if (vfe_config_load(&x->cfg, x->root) < 0 || merge_entries(x) < 0) {
		x->cfg_failed = true;
		vfe_run_problem(x, "out of memory while reading the config; binding nothing");
		return;
	}
	for (size_t i = 0; i < x->cfg.problems.n; i++)
		vfe_run_problem(x, x->cfg.problems.v[i]);
}

/* The automatic fallback (early/fallback.h): only where there is something to bind and it is on. */
static void check_fallback(struct vfe_run *x)
{
	if (x->cfg_failed || x->cfg.n == 0 || vfe_config_fallback(&x->cfg) == 0 ||
	    !vfe_fallback_due(x->root, x->mods, x->fallback, sizeof(x->fallback)))
		return;
	log_notice("automatic fallback: systemd-boot counted %s down to no tries left (%u boots without a confirmed "
		   "host display): binding nothing (recovery boot)", x->fallback, vfe_config_fallback(&x->cfg));
}

void vfe_run_read_inputs(struct vfe_run *x)
{
	read_cmdline(x);
	x->iommu = vfe_iommu_active(x->root);
	if (x->cmd.off)
		return;
	read_config(x);
	check_fallback(x);
}

bool vfe_run_off(const struct vfe_run *x)
{
	return x->cmd.off || x->fallback[0];
}

bool vfe_run_configured(const struct vfe_run *x)
{
	return !vfe_run_off(x) && !x->cfg_failed && x->cfg.n > 0;
}

/* ---- match, gather facts, guard ---- */

/*
 * The facts of the installed system the hooks put into the image: without
 * them the guards decide with less (an unknown driver counts as taken; of
 * the paths to the running system only storage controllers are refused).
 */
static void read_image_facts(struct vfe_run *x)
{
	/*
	 * After boot the binder runs in the real root, which is the installed
	 * system: its own kernel's index answers. A device just added holds none
	 * of the host's file systems, and a missing index is named by the guard
	 * that needs it, in the refusal's reason: nothing to report at every
	 * hotplug event of the machine.
	 */
	if (x->late) {
		if (vfe_host_drivers_installed(x->root, NULL, &x->hosts) < 0)
			x->hosts = NULL;
		return;
	}
	if (vfe_host_drivers_image(x->root, &x->hosts) < 0)
		x->hosts = NULL;
	if (!vfe_host_drivers_known(x->hosts))
		vfe_run_problem(x, "the initramfs has no copy of the installed kernel's module index (/" PATH_IMAGE_FACTS
				   "): a driverless function beside a target counts as taken; rebuild the initramfs");
	if (vfe_protected_read(x->root, &x->prot) < 0)
		vfe_run_problem(x, "the initramfs has no record of the devices behind the host's file systems (/"
				   PATH_IMAGE_PROTECTED "): of those only storage controllers are refused; rebuild the initramfs");
	for (size_t i = 0; i < x->prot.problems.n; i++) {
		char msg[400];
		snprintf(msg, sizeof(msg), "when the initramfs was built: %s", x->prot.problems.v[i]);
		vfe_run_problem(x, msg);
	}
}

int vfe_run_decide(struct vfe_run *x)
{
	struct vfe_plan_ops ops;

	if (vfe_pci_scan(x->root, &x->pci) < 0) {
		vfe_run_problem(x, "cannot enumerate PCI devices; binding nothing");
		return -ENODEV;
	}
	if (!x->o->plan)
		read_image_facts(x);
	ops = x->o->plan ? *x->o->plan : vfe_host_drivers_ops(x->hosts, &x->prot);
	if (vfe_plan_build(&x->pci, x->cfg.entries, x->cfg.n, x->iommu, &ops, &x->plan) < 0) {
		vfe_run_problem(x, "out of memory while deciding; binding nothing");
		return -ENOMEM;
	}
	x->res = vfe_bind_results_new(&x->plan);
	if (!x->res) {
		vfe_run_problem(x, "out of memory while recording; binding nothing");
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

/* What vfio-pci took unasked while binding (load-watch.h), as problems of the run. */
static void report_taken(struct vfe_run *x, struct vfe_load_watch *w)
{
	_cleanup_(strv_freep) struct strv taken = { 0 };

	vfe_load_watch_end(w, &x->pci, &x->plan, &taken);
	for (size_t i = 0; i < taken.n; i++)
		vfe_run_problem(x, taken.v[i]);
}

void vfe_run_bind(struct vfe_run *x, const bool *wanted, const struct vfe_bind_late *late)
{
	struct vfe_bind_ops ops = { bind_load_module, NULL, x->mods };
	struct vfe_plan p = { 0 };
	_cleanup_free_ struct vfe_bind_result *sub = NULL;
	_cleanup_free_ size_t *idx = NULL;
	struct vfe_load_watch w = { 0 };

	vfe_load_watch_begin(&w, &x->pci);
	if (!wanted) {
		vfe_bind_bounded(x->root, &x->plan, x->o->bind ? x->o->bind : &ops, x->o->timeout_ms, late, x->res,
				 &x->job);
		report_taken(x, &w);
		return;
	}
	/* a sub-plan of the wanted targets, with their results, then copied back */
	p.t = calloc(x->plan.n + 1, sizeof(*p.t));
	sub = calloc(x->plan.n + 1, sizeof(*sub));
	idx = calloc(x->plan.n + 1, sizeof(*idx));
	if (!p.t || !sub || !idx) {
		free(p.t);
		vfe_run_problem(x, "out of memory while binding; nothing bound");
		return;
	}
	for (size_t i = 0; i < x->plan.n; i++)
		if (wanted[i]) {
			idx[p.n] = i;
			sub[p.n] = x->res[i];
			p.t[p.n++] = x->plan.t[i];
		}
	vfe_bind_bounded(x->root, &p, x->o->bind ? x->o->bind : &ops, x->o->timeout_ms, late, sub, &x->job);
	for (size_t k = 0; k < p.n; k++)
		x->res[idx[k]] = sub[k];
	free(p.t);
	report_taken(x, &w);
}

/* ---- record ---- */

void vfe_run_log_result(const struct vfe_run *x, size_t i, const char *when)
{
	const struct vfe_target *t = &x->plan.t[i];
	const struct vfe_bind_result *r = &x->res[i];
	const char *name = t->dev ? t->dev->name : t->entry->source;

	switch (r->action) {
	case VFE_ACT_BOUND:
		log_notice("%s: bound to vfio-pci%s%s%s (%s)", name, when, r->driver_before[0] ? ", taken from " : "",
			   r->driver_before, r->reason);
		break;
	case VFE_ACT_ALREADY:
		log_notice("%s: already on vfio-pci", name);
		break;
	case VFE_ACT_BIND:
		log_notice("%s: would bind to vfio-pci (dry run; %s)", name, r->reason);
		break;
	default:
		log_warning("%s: %s%s: %s", name, vfe_action_name(r->action), when, r->reason);
	}
}

void vfe_run_boot_line(const struct vfe_run *x, struct vfe_status *st)
{
	st->iommu = x->iommu;
	st->started_us = x->started_us;
	snprintf(st->mode, sizeof(st->mode), "%s", vfe_run_off(x) ? "recovery" : "passthrough");
	if (x->cmd.off)
		snprintf(st->reason, sizeof(st->reason), "%s on the kernel command line", x->cmd.off_reason);
	else if (x->fallback[0])
		snprintf(st->reason, sizeof(st->reason), VFE_FALLBACK_REASON " (systemd-boot counted %s down to no "
			 "tries left)", vfe_config_fallback(&x->cfg), x->fallback);
	else if (x->cfg_failed)
		st->reason[0] = '\0';
	else if (x->cfg.n == 0)
		snprintf(st->reason, sizeof(st->reason), "no device configured");
	else
		snprintf(st->reason, sizeof(st->reason), "%zu device entr%s configured, no vfio_early=off", x->cfg.n,
			 x->cfg.n == 1 ? "y" : "ies");
	if (x->cmd.vfio_pci_ids)
		snprintf(st->vfio_pci_ids, sizeof(st->vfio_pci_ids), "%s", x->cmd.vfio_pci_ids);
}

void vfe_run_tally(const struct vfe_run *x, const bool *wanted, char *buf, size_t n)
{
	/* in the order a reader asks: what was bound, what went wrong, what was not tried */
	static const struct {
		enum vfe_action a;
		const char *word;
	} order[] = {
		{ VFE_ACT_BOUND, "bound" },   { VFE_ACT_ALREADY, "already bound" }, { VFE_ACT_FAILED, "failed" },
		{ VFE_ACT_TIMEOUT, "timed out" }, { VFE_ACT_REFUSE, "refused" },  { VFE_ACT_SKIP, "skipped" },
		{ VFE_ACT_BIND, "to bind (dry run)" },
	};
	size_t l = 0;

	buf[0] = '\0';
	for (size_t o = 0; o < ELEMENTSOF(order) && l < n; o++) {
		unsigned count = 0;
		for (size_t i = 0; x->res && i < x->plan.n; i++)
			count += (!wanted || wanted[i]) && x->res[i].action == order[o].a;
		if (count)
			l += (size_t)snprintf(buf + l, n - l, "%s%u %s", l ? ", " : "", count, order[o].word);
	}
	if (!l)
		snprintf(buf, n, "nothing to bind");
}
