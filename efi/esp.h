/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/root.h"

/*
 * The EFI System Partition and the Extended Boot Loader partition: a FAT
 * file system mounted on /efi, /boot/efi or /boot (the mount table under
 * the root), whose partition type libblkid confirms where the device can
 * be probed (ESP c12a7328-..., XBOOTLDR bc13c2ff-...).
 */
struct vfe_esp {
	char mount[256];   /* relative to the root: "boot/efi" */
	char source[256];  /* "/dev/nvme0n1p1" */
	char fstype[32];
	char part_type[40];/* from libblkid, "" when it could not be probed */
	bool read_only;
};

/* 0, or -ENOENT when no ESP is mounted (why: in *why, a static string). */
int vfe_esp_find(const struct vfe_root *r, struct vfe_esp *ret, const char **why);
/* An XBOOTLDR mounted on /boot beside the ESP; -ENOENT when there is none. */
int vfe_xbootldr_find(const struct vfe_root *r, const struct vfe_esp *esp, struct vfe_esp *ret);
