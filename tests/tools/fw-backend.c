// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fw-backend ROOT OP: runs the firmware backend's OP (install, remove,
 * recovery-next, passthrough-next) on the tree ROOT, as `vfio-early boot`
 * does, with one difference: the device path of the kernel on the ESP is
 * built by libefivar's own node makers, HD(1,GPT,...)/File(\path), since
 * libefiboot would look for the ESP's real disk in /sys. The option it
 * writes is then read by the real efibootmgr (EFIVARFS_PATH) in the tests.
 */
#include <efivar/efivar.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "efi/boot.h"
#include "efi/firmware/firmware.h"

static char esp_abs[4096]; /* ROOT/boot/efi */

static ssize_t hd_file_dp(const char *abspath, uint8_t *buf, ssize_t size)
{
	static const uint8_t sig[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
					 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };
	char file[4096];
	size_t l = strlen(esp_abs);
	ssize_t a, b, c;

	if (strncmp(abspath, esp_abs, l) != 0)
		return -1;
	snprintf(file, sizeof(file), "%s", abspath + l);
	for (char *p = file; *p; p++)
		if (*p == '/')
			*p = '\\';
	a = efidp_make_hd(buf, size, 1, 2048, 1048576, (uint8_t *)sig, EFIDP_HD_FORMAT_GPT, EFIDP_HD_SIGNATURE_GUID);
	if (a < 0)
		return a;
	b = efidp_make_file(buf ? buf + a : NULL, buf ? size - a : 0, file);
	if (b < 0)
		return b;
	c = efidp_make_end_entire(buf ? buf + a + b : NULL, buf ? size - a - b : 0);
	return c < 0 ? c : a + b + c;
}

static const struct vfe_efi_dp_ops hd_file_ops = { .file_dp = hd_file_dp };

int main(int argc, char **argv)
{
	const struct vfe_boot_backend *fw = vfe_boot_backend(VFE_LOADER_FIRMWARE);
	struct strbuf out = { 0 };
	struct vfe_root r;
	struct vfe_boot_ctx ctx = { .root = &r, .out = &out,
				    .params = { .iommu = "intel_iommu=on", .iommu_pt = true } };
	int k;

	if (argc != 3 || vfe_root_open(&r, argv[1]) < 0) {
		fprintf(stderr, "usage: fw-backend ROOT install|remove|recovery-next|passthrough-next\n");
		return 2;
	}
	snprintf(esp_abs, sizeof(esp_abs), "%s/boot/efi", r.path);
	vfe_efi_dp_ops = &hd_file_ops;
	if (!strcmp(argv[2], "install"))
		k = fw->install(&ctx);
	else if (!strcmp(argv[2], "remove"))
		k = fw->remove(&ctx);
	else if (!strcmp(argv[2], "recovery-next"))
		k = fw->recovery_next(&ctx);
	else if (!strcmp(argv[2], "passthrough-next"))
		k = fw->passthrough_next(&ctx);
	else
		return 2;
	fputs(out.s ? out.s : "", stdout);
	sb_free(&out);
	vfe_root_close(&r);
	return k < 0 ? 1 : 0;
}
