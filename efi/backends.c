// SPDX-License-Identifier: GPL-2.0-or-later
/* Every boot-loader backend, in the order cli/verb-boot.c tries them (see boot.h). */
#include "boot.h"

extern const struct vfe_boot_backend vfe_backend_grub;
extern const struct vfe_boot_backend vfe_backend_kernelstub;
extern const struct vfe_boot_backend vfe_backend_sdboot;
extern const struct vfe_boot_backend vfe_backend_firmware;

/* kernelstub and systemd-boot write the entries the firmware option copies, so they come first. */
const struct vfe_boot_backend *const vfe_boot_backends[] = {
	&vfe_backend_kernelstub,
	&vfe_backend_sdboot,
	&vfe_backend_firmware,
	&vfe_backend_grub,
	NULL,
};
