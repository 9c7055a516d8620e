/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "common/root.h"
#include "early/pci.h"

/* Vendor and device names from <root>/usr/share/misc/pci.ids (no udev hwdb: results stay root-relative). */
struct vfe_names;

struct vfe_names *vfe_names_new(const struct vfe_root *r);
void vfe_names_free(struct vfe_names *n);
/* "NVIDIA Corporation AD102 [GeForce RTX 4090]", or "" when unknown. */
void vfe_names_device(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size);
/* "VGA compatible controller", or the class number. */
void vfe_names_class(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size);
