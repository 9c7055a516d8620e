// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "check/image-facts.h"
#include "tests/lib/machines.h"

int fake_machine_qemu(struct fake_root *f)
{
	static const struct fake_pci devs[] = {
		{ "0000:00:00.0", 0x8086, 0x29c0, 0x1af4, 0x1100, 0x060000, 0, NULL, -1 },
		{ "0000:00:01.0", 0x1234, 0x1111, 0x1af4, 0x1100, 0x030000, 1, "bochs-drm", 1 },
		{ "0000:00:05.0", 0x1234, 0x1111, 0x1af4, 0x1100, 0x038000, 2, NULL, 0 },
		{ "0000:00:05.1", 0x8086, 0x293e, 0x1af4, 0x1100, 0x040300, 2, NULL, -1 },
		{ "0000:00:06.0", 0x1b36, 0x0001, 0x0000, 0x0000, 0x060400, 3, NULL, -1 },
		{ "0000:01:01.0", 0x1af4, 0x1050, 0x1af4, 0x1100, 0x038000, 3, NULL, 0 },
		{ "0000:01:02.0", 0x8086, 0x100e, 0x8086, 0x100e, 0x020000, 3, NULL, -1 },
		{ "0000:00:1f.2", 0x8086, 0x2922, 0x1af4, 0x1100, 0x010601, 4, "ahci", -1 },
	};
	int r;

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if ((r = fake_pci_add(f, &devs[i])) < 0)
			return r;
	if ((r = fake_iommu_on(f)) < 0)
		return r;
	/* vfio-pci as if built in: no module to load */
	if ((r = fake_driver(f, "vfio-pci")) < 0)
		return r;
	/* the root file system on the AHCI disk */
	if ((r = fake_block_add(f, "8:0", "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda")) < 0 ||
	    (r = fake_block_add(f, "8:1", "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1")) < 0)
		return r;
	return fake_write(f, "proc/self/mountinfo",
			  "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
			  "23 22 0:21 / /proc rw,nosuid shared:2 - proc proc rw\n");
}

bool fake_installed_modules(struct fake_root *f)
{
	const char *base = "/lib/modules";
	char cmd[3 * PATH_MAX], src[PATH_MAX] = "";
	struct utsname u;
	struct dirent *de;
	DIR *d = opendir(base);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(src, sizeof(src), "%s/%s/modules.alias.bin", base, de->d_name);
			if (access(src, R_OK) == 0) {
				snprintf(src, sizeof(src), "%s/%s", base, de->d_name);
				break;
			}
			src[0] = '\0';
		}
	if (d)
		closedir(d);
	if (!src[0] || uname(&u) < 0)
		return false;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/lib/modules/%s' && cp '%s'/modules.* '%s/lib/modules/%s/'", f->dir,
		 u.release, src, f->dir, u.release);
	return system(cmd) == 0;
}

int fake_image_facts(struct fake_root *f)
{
	char mods[PATH_MAX], out_dir[PATH_MAX];
	struct strv warnings = { 0 };
	struct vfe_root out;
	struct utsname u;
	int k;

	if (uname(&u) < 0)
		return -errno;
	snprintf(mods, sizeof(mods), "%s/lib/modules/%s", f->dir, u.release);
	snprintf(out_dir, sizeof(out_dir), "%s/usr/lib/vfio-early/host", f->dir);
	if ((k = fake_mkdir(f, "usr/lib/vfio-early/host")) < 0 || (k = vfe_root_open(&out, out_dir)) < 0)
		return k;
	k = vfe_image_facts_write(&f->root, mods, &out, &warnings);
	for (size_t i = 0; i < warnings.n; i++)
		printf("# image facts: %s\n", warnings.v[i]);
	strv_free(&warnings);
	vfe_root_close(&out);
	return k;
}
