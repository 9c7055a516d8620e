/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/devspec.h"
#include "common/root.h"
#include "common/strv.h"

/*
 * The PCI functions on the path to the running system: the controllers (and
 * the bridges above them) of the disks that hold /, /usr, /boot, the ESP,
 * swap, the resume device and the root= of the kernel command line, through
 * dm, LUKS, LVM and md. None of them is ever passed through, allow-storage
 * or not: the host would lose its own file systems.
 *
 * `vfio-early add` and `check` resolve them on the live system
 * (check/system-paths.h, with libblkid); at image build time
 * vfio-early-image-facts does the same and writes the record below into
 * the image, where the binder reads it (it links no libblkid).
 *
 * The record, in the word syntax of common/words.h:
 *   vfio-early-protected 1
 *   protect bdf=0000:00:14.0 what="/ (sda2)"
 *   problem message="/home: ..."       what could not be resolved
 */
#define VFE_PROTECTED_VERSION 1

struct vfe_protected_dev {
	struct vfe_pci_addr addr;
	char what[128]; /* the path it carries: "/ (nvme0n1p2)", "swap (dm-1)", "root=UUID=... (sda2)" */
};

struct vfe_protected {
	struct vfe_protected_dev *v;
	size_t n;
	bool known;           /* false: no record was found, nothing is known */
	struct strv problems; /* what could not be resolved */
};

/* Adds a (known becomes true); the first what given for an address stays. */
int vfe_protected_add(struct vfe_protected *p, const struct vfe_pci_addr *a, const char *what);

/* The entry of a, NULL when a is not on the path to the running system (or p is NULL). */
const struct vfe_protected_dev *vfe_protected_find(const struct vfe_protected *p, const struct vfe_pci_addr *a);

char *vfe_protected_format(const struct vfe_protected *p);
/* Parses a record (text is modified); -EINVAL for a text that is not one. */
int vfe_protected_parse(char *text, struct vfe_protected *ret);

/* The image's record (PATH_IMAGE_PROTECTED). -ENOENT (known stays false) when there is none. */
int vfe_protected_read(const struct vfe_root *r, struct vfe_protected *ret);

void vfe_protected_free(struct vfe_protected *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vfe_protected, vfe_protected_free);
