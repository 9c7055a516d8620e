/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/kcmdline.h"
#include "common/strv.h"
#include "early/config.h"

/*
 * What the kernel command line tells the binder. Splitting, names and the
 * passthrough switch are the kernel command-line module's (common/kcmdline.h),
 * so the binder, status, the boot loaders and check agree; this adds what
 * only the binder needs: devices for this boot, debug, what to report.
 */
struct vfe_cmdline {
	bool off;              /* vfio_early=off: bind nothing (the recovery entry) */
	char *off_reason;      /* the parameter as written, for status */
	bool debug;            /* vfio_early.debug */
	struct vfe_config extra; /* vfio_early.devices=: devices added for this boot */
	char *vfio_pci_ids;    /* a vfio-pci.ids= also present (reported, not used) */
	struct strv problems;  /* unknown vfio_early.* parameters, bad values */
};

int vfe_cmdline_parse(const char *text, struct vfe_cmdline *ret);
void vfe_cmdline_free(struct vfe_cmdline *c);
