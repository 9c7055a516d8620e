/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Every path and program the GRUB backend uses. Paths are relative to the
 * root prefix (see root.h); none starts with '/'. Programs run with a fixed
 * argv, never through a shell.
 */
#define GRUB_PATH_DEFAULT "etc/default/grub"
#define GRUB_PATH_DEFAULT_D "etc/default/grub.d"
#define GRUB_PATH_DROPIN "etc/default/grub.d/vfio-early.cfg"
#define GRUB_PATH_GRUB_D "etc/grub.d"
#define GRUB_SCRIPT_NAME "42_vfio-early"
#define GRUB_PATH_SCRIPT "etc/grub.d/42_vfio-early"
#define GRUB_PATH_HEADER "etc/grub.d/00_header"
#define GRUB_PATH_BOOT "boot"
#define GRUB_PATH_DIR "boot/grub"
#define GRUB_PATH_CFG "boot/grub/grub.cfg"
#define GRUB_PATH_ENV "boot/grub/grubenv"

/* Looked for under the root, in this order; the first one present is run. */
#define GRUB_PROG_UPDATE_GRUB "usr/sbin/update-grub"
#define GRUB_PROG_MKCONFIG "usr/sbin/grub-mkconfig"
#define GRUB_PROG_MKCONFIG_ALT "usr/bin/grub-mkconfig"

/* The ids our /etc/grub.d script gives its entries (see recovery/grub.d/42_vfio-early). */
#define GRUB_ID_RECOVERY "vfio-early-nopt"
#define GRUB_ID_SUBMENU "vfio-early-advanced"
#define GRUB_ID_RECOVERY_KVER_PREFIX "vfio-early-nopt-"
/* The grubenv variable our script turns into a one-shot visible menu. */
#define GRUB_ENV_MENU "vfio_early_menu"
