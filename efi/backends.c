// SPDX-License-Identifier: GPL-2.0-or-later
/* Every boot-loader backend, in the order cli/verb-boot.c tries them (see boot.h). */
#include "boot.h"

extern const struct vfe_boot_backend vfe_backend_grub;

const struct vfe_boot_backend *const vfe_boot_backends[] = {
	&vfe_backend_grub,
	NULL,
};
