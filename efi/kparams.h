/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/strv.h"
#include "efi/boot.h"

/*
 * Kernel command-line edits, split and compared by the kernel's rules
 * (early/cmdline.h): add a parameter (a different value of the same
 * parameter is replaced, never left beside it), remove one, test for one.
 */

/* The parameters install adds: "intel_iommu=on", "iommu=pt", "kvm.ignore_msrs=1". */
int vfe_kparams_wanted(const struct vfe_boot_params *p, struct strv *ret);

/*
 * opts + param. *ret_replaced gets the conflicting "name=value" it replaced
 * (malloc'd) or NULL. Returns 1 when changed, 0 when param was already there.
 */
int vfe_kparams_add(const char *opts, const char *param, char **ret, char **ret_replaced);
/* opts without param (exact name and value); with put_back, param's place gets put_back. 1 when changed. */
int vfe_kparams_remove(const char *opts, const char *param, const char *put_back, char **ret);
/* Is exactly param (name and value) in opts? */
bool vfe_kparams_has(const char *opts, const char *param);
/* The words of opts that matter to passthrough: the IOMMU ones and what the recovery entry drops. */
int vfe_kparams_passthrough(const char *opts, struct strv *ret);
