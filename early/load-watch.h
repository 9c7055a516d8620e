/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/strv.h"
#include "early/pci.h"
#include "early/plan.h"

/*
 * Loading vfio-pci, watched. A leftover "options vfio-pci ids=" (the manual
 * recipe's; mkinitramfs and dracut copy /etc/modprobe.d into the image), a
 * vfio-pci.ids= or a driver_override some other script wrote make vfio-pci
 * take devices as it registers, before and beside the guards: the boot VGA,
 * an identical second card. The binder loads it without ids= (modules.h),
 * and this records whatever vfio-pci holds after binding (which loads the
 * module) that the plan did not ask for, so it is never silent.
 *
 * Only a load can surprise: the watch runs when vfio-pci was not registered
 * before binding, so nothing was on it then, and after binding the
 * driver's own directory lists every device it holds (one readdir, however
 * many functions the machine has). Binding, and the load with it, runs in a
 * child process (worker.h) whose memory the parent never sees: the watch is
 * the parent's, around the whole bounded bind. A load still running in a
 * child the parent stopped waiting for is not seen.
 */
struct vfe_load_watch {
	bool watching; /* vfio-pci was not registered before binding */
};

/* Before binding. */
void vfe_load_watch_begin(struct vfe_load_watch *w, const struct vfe_pci *pci);

/*
 * After binding: one line into taken for each function vfio-pci now holds
 * that the plan does not bind. Holds nothing to free: a watch that is not
 * ended costs nothing.
 */
void vfe_load_watch_end(struct vfe_load_watch *w, struct vfe_pci *pci, const struct vfe_plan *plan,
			struct strv *taken);
