/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/strv.h"
#include "early/bind.h"
#include "early/pci.h"
#include "early/plan.h"

/*
 * Loading vfio-pci, watched. A leftover "options vfio-pci ids=" (the manual
 * recipe's; mkinitramfs and dracut copy /etc/modprobe.d into the image), a
 * vfio-pci.ids= or a driver_override some other script wrote make vfio-pci
 * take devices as it registers, before and beside the guards: the boot VGA,
 * an identical second card. The binder loads it without ids= (modules.h),
 * and this reads every function's driver before the load and after it, so
 * whatever vfio-pci took that the plan did not ask for is recorded, never
 * silent.
 */
struct vfe_load_watch {
	struct vfe_pci *pci;
	const struct vfe_plan *plan;
	struct vfe_bind_ops load;  /* what loads the module */
	struct strv taken;         /* one line per function vfio-pci took unasked */
};

/* bind.h's load_module for vfe_bind_plan(), userdata a struct vfe_load_watch: w->load, watched. */
int vfe_load_watch_load(void *userdata, const char *name);

void vfe_load_watch_free(struct vfe_load_watch *w);
