// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The path to the running system (check/system-paths.h) on fake trees laid
 * out as the kernel lays them out on real installs: Ubuntu's encrypted LVM
 * on NVMe with a swap file, Fedora's btrfs, md RAID1 with swap on LVM and
 * hibernation, a root named by UUID or LABEL, an NFS root over a bond, an
 * NVMe multipath subsystem; and the record the image carries
 * (early/protect.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "check/system-paths.h"
#include "early/protect.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

#define NVME "devices/pci0000:00/0000:00:1d.0/0000:3b:00.0/nvme/nvme0/nvme0n1"
#define SATA_A "devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda"
#define SATA_B "devices/pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0/block/sdb"
#define USB "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdc"

static void tree(struct fake_root *f)
{
	CHECK(fake_root_new(f, NULL) == 0);
}

static const char *what_of(const struct vfe_protected *p, const char *bdf)
{
	struct vfe_pci_addr a;

	CHECK(vfe_parse_pci_addr(bdf, &a) == 0);
	const struct vfe_protected_dev *d = vfe_protected_find(p, &a);
	return d ? d->what : NULL;
}

static void resolve(struct fake_root *f, struct vfe_protected *p)
{
	CHECK(vfe_system_paths(&f->root, p) == 0);
	for (size_t i = 0; i < p->n; i++) {
		char a[VFE_ADDR_STRLEN];
		vfe_format_pci_addr(&p->v[i].addr, a);
		printf("# %s: %s\n", a, p->v[i].what);
	}
	for (size_t i = 0; i < p->problems.n; i++)
		printf("# problem: %s\n", p->problems.v[i]);
}

/* Ubuntu's "encrypt the new installation": ext4 on LVM (vgubuntu-root) on LUKS on nvme0n1p3, /boot and the ESP beside it, /swap.img. */
TEST(lvm_on_luks_on_nvme_with_a_swap_file)
{
	struct fake_root f;
	struct vfe_protected p;

	tree(&f);
	CHECK(fake_block_add(&f, "259:0", NVME) == 0);
	CHECK(fake_block_add(&f, "259:1", NVME "/nvme0n1p1") == 0);
	CHECK(fake_block_add(&f, "259:2", NVME "/nvme0n1p2") == 0);
	CHECK(fake_block_add(&f, "259:3", NVME "/nvme0n1p3") == 0);
	CHECK(fake_block_add(&f, "253:0", "devices/virtual/block/dm-0") == 0);
	CHECK(fake_block_add(&f, "253:1", "devices/virtual/block/dm-1") == 0);
	CHECK(fake_block_slave(&f, "dm-0", "nvme0n1p3") == 0);
	CHECK(fake_block_slave(&f, "dm-1", "dm-0") == 0);
	CHECK(fake_write(&f, "proc/self/mountinfo",
			 "26 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/vgubuntu-root rw,errors=remount-ro\n"
			 "30 26 259:2 / /boot rw,relatime shared:63 - ext4 /dev/nvme0n1p2 rw\n"
			 "33 30 259:1 / /boot/efi rw,relatime shared:65 - vfat /dev/nvme0n1p1 rw,fmask=0077\n"
			 "40 26 0:48 / /home/u/.cache/doc rw - fuse.portal portal rw\n") == 0);
	CHECK(fake_write(&f, "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/swap.img   file   2097148  0  -2\n") == 0);
	CHECK(fake_write(&f, "proc/cmdline", "BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=/dev/mapper/vgubuntu-root ro quiet splash\n") == 0);
	CHECK(fake_symlink(&f, "dev/mapper/vgubuntu-root", "../dm-1") == 0);
	CHECK(fake_write(&f, "dev/dm-1", "") == 0);
	resolve(&f, &p);
	/* the NVMe controller and the root port above it, named by the first path that needed them */
	CHECK_STREQ(what_of(&p, "0000:3b:00.0"), "/ (nvme0n1p3)");
	CHECK_STREQ(what_of(&p, "0000:00:1d.0"), "/ (nvme0n1p3)");
	CHECK(p.n == 2 && p.problems.n == 0);
	vfe_protected_free(&p);
	fake_root_free(&f);
}

/* Fedora's default: btrfs subvolumes, which mountinfo shows with an anonymous 0:N device, on a USB disk. */
TEST(btrfs_root_on_a_usb_disk)
{
	struct fake_root f;
	struct vfe_protected p;

	tree(&f);
	CHECK(fake_block_add(&f, "8:32", USB) == 0);
	CHECK(fake_block_add(&f, "8:35", USB "/sdc3") == 0);
	CHECK(fake_write(&f, "proc/self/mountinfo",
			 "65 1 0:32 /root / rw,relatime shared:1 - btrfs /dev/sdc3 rw,seclabel,compress=zstd:1,subvol=/root\n"
			 "70 65 0:32 /home /home rw,relatime shared:2 - btrfs /dev/sdc3 rw,subvol=/home\n") == 0);
	resolve(&f, &p);
	CHECK_STREQ(what_of(&p, "0000:00:14.0"), "/ (sdc3)"); /* the xHCI controller */
	CHECK(p.n == 1);
	vfe_protected_free(&p);
	fake_root_free(&f);
}

/* md RAID1 over two SATA disks for /, swap on LVM on the same array, hibernation to it. */
TEST(md_raid_swap_and_resume)
{
	struct fake_root f;
	struct vfe_protected p;

	tree(&f);
	CHECK(fake_block_add(&f, "8:1", SATA_A "/sda1") == 0);
	CHECK(fake_block_add(&f, "8:17", SATA_B "/sdb1") == 0);
	CHECK(fake_block_add(&f, "9:127", "devices/virtual/block/md127") == 0);
	CHECK(fake_block_add(&f, "253:2", "devices/virtual/block/dm-2") == 0);
	CHECK(fake_block_slave(&f, "md127", "sda1") == 0);
	CHECK(fake_block_slave(&f, "md127", "sdb1") == 0);
	CHECK(fake_block_slave(&f, "dm-2", "md127") == 0);
	CHECK(fake_block_add(&f, "8:48", "devices/pci0000:00/0000:00:1c.4/0000:04:00.0/host9/target9:0:0/9:0:0:0/block/sdd") == 0);
	CHECK(fake_write(&f, "proc/self/mountinfo", "26 1 9:127 / / rw - ext4 /dev/md127 rw\n") == 0);
	CHECK(fake_write(&f, "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/dev/dm-2  partition  8388604  0  -2\n") == 0);
	CHECK(fake_write(&f, "sys/power/resume", "253:2\n") == 0);
	/* initramfs-tools' own resume setting names another disk: it counts too */
	CHECK(fake_symlink(&f, "dev/disk/by-uuid/0b4f2e43-1c51-4a32-9a4f-64b8c0e5d0a1", "../../sdd") == 0);
	CHECK(fake_write(&f, "dev/sdd", "") == 0);
	CHECK(fake_write(&f, "etc/initramfs-tools/conf.d/resume", "RESUME=UUID=0b4f2e43-1c51-4a32-9a4f-64b8c0e5d0a1\n") == 0);
	resolve(&f, &p);
	/* either half of the mirror names it */
	CHECK(what_of(&p, "0000:00:17.0") && startswith(what_of(&p, "0000:00:17.0"), "/ (sd"));
	CHECK_STREQ(what_of(&p, "0000:04:00.0"), "resume (sdd)");
	CHECK_STREQ(what_of(&p, "0000:00:1c.4"), "resume (sdd)");
	CHECK(p.n == 3 && p.problems.n == 0);
	vfe_protected_free(&p);
	fake_root_free(&f);
}

/* root= of /etc/kernel/cmdline (kernel-install's) wins over this boot's; a LABEL is found by libblkid. */
TEST(root_by_label_found_by_libblkid)
{
	struct fake_root f;
	struct vfe_protected p;
	char cmd[PATH_MAX * 2];

	tree(&f);
	CHECK(fake_block_add(&f, "8:33", USB "/sdc1") == 0);
	CHECK(fake_write(&f, "proc/self/mountinfo", "") == 0);
	CHECK(fake_write(&f, "proc/cmdline", "root=UUID=00000000-0000-0000-0000-000000000000 ro\n") == 0);
	CHECK(fake_write(&f, "etc/kernel/cmdline", "root=LABEL=vfe-test-root rw quiet\n") == 0);
	/* a real ext4 file system where the device would be: libblkid reads its superblock */
	snprintf(cmd, sizeof(cmd), "truncate -s 4M '%s/dev/sdc1' && mke2fs -q -F -t ext4 -L vfe-test-root '%s/dev/sdc1'",
		 f.dir, f.dir);
	CHECK(system(cmd) == 0);
	resolve(&f, &p);
	CHECK_STREQ(what_of(&p, "0000:00:14.0"), "root=LABEL=vfe-test-root (sdc1)");
	vfe_protected_free(&p);
	/* a label nothing carries is said, not guessed */
	CHECK(fake_write(&f, "etc/kernel/cmdline", "root=LABEL=nowhere\n") == 0);
	resolve(&f, &p);
	CHECK(p.n == 0 && p.problems.n == 1);
	CHECK_CONTAINS(p.problems.n ? p.problems.v[0] : NULL, "no block device has LABEL=nowhere");
	vfe_protected_free(&p);
	fake_root_free(&f);
}

/* An NFS root: the network controllers under the bond that carries the default route. */
TEST(nfs_root_over_a_bond)
{
	struct fake_root f;
	struct vfe_protected p;

	tree(&f);
	CHECK(fake_write(&f, "proc/self/mountinfo", "20 1 0:23 / / rw - nfs4 10.0.0.1:/srv/root rw,vers=4.2\n") == 0);
	CHECK(fake_write(&f, "proc/net/route",
			 "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
			 "bond0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
			 "bond0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n") == 0);
	CHECK(fake_mkdir(&f, "sys/devices/virtual/net/bond0") == 0);
	CHECK(fake_mkdir(&f, "sys/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/net/enp2s0f0") == 0);
	CHECK(fake_mkdir(&f, "sys/devices/pci0000:00/0000:00:1c.0/0000:02:00.1/net/enp2s0f1") == 0);
	CHECK(fake_symlink(&f, "sys/class/net/bond0", "../../devices/virtual/net/bond0") == 0);
	CHECK(fake_symlink(&f, "sys/class/net/enp2s0f0", "../../devices/pci0000:00/0000:00:1c.0/0000:02:00.0/net/enp2s0f0") == 0);
	CHECK(fake_symlink(&f, "sys/class/net/enp2s0f1", "../../devices/pci0000:00/0000:00:1c.0/0000:02:00.1/net/enp2s0f1") == 0);
	CHECK(fake_symlink(&f, "sys/devices/virtual/net/bond0/lower_enp2s0f0",
			   "../../../pci0000:00/0000:00:1c.0/0000:02:00.0/net/enp2s0f0") == 0);
	CHECK(fake_symlink(&f, "sys/devices/virtual/net/bond0/lower_enp2s0f1",
			   "../../../pci0000:00/0000:00:1c.0/0000:02:00.1/net/enp2s0f1") == 0);
	resolve(&f, &p);
	CHECK_STREQ(what_of(&p, "0000:02:00.0"), "/ (network, enp2s0f0)");
	CHECK_STREQ(what_of(&p, "0000:02:00.1"), "/ (network, enp2s0f1)");
	CHECK(p.n == 3);
	vfe_protected_free(&p);
	fake_root_free(&f);
}

/* A dual-port NVMe with native multipath: the disk lives under its subsystem, the controllers beside it. */
TEST(nvme_multipath_subsystem)
{
	struct fake_root f;
	struct vfe_protected p;

	tree(&f);
	CHECK(fake_block_add(&f, "259:0", "devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1") == 0);
	CHECK(fake_block_add(&f, "259:1", "devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1/nvme0n1p1") == 0);
	CHECK(fake_mkdir(&f, "sys/devices/pci0000:40/0000:40:01.1/0000:41:00.0/nvme/nvme0") == 0);
	CHECK(fake_mkdir(&f, "sys/devices/pci0000:40/0000:40:01.2/0000:42:00.0/nvme/nvme1") == 0);
	CHECK(fake_symlink(&f, "sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0",
			   "../../../pci0000:40/0000:40:01.1/0000:41:00.0/nvme/nvme0") == 0);
	CHECK(fake_symlink(&f, "sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme1",
			   "../../../pci0000:40/0000:40:01.2/0000:42:00.0/nvme/nvme1") == 0);
	CHECK(fake_write(&f, "proc/self/mountinfo", "26 1 259:1 / / rw - xfs /dev/nvme0n1p1 rw\n") == 0);
	resolve(&f, &p);
	CHECK_STREQ(what_of(&p, "0000:41:00.0"), "/ (nvme0n1p1)");
	CHECK_STREQ(what_of(&p, "0000:42:00.0"), "/ (nvme0n1p1)");
	vfe_protected_free(&p);
	fake_root_free(&f);
}

TEST(what_cannot_be_followed_is_said)
{
	struct fake_root f;
	struct vfe_protected p;

	tree(&f);
	resolve(&f, &p); /* no mount table at all */
	CHECK(p.known && p.n == 0 && p.problems.n == 1);
	CHECK_CONTAINS(p.problems.n ? p.problems.v[0] : NULL, "mountinfo cannot be read");
	vfe_protected_free(&p);
	CHECK(fake_write(&f, "proc/self/mountinfo", "20 1 0:30 / / rw - zfs rpool/ROOT/ubuntu rw\n") == 0);
	resolve(&f, &p);
	CHECK(p.n == 0 && p.problems.n == 1);
	CHECK_CONTAINS(p.problems.n ? p.problems.v[0] : NULL, "/: on zfs (rpool/ROOT/ubuntu)");
	vfe_protected_free(&p);
	fake_root_free(&f);
}

/* The record the image carries: written, read back the same; a damaged one is no record. */
TEST(record_round_trip)
{
	struct vfe_protected p = { 0 }, q = { 0 };
	struct vfe_pci_addr a = { 0, 0, 0x14, 0 }, b = { 1, 1, 0, 0 };
	char *text, bad[] = "protect bdf=0000:00:14.0\n";

	CHECK(vfe_protected_add(&p, &a, "/ (sda \"2\")") == 0);
	CHECK(vfe_protected_add(&p, &a, "swap (sda3)") == 0); /* the first reason stays */
	CHECK(vfe_protected_add(&p, &b, "/boot (nvme0n1p2)") == 0);
	CHECK(strv_push(&p.problems, "/home: on zfs") == 0);
	text = vfe_protected_format(&p);
	CHECK(text && vfe_protected_parse(text, &q) == 0);
	CHECK(q.known && q.n == 2 && q.problems.n == 1);
	CHECK_STREQ(vfe_protected_find(&q, &a)->what, "/ (sda \"2\")");
	CHECK_STREQ(vfe_protected_find(&q, &b)->what, "/boot (nvme0n1p2)");
	CHECK(vfe_protected_find(NULL, &a) == NULL);
	free(text);
	vfe_protected_free(&q);
	vfe_protected_free(&p);
	CHECK(vfe_protected_parse(bad, &q) == -EINVAL); /* no header */
}

TAP_MAIN()
