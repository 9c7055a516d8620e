/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "common/root.h"
#include "early/pci.h"

/* Vendor and device names from <root>/usr/share/misc/pci.ids (no udev hwdb: results stay root-relative). */
struct vfe_names;

/* NULL when out of memory; every lookup takes NULL and then gives numbers. */
struct vfe_names *vfe_names_new(const struct vfe_root *r);
void vfe_names_free(struct vfe_names *n);
/*
 * As lspci names them: "NVIDIA Corporation AD102 [GeForce RTX 4090]"; with
 * the device missing from pci.ids "NVIDIA Corporation Device 2684", with
 * the vendor missing too "Device 10de:2684".
 */
void vfe_names_device(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size);
/* "VGA compatible controller", or lspci's "Class 0300". */
void vfe_names_class(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size);
/* The function as lspci prints it after the address: "VGA compatible controller: NVIDIA Corporation AD102 [...]". */
void vfe_names_lspci(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size);
