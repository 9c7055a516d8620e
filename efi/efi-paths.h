/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/efivarfs.h"
#include "common/paths.h"

/*
 * Every path, GUID and name the EFI backends (systemd-boot, kernelstub,
 * firmware Boot####) use. Paths are relative to the root prefix (root.h);
 * paths inside the ESP or XBOOTLDR are relative to its mount point.
 */
#define EFI_PATH_SYS_EFI PATH_SYS_EFI
#define EFI_PATH_EFIVARS PATH_EFIVARS
#define EFI_PATH_CPUINFO "proc/cpuinfo"

/* Where an ESP / XBOOTLDR is mounted, in the order they are tried (BLS, bootctl). */
#define EFI_ESP_MOUNTS { "efi", "boot/efi", "boot" }
#define EFI_XBOOTLDR_MOUNTS { "boot" }

/* Inside the ESP or XBOOTLDR. */
#define EFI_LOADER_ENTRIES "loader/entries"
#define EFI_LOADER_CONF "loader/loader.conf"
#define EFI_UKI_DIR "EFI/Linux"
#define EFI_SDBOOT_IMAGE "EFI/systemd/systemd-bootx64.efi"
#define EFI_FALLBACK_IMAGE "EFI/BOOT/BOOTX64.EFI"

/* kernelstub (Pop!_OS) */
#define EFI_PATH_KERNELSTUB_CONF "etc/kernelstub/configuration"
#define EFI_KERNELSTUB_CURRENT "Pop_OS-current.conf"

/* kernel-install (systemd) */
#define EFI_PATH_KERNEL_CMDLINE "etc/kernel/cmdline"
#define EFI_PATH_KERNEL_INSTALL_BLS "usr/lib/kernel/install.d/90-loaderentry.install"

/* What `vfio-early boot install` added, so `remove` undoes exactly that. */
#define EFI_PATH_STATE_DIR "var/lib/vfio-early"
#define EFI_PATH_STATE "var/lib/vfio-early/boot-efi.state"
/* The previous version of every file the EFI backends changed or deleted, at its path below the root. */
#define EFI_PATH_BACKUP "var/lib/vfio-early/backup"

/* GUIDs */
#define EFI_GUID_LOADER VFE_EFI_GUID_LOADER
#define EFI_GUID_GLOBAL "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define EFI_PART_ESP "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define EFI_PART_XBOOTLDR "bc13c2ff-59e6-4262-a352-b275fd6f7172"

/* Our recovery entry: "<default entry's id stem>" EFI_NOPT_SUFFIX ".conf", sorting right after it. */
#define EFI_NOPT_SUFFIX "-vfio-early-nopt"
#define EFI_NOPT_MARK "# vfio-early: no GPU passthrough entry (vfio-early boot install; refreshed on kernel changes)"
#define EFI_NOPT_TITLE_SUFFIX " (no GPU passthrough)"

/* Attributes */
#define EFI_ATTR_NV_BS_RT 0x7u
#define EFI_LOAD_OPTION_ACTIVE 0x1u

/* LoaderFeatures bits (systemd's efivars-fundamental.h) */
#define EFI_LOADER_FEATURE_TIMEOUT_ONESHOT (1ull << 1)
#define EFI_LOADER_FEATURE_ENTRY_DEFAULT (1ull << 2)
#define EFI_LOADER_FEATURE_ENTRY_ONESHOT (1ull << 3)
