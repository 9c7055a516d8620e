/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/root.h"
#include "early/bind.h"

/*
 * Binding with a bounded wait. The sysfs writes of binding (unbind, probe)
 * run in the kernel under the device lock, where no signal reaches them:
 * an alarm cannot stop a process stuck there. So vfe_bind_plan() runs in a
 * child process, which puts each step and each result on a page both
 * processes map, and the parent waits at most timeout_ms for it to say it is
 * done, then returns whatever it knows so the boot goes on:
 *
 *   a target whose step never came back   "timed-out", naming the step
 *   a target not started by then           "failed", "not tried: ..."
 *
 * The child is not killed (a kill would wait for the kernel anyway, and
 * leave the device half-done). When the kernel lets it go, it finishes the
 * step at hand and gives back any group it leaves incomplete (bind.h), but
 * starts nothing new; it then calls late() with the true results, once the
 * parent is gone and its own record written (vfe_bind_job_release()), so the
 * child's record is the last word.
 *
 * The child writes to the kernel log only in late() and then at most one
 * record (the parent keeps the rest of the rate-limit window, common/kmsg.h).
 */
#define VFE_BIND_TIMEOUT_MS 10000

struct vfe_bind_late {
	/*
	 * In the child, after the parent gave up: res are final, after[i] tells
	 * the targets that ended once the parent had stopped waiting; took_us
	 * since binding started.
	 */
	void (*late)(void *userdata, struct vfe_bind_result *res, const bool *after, uint64_t took_us);
	void *userdata;
};

struct vfe_bind_job {
	pid_t pid;        /* the child, 0 when none was started */
	int ack_fd;       /* held open until vfe_bind_job_release() */
	bool timed_out;   /* the parent stopped waiting */
	bool child_died;  /* it ended without saying "done" */
};

/*
 * Runs vfe_bind_plan() as above, into res (filled by vfe_bind_results_new()).
 * Where fork() fails, binds in this process (unbounded) rather than not at all.
 */
void vfe_bind_bounded(const struct vfe_root *r, const struct vfe_plan *p, const struct vfe_bind_ops *ops,
		      unsigned timeout_ms, const struct vfe_bind_late *late, struct vfe_bind_result *res,
		      struct vfe_bind_job *job);

/* The parent's record is written: a child still busy may write its own once it is done. */
void vfe_bind_job_release(struct vfe_bind_job *job);
