/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/root.h"
#include "early/protect.h"

/*
 * The PCI functions on the path to the running system (early/protect.h),
 * resolved on the system under the root: the devices of the mounts of /,
 * /usr, /var, /boot, /boot/efi and /efi (mountinfo), every swap
 * (/proc/swaps), the resume device (/sys/power/resume, resume= and
 * initramfs-tools' RESUME=) and the root= of /etc/kernel/cmdline or else
 * /proc/cmdline (a path, or UUID=, LABEL=, PARTUUID=, PARTLABEL= resolved
 * through udev's /dev/disk links or libblkid). From each block device down
 * through its dm, LUKS, LVM and md slaves to the PCI functions in its sysfs
 * path (controllers and the bridges above them); a network root (NFS, CIFS,
 * iSCSI) protects the network controllers of the default route.
 *
 * `vfio-early add` and `check` call it on the live system;
 * vfio-early-image-facts calls it at image build time and writes the result
 * into the image for the binder. What cannot be resolved becomes a problem
 * of the result. Only -ENOMEM fails.
 */
int vfe_system_paths(const struct vfe_root *r, struct vfe_protected *ret);
