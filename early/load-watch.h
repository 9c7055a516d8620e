/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/strv.h"
#include "early/pci.h"
#include "early/plan.h"

/*
 * Loading vfio-pci, watched. A leftover "options vfio-pci ids=" (the manual
 * recipe's; mkinitramfs and dracut copy /etc/modprobe.d into the image), a
 * vfio-pci.ids= or a driver_override some other script wrote make vfio-pci
 * take devices as it registers, before and beside the guards: the boot VGA,
 * an identical second card. The binder loads it without ids= (modules.h),
 * and this reads every function's driver before binding (which loads the
 * module) and after it, so whatever vfio-pci took that the plan did not ask
 * for is recorded, never silent.
 *
 * Binding, and the load with it, runs in a child process (worker.h) whose
 * memory the parent never sees: the watch is the parent's, around the whole
 * bounded bind. It reads nothing when vfio-pci was registered before, the
 * common case on a second run or a built-in vfio-pci. A load still running
 * in a child the parent stopped waiting for is not seen.
 */
struct vfe_load_watch {
	char (*before)[VFE_DRIVER_MAX]; /* every function's driver, parallel to pci->devs; NULL: not watching */
};

/* Before binding: when vfio-pci is not registered yet, every function's driver now. */
void vfe_load_watch_begin(struct vfe_load_watch *w, const struct vfe_pci *pci);

/*
 * After binding: one line into taken (may be NULL: only ends the watch) for
 * each function now on vfio-pci that was not before and that the plan does
 * not bind. Frees what begin took.
 */
void vfe_load_watch_end(struct vfe_load_watch *w, struct vfe_pci *pci, const struct vfe_plan *plan,
			struct strv *taken);
