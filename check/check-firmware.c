// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early check: UEFI firmware (OVMF) for the guest, and the host's Secure Boot state. */
#include <glob.h>
#include <stdio.h>

#include "check/check.h"

#define PATH_EFIVARS "sys/firmware/efi/efivars"
#define SECURE_BOOT_VAR PATH_EFIVARS "/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

/* Where distributions install OVMF (Debian/Ubuntu, Fedora, Arch, openSUSE). */
static const char *const ovmf_globs[] = {
	"usr/share/OVMF/OVMF_CODE*.fd",
	"usr/share/edk2/ovmf/OVMF_CODE*.fd",
	"usr/share/edk2/x64/OVMF_CODE*.fd",
	"usr/share/edk2-ovmf/x64/OVMF_CODE*.fd",
	"usr/share/qemu/ovmf-x86_64*.bin",
	"usr/share/qemu/OVMF.fd",
};

static void check_ovmf(struct check_env *env)
{
	for (size_t i = 0; i < ELEMENTSOF(ovmf_globs); i++) {
		_cleanup_free_ char *pattern = vfe_root_abspath(env->root, ovmf_globs[i]);
		glob_t g;
		if (!pattern || glob(pattern, 0, NULL, &g) != 0)
			continue;
		const char *first = g.gl_pathv[0] + strlen(env->root->path);
		check_add(env->rep, "ovmf", "OVMF (UEFI firmware for the guest)", CHECK_PASS, NULL, "%s%s", first,
			  g.gl_pathc > 1 ? " and others" : "");
		globfree(&g);
		return;
	}
	check_add(env->rep, "ovmf", "OVMF (UEFI firmware for the guest)", CHECK_WARN,
		  "sudo apt install ovmf (Fedora: edk2-ovmf); modern GPUs want a UEFI guest",
		  "no OVMF_CODE*.fd under /usr/share/OVMF or /usr/share/edk2");
}

static void check_secure_boot(struct check_env *env)
{
	const char *title = "Secure Boot";
	_cleanup_free_ char *data = NULL;
	int k;

	if (!vfe_exists(env->root, PATH_EFIVARS)) {
		check_add(env->rep, "secure-boot", title, CHECK_SKIP, NULL,
			  "unknown: no EFI variables under /%s (a legacy BIOS boot, or efivarfs not mounted)", PATH_EFIVARS);
		return;
	}
	/* efivarfs: 4 bytes of attributes, then the value (1 byte: 1 enabled, 0 disabled) */
	k = vfe_read_file(env->root, SECURE_BOOT_VAR, 64, &data);
	if (k == -ENOENT)
		check_add(env->rep, "secure-boot", title, CHECK_PASS, NULL, "not supported by the firmware (no SecureBoot variable)");
	else if (k != 5)
		check_add(env->rep, "secure-boot", title, CHECK_WARN, NULL, "the SecureBoot variable cannot be read (%s)",
			  k < 0 ? strerror(-k) : "unexpected size");
	else if (data[4] == 1)
		check_add(env->rep, "secure-boot", title, CHECK_PASS, NULL,
			  "enabled: kernel modules must be signed (vfio-pci from the distribution is); boot entries "
			  "go through the signed shim");
	else
		check_add(env->rep, "secure-boot", title, CHECK_PASS, NULL, "disabled");
}

void check_firmware(struct check_env *env)
{
	check_ovmf(env);
	check_secure_boot(env);
}
