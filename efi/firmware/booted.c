// SPDX-License-Identifier: GPL-2.0-or-later
/* Which boot loader started this boot (see struct vfe_booted in boot.h). */
#include <ctype.h>
#include <stdio.h>

#include "efi/boot.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"
#include "efi/esp.h"
#include "efi/firmware/firmware.h"

/* The marks each loader's image carries: systemd-boot's ".sdmagic" section, GRUB's version string. */
#define SDBOOT_MAGIC "#### LoaderInfo: systemd-boot "
#define GRUB_MAGIC "GNU GRUB"

static enum vfe_loader from_name(const char *s)
{
	if (strcasestr(s, "systemd-boot") || strcasestr(s, "systemd\\") || strcasestr(s, "systemd/"))
		return VFE_LOADER_SDBOOT;
	if (strcasestr(s, "grub") || strcasestr(s, "shim"))
		return VFE_LOADER_GRUB;
	return _VFE_LOADER_MAX;
}

/* What the image at the ESP path (from a load option, '\'-separated) is, from the marks inside it. */
static enum vfe_loader from_image(const struct vfe_root *r, const char *efi_path)
{
	_cleanup_free_ char *rel = NULL, *data = NULL;
	struct vfe_esp esp;
	const char *why;
	int n;

	if (vfe_esp_find(r, &esp, &why) < 0 || asprintf(&rel, "%s/%s", esp.mount, efi_path + (*efi_path == '\\')) < 0)
		return _VFE_LOADER_MAX;
	for (char *p = rel; *p; p++)
		if (*p == '\\')
			*p = '/';
	n = vfe_read_file(r, rel, 16 << 20, &data);
	if (n <= 0)
		return _VFE_LOADER_MAX;
	if (memmem(data, (size_t)n, SDBOOT_MAGIC, strlen(SDBOOT_MAGIC)))
		return VFE_LOADER_SDBOOT;
	return memmem(data, (size_t)n, GRUB_MAGIC, strlen(GRUB_MAGIC)) ? VFE_LOADER_GRUB : _VFE_LOADER_MAX;
}

/* The file BootCurrent's option starts; "" when unknown. */
static void boot_current(const struct vfe_root *r, char *name, size_t nn, char **file)
{
	_cleanup_free_ uint8_t *d = NULL;
	uint64_t cur;
	size_t l;

	*file = NULL;
	if (vfe_efivar_read_uint(r, "BootCurrent", EFI_GUID_GLOBAL, &cur) < 0)
		return;
	snprintf(name, nn, "Boot%04X", (unsigned)cur);
	if (vfe_efivar_read(r, name, EFI_GUID_GLOBAL, NULL, &d, &l) == 0)
		*file = vfe_loadopt_file(d, l);
}

void vfe_boot_booted(const struct vfe_root *r, struct vfe_booted *ret)
{
	_cleanup_free_ char *info = NULL, *image = NULL, *file = NULL;
	char name[16] = "";

	*ret = (struct vfe_booted){ .loader = _VFE_LOADER_MAX };
	if (vfe_efivar_read_string(r, "LoaderInfo", EFI_GUID_LOADER, &info) == 0 && *info) {
		(void)vfe_efivar_read_string(r, "LoaderImageIdentifier", EFI_GUID_LOADER, &image);
		ret->loader = from_name(info);
		snprintf(ret->how, sizeof(ret->how), "LoaderInfo \"%s\"%s%s", info, image ? ", image " : "",
			 image ? image : "");
		if (ret->loader != _VFE_LOADER_MAX)
			return;
	}
	boot_current(r, name, sizeof(name), &file);
	if (!file)
		return;
	ret->loader = from_name(file);
	if (ret->loader == _VFE_LOADER_MAX)
		ret->loader = from_image(r, file); /* \EFI\BOOT\BOOTX64.EFI: whatever was copied there */
	if (ret->loader != _VFE_LOADER_MAX)
		snprintf(ret->how, sizeof(ret->how), "BootCurrent %s starts %s", name, file);
}

bool vfe_boot_in_use(const struct vfe_boot_backend *b, const struct vfe_booted *booted)
{
	enum vfe_loader family = b->id == VFE_LOADER_KERNELSTUB ? VFE_LOADER_SDBOOT : b->id;

	if (b->flags & VFE_BACKEND_FIRMWARE_MENU || booted->loader == _VFE_LOADER_MAX)
		return true;
	return family == booted->loader;
}
