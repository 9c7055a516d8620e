/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "common/root.h"
#include "common/strv.h"

/*
 * What vfio-early-image-facts writes into an initramfs while it is built
 * (the initramfs hooks run it): the facts of the installed system the
 * binder must decide from but cannot learn inside the image.
 *
 *   modules.alias.bin, modules.builtin.alias.bin
 *       copies of the installed kernel's module alias indexes, from
 *       modules_dir (/lib/modules/VERSION, not under root): which host
 *       driver would claim a function the image has no driver for
 *       (early/host-driver.h);
 *   protected
 *       the PCI functions on the path to the running system under root,
 *       resolved with libblkid (check/system-paths.h), which the binder
 *       does not link (early/protect.h).
 *
 * Into out, a root opened on <image>/usr/lib/vfio-early/host. What cannot
 * be found or resolved goes to warnings and the binder decides with less;
 * only a file that cannot be written (or no memory) fails.
 */
int vfe_image_facts_write(const struct vfe_root *root, const char *modules_dir, const struct vfe_root *out,
			  struct strv *warnings);
