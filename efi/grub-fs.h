/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "root.h"

/*
 * Can GRUB write its environment block at boot? GRUB's save_env rewrites the
 * grubenv file's blocks in place, which it refuses to do on LVM / device
 * mapper and MD RAID, and cannot do on btrfs or ZFS. There a one-shot
 * next_entry would never be cleared and would stick forever.
 */
struct vfe_grub_fs {
	char fstype[32];
	char mountpoint[256];
	unsigned major, minor;
	bool read_only;          /* mounted ro: we cannot write either */
	bool grub_can_write;
	char why[128];           /* when !grub_can_write: "/boot is on btrfs", ... */
};

/* Looks up the mount that holds rel (e.g. "boot/grub") in <root>/proc/self/mountinfo. */
int vfe_grub_fs_probe(const struct vfe_root *r, const char *rel, struct vfe_grub_fs *ret);
