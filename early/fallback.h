/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/root.h"
#include "early/modules.h"

/*
 * The binder's part of the automatic fallback (docs/fallback.md): on a
 * systemd-boot host, `vfio-early boot install` names the passthrough entry
 * NAME+TRIES.conf and systemd-boot counts it down at every boot, renaming
 * the file and telling the OS which file it counted (LoaderBootCountPath).
 * A boot that took the last try (LEFT is 0 after the rename) binds nothing:
 * it is the fallback boot. systemd-boot 252 boots such an entry again and
 * again when a default pattern still selects it (systemd#31215), so the
 * binder, not the loader's menu order alone, makes it a recovery boot.
 */

/*
 * The boot counter of an entry file name or path ("x+2-1.conf",
 * "\loader\entries\x+0-3.conf"): the "+LEFT[-DONE]" right before the last
 * '.', as systemd-boot reads it. -EINVAL when there is none.
 */
int vfe_boot_counter_parse(const char *name, unsigned *ret_left, unsigned *ret_done);

/*
 * Did systemd-boot count this boot's entry down to no tries left? Reads
 * LoaderBootCountPath; on the real root in the initramfs efivarfs is not
 * mounted yet (initramfs-tools never mounts it, and it is a module in
 * Debian's kernel), so it is mounted read-only for the read and unmounted
 * again, loading the module through mods when needed. Returns true with
 * the counted path in path[n]; false when not, or when anything is missing
 * (no EFI, no variable, no module): the boot then goes on as it would.
 */
bool vfe_fallback_due(const struct vfe_root *r, struct vfe_modules *mods, char *path, size_t n);
