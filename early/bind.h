/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/root.h"
#include "early/plan.h"

/* What binding needs from outside: the module loader, and in tests the kernel's answers. */
struct vfe_bind_ops {
	/* Makes the named driver's module available (libkmod in production). */
	int (*load_module)(void *userdata, const char *name);
	/*
	 * Called after every sysfs write binding makes, with the path (under
	 * the root) and the value: what the kernel does in answer. NULL in
	 * production, where the kernel does it; a fake kernel in the tests.
	 */
	void (*sysfs_written)(void *userdata, const char *path, const char *value);
	void *userdata;
};

/*
 * Who watches binding as it goes: early/worker.c, which runs it in a child
 * process and reports to the parent. Every member may be NULL.
 */
struct vfe_bind_watch {
	/*
	 * Before each step that may block in the kernel, for target i: what
	 * and arg together say it ("unbinding it from ", "amdgpu"). what is a
	 * string constant, and may be kept by its address; nothing is formatted
	 * unless someone asks.
	 */
	void (*step)(void *userdata, size_t i, const char *what, const char *arg);
	/* res[i] is final, or changed again (a rollback). */
	void (*done)(void *userdata, size_t i);
	/* Before each IOMMU group: NULL goes on; a reason stops, and what is left is "not tried" for it. */
	const char *(*stop)(void *userdata);
	void *userdata;
};

/*
 * What became of one target of the plan: for a target decided "bind", what
 * binding did (bound, already-bound, failed or timed out, with the driver
 * it found there and the one it left); for the others, the plan's decision
 * as it was.
 */
struct vfe_bind_result {
	enum vfe_action action;
	char driver_before[VFE_DRIVER_MAX];
	char driver_after[VFE_DRIVER_MAX]; /* after a bind was tried: the driver it was left on ("" none) */
	char reason[320];
};

/* One result per target, each as the plan decided it (what a dry run reports); NULL when out of memory. */
struct vfe_bind_result *vfe_bind_results_new(const struct vfe_plan *p);

/*
 * Binds every target decided "bind" to vfio-pci, into res[i] for p->t[i],
 * one IOMMU group at a time: loads the driver if it is not registered yet,
 * writes driver_override, unbinds a driver that got there first, asks the
 * bus to probe, and reads "driver" back, since a probe request succeeds
 * even when nothing bound.
 *
 * Never strands a device: when vfio-pci does not take one after its
 * override was written or its driver unbound, the override is cleared and
 * the bus probes again, so the driver it had gets it back ("restored to
 * X"). A group that fails part-way is rolled back whole: its members bound
 * before are given back the same way, the ones after are not tried.
 */
void vfe_bind_plan(const struct vfe_root *r, const struct vfe_plan *p, const struct vfe_bind_ops *ops,
		   const struct vfe_bind_watch *w, struct vfe_bind_result *res);

/* Why a module could not be loaded, in the words of the status record (err: negative errno). */
void vfe_bind_module_error(const struct vfe_root *r, const char *module, int err, char *buf, size_t n);
