/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/root.h"

/*
 * Kernel modules through libkmod, against <root>/lib/modules/<release> and
 * the modprobe.d directories under the root. libkmod itself is dlopen()ed,
 * and its context made, on first use: most boots never need it (vfio-pci
 * already loaded or built in, no driverless device beside a target), and
 * linked it would cost every start its dependencies' relocations.
 */
struct vfe_modules;

/* The library opened on first use. The initramfs hooks copy it by name: their tools follow DT_NEEDED only. */
#define VFE_LIBKMOD "libkmod.so.2"

/* Where the dynamic loader finds VFE_LIBKMOD (for the hooks, vfio-early-bind --print-dlopen); -ELIBACC if nowhere. */
int vfe_modules_library_path(char **ret);

int vfe_modules_new(const struct vfe_root *r, struct vfe_modules **ret);

/*
 * A context that only answers vfe_modules_driver_for() from the alias
 * indexes (modules.alias.bin, modules.builtin.alias.bin) in <root>/dir,
 * without any modprobe.d: the installed kernel's own module directory for
 * add and check, the copy the hooks put into the image for the binder.
 */
int vfe_modules_new_index(const struct vfe_root *r, const char *dir, struct vfe_modules **ret);
void vfe_modules_free(struct vfe_modules *m);

/*
 * Loads a module with its dependencies and soft dependencies, with the
 * options modprobe.d and the kernel command line give it except those
 * named in drop (NULL-terminated, may be NULL), and without running
 * modprobe.d "install" commands. 0 when loaded or built in.
 */
int vfe_modules_load(struct vfe_modules *m, const char *name, const char *const *drop);

/* Module options ("ids=10de:2684 disable_vga=1 x=\"a b\"") without those named in drop; malloc'd. */
char *vfe_modules_filter_options(const char *opts, const char *const *drop);

/*
 * Does a module alias match modalias? 1 with the module's name in driver
 * (vfio-pci and pci-stub never count), 0 when none does, a negative errno
 * when libkmod could not be asked.
 */
int vfe_modules_driver_for(struct vfe_modules *m, const char *modalias, char *driver, size_t n);
