/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Every path vfio-early uses, relative to the root prefix (see root.h).
 * None starts with '/': the root decides where they are.
 */
#define PATH_CONFIG "etc/vfio-early.conf"
#define PATH_CONFIG_DIR "etc/vfio-early.d"
#define PATH_STATUS_DIR "run/vfio-early"
#define PATH_STATUS "run/vfio-early/status"
#define PATH_STATUS_NAME "status" /* in PATH_STATUS_DIR */
#define PATH_CMDLINE "proc/cmdline"
#define PATH_MODULES_DISABLED "proc/sys/kernel/modules_disabled"
#define PATH_LOCKDOWN "sys/kernel/security/lockdown"
#define PATH_CPUINFO "proc/cpuinfo"
#define PATH_MOUNTINFO "proc/self/mountinfo"
#define PATH_KMSG "dev/kmsg"
#define PATH_DEV_NULL "dev/null"
#define PATH_PRINTK_DEVKMSG "proc/sys/kernel/printk_devkmsg"
#define PATH_INITRD_RELEASE "etc/initrd-release"
#define PATH_SYS_PCI "sys/bus/pci"
#define PATH_PCI_DEVICES "sys/bus/pci/devices"
#define PATH_PCI_DRIVERS "sys/bus/pci/drivers"
#define PATH_PCI_DRIVERS_PROBE "sys/bus/pci/drivers_probe"
#define PATH_CLASS_IOMMU "sys/class/iommu"
#define PATH_IOMMU_GROUPS "sys/kernel/iommu_groups"
#define PATH_SYS_DEV_BLOCK "sys/dev/block"
#define PATH_SYS_EFI "sys/firmware/efi"
#define PATH_EFIVARS "sys/firmware/efi/efivars"
#define PATH_MODULES "lib/modules"
#define PATH_MODPROBE_D "etc/modprobe.d"
#define PATH_LIB_MODPROBE_D "lib/modprobe.d"
#define PATH_PCI_IDS "usr/share/misc/pci.ids"
/*
 * What the initramfs hooks put into the image at build time
 * (vfio-early-image-facts), so the binder decides as the installed system
 * will: the installed kernel's module alias indexes (modules.alias.bin,
 * modules.builtin.alias.bin) and the record of the functions on the path to
 * the running system. Only the image has them.
 */
#define PATH_IMAGE_FACTS "usr/lib/vfio-early/host"
#define PATH_IMAGE_PROTECTED PATH_IMAGE_FACTS "/protected"

#define VFIO_PCI_DRIVER "vfio-pci"
#define VFIO_PCI_MODULE "vfio_pci"
