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
void vfe_modules_free(struct vfe_modules *m);

/* Loads a module with its dependencies and soft dependencies. 0 when loaded or built in. */
int vfe_modules_load(struct vfe_modules *m, const char *name);

/* True when a module alias matches modalias; the module's name goes to driver. */
bool vfe_modules_driver_for(struct vfe_modules *m, const char *modalias, char *driver, size_t n);
