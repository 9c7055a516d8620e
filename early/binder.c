// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One boot's work, in the order its data flows:
 *
 *   read inputs   the kernel command line, the config, whether an IOMMU is on
 *   match         the entries against the scanned PCI devices     \
 *   gather facts  groups, drivers, boot_vga, host-driver answers    > vfe_run_decide()
 *   guard         the refusals, decided from those facts alone     /
 *   record        a provisional record: what is about to be bound
 *   bind          in a child process, waited for at most a bound   (worker.h)
 *   record        the status record, built from all that at the end
 *
 * It never fails the boot and never blocks it: a problem is logged and
 * recorded, and the run goes on with what it has. Every decision reaches
 * the kernel log, several to a record (common/kmsg.h).
 */
#include <stdio.h>
#include <sys/resource.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/run.h"

static uint64_t rusage_us(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) < 0)
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/*
 * The binder's CPU with its bind child's (early/worker.h), once that child
 * was waited for: binding and the module's initialisation run there. A
 * child still in the kernel is not counted; it rewrites the record later.
 */
static uint64_t cpu_us(void)
{
	return rusage_us(RUSAGE_SELF) + rusage_us(RUSAGE_CHILDREN);
}

static bool any_to_bind(const struct vfe_run *x)
{
	for (size_t i = 0; x->res && i < x->plan.n; i++)
		if (x->res[i].action == VFE_ACT_BIND)
			return true;
	return false;
}

/* ---- record ---- */

/*
 * The record: provisional (before binding: the targets still "bind", in
 * case the binder never comes back) or final.
 */
static int record(struct vfe_run *x, bool provisional)
{
	struct vfe_status st = { 0 };
	int k;

	vfe_run_boot_line(x, &st);
	snprintf(st.state, sizeof(st.state), "%s", provisional ? "binding" : "done");
	if (x->res && vfe_status_add_results(&st, &x->plan, x->res) < 0)
		vfe_run_problem(x, "out of memory while recording");
	for (size_t i = 0; provisional && i < st.n_devs; i++)
		if (st.devs[i].action == VFE_ACT_BIND) {
			char why[sizeof(st.devs[i].reason)];
			snprintf(why, sizeof(why), "%s", st.devs[i].reason);
			snprintf(st.devs[i].reason, sizeof(st.devs[i].reason), "being bound when this record was written "
				 "(%s); the binder did not come back to say how it ended: see the kernel log", why);
		}
	for (size_t i = 0; i < x->problems.n; i++)
		(void)strv_push(&st.problems, x->problems.v[i]);
	st.finished_us = provisional ? 0 : vfe_now_us();
	st.elapsed_us = provisional ? 0 : st.finished_us - st.started_us;
	st.cpu_us = cpu_us();
	k = vfe_status_write(x->root, &st);
	if (k < 0)
		log_error_errno(k, "cannot write the status record /%s: %m", PATH_STATUS);
	if (!provisional) {
		char tally[200];
		vfe_run_tally(x, NULL, tally, sizeof(tally));
		log_info("done in %llu us: %s", (unsigned long long)st.elapsed_us, tally);
	}
	vfe_status_free(&st);
	return k;
}

/* ---- bind ---- */

/* The refusals and skips are final once decided: they go to the log before anything is bound. */
static void log_decisions(const struct vfe_run *x)
{
	for (size_t i = 0; i < x->plan.n; i++)
		if (x->res[i].action != VFE_ACT_BIND)
			vfe_run_log_result(x, i, "");
}

/*
 * In the child, when the kernel let it go after the parent had stopped
 * waiting: the true outcome replaces the parent's lines, through the
 * record's directory held open across the move of /run into the real root.
 */
struct late_ctx {
	struct vfe_run *x;
	struct vfe_root dir;
};

static void finish_late(void *ud, struct vfe_bind_result *res, const bool *after, uint64_t took_us)
{
	struct late_ctx *c = ud;
	struct vfe_run *x = c->x;
	struct vfe_status st = { 0 }, fresh = { 0 };
	char when[96];

	snprintf(when, sizeof(when), "%llu.%llu s after binding began, when the boot had gone on",
		 (unsigned long long)(took_us / 1000000), (unsigned long long)(took_us % 1000000 / 100000));
	log_warning("the kernel returned %s:", when);
	for (size_t i = 0; i < x->plan.n; i++) {
		size_t l = strlen(res[i].reason);
		if (!after[i])
			continue;
		vfe_run_log_result(x, i, " late");
		snprintf(res[i].reason + l, sizeof(res[i].reason) - l, "; ended %s", when);
	}
	log_flush();
	vfe_run_boot_line(x, &fresh);
	if (vfe_status_add_results(&st, &x->plan, res) < 0 || c->dir.fd < 0 || vfe_status_lock(&c->dir) < 0 ||
	    vfe_status_update(&c->dir, st.devs, st.n_devs, &fresh) < 0)
		log_warning("cannot rewrite the status record with these outcomes");
	vfe_status_free(&st);
}

static void bind(struct vfe_run *x)
{
	struct late_ctx c = { x, { .fd = -1 } };
	struct vfe_bind_late late = { finish_late, &c };

	/* before the first write to sysfs: what is about to happen, in case nothing comes back */
	(void)record(x, true);
	(void)vfe_status_dir_open(x->root, &c.dir);
	vfe_run_bind(x, NULL, &late);
	vfe_root_close(&c.dir);
}

int vfe_binder_run(const struct vfe_root *r, const struct vfe_binder_opts *o)
{
	struct vfe_run x;
	int k;

	vfe_run_init(&x, r, o);
	vfe_run_read_inputs(&x);
	if (x.cmd.off)
		log_notice("%s on the kernel command line: binding nothing (recovery boot)", x.cmd.off_reason);
	else if (!x.fallback[0] && !x.cfg_failed && x.cfg.n == 0)
		log_info("no device configured; nothing to do");
	if (vfe_run_configured(&x) && vfe_run_decide(&x) >= 0) {
		log_decisions(&x);
		if (!o->dry_run && any_to_bind(&x))
			bind(&x);
		for (size_t i = 0; i < x.plan.n; i++)
			if (x.plan.t[i].action == VFE_ACT_BIND)
				vfe_run_log_result(&x, i, "");
	}
	k = record(&x, false);
	log_flush();
	/* the record is written: a child still in the kernel may now write its own when it returns */
	vfe_run_free(&x);
	return k;
}
