// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every boot-loader backend, in the order cli/verb-boot.c tries them (see
 * boot.h). Each backend is declared here and nowhere else: the rest of the
 * tree reaches it through this table or vfe_boot_backend().
 */
#include "efi/boot.h"

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

const struct vfe_boot_backend *vfe_boot_backend(enum vfe_loader id)
{
	for (size_t i = 0; vfe_boot_backends[i]; i++)
		if (vfe_boot_backends[i]->id == id)
			return vfe_boot_backends[i];
	return NULL;
}
