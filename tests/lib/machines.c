// SPDX-License-Identifier: GPL-2.0-or-later
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
	if ((r = fake_symlink(f, "sys/dev/block/8:1",
			      "../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1")) < 0)
		return r;
	return fake_write(f, "proc/self/mountinfo",
			  "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
			  "23 22 0:21 / /proc rw,nosuid shared:2 - proc proc rw\n");
}
