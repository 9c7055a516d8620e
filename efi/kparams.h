/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/kcmdline.h"
#include "common/strv.h"
#include "efi/boot.h"

/*
 * The kernel parameters of `boot install`. The edits themselves
 * (vfe_kparams_add/remove/has) are the kernel command-line module's
 * (common/kcmdline.h); this adds what passthrough asks of them.
 */

/* The parameters install adds: "intel_iommu=on", "iommu=pt", "kvm.ignore_msrs=1". */
int vfe_kparams_wanted(const struct vfe_boot_params *p, struct strv *ret);

/* The words of opts that matter to passthrough: the IOMMU ones and what the recovery entry drops. */
int vfe_kparams_passthrough(const char *opts, struct strv *ret);
