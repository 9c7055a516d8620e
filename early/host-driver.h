/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "common/root.h"
#include "early/modules.h"
#include "early/pci.h"
#include "early/plan.h"

/*
 * Would a host driver claim this PCI function, which has none yet? The one
 * answer the group guard gets, in the binder, `vfio-early add`, `check`
 * and `xml`, through vfe_host_drivers_ops(): one function decides for all.
 *
 * It is decided as the installed system will decide it once it runs: from
 * the function's modalias (rebuilt from the scan: no read) and the module
 * alias indexes of the installed kernel (modules.alias.bin and
 * modules.builtin.alias.bin), vfio-pci and pci-stub left out, modprobe.d
 * left out (a blacklist keeps udev from loading a driver for a device, but
 * not the driver from binding it once something else loaded it). Never
 * from the initramfs's own index: a distribution's image holds a fraction
 * of the kernel's drivers (Debian's MODULES=most: no sound, no GPU driver).
 *
 * add and check read <root>/lib/modules/<release>; the binder reads the
 * copy the initramfs hooks put at <root>/usr/lib/vfio-early/host. Without
 * an index the answer is "not known", which the group guard counts as
 * blocking for an endpoint.
 */
struct vfe_host_drivers;

/* The indexes in <root>/dir (NULL: none known). */
int vfe_host_drivers_new(const struct vfe_root *r, const char *dir, struct vfe_host_drivers **ret);
/* The installed kernel's own: <root>/lib/modules/<release> (NULL: the running kernel's). */
int vfe_host_drivers_installed(const struct vfe_root *r, const char *release, struct vfe_host_drivers **ret);
/* The binder's: the copy in the image (PATH_IMAGE_FACTS). */
int vfe_host_drivers_image(const struct vfe_root *r, struct vfe_host_drivers **ret);
void vfe_host_drivers_free(struct vfe_host_drivers *h);

/* True when the indexes can be asked (h may be NULL). */
bool vfe_host_drivers_known(const struct vfe_host_drivers *h);

/* The question itself; the driver's module name goes to driver when claimed (h may be NULL: not known). */
enum vfe_host_verdict vfe_host_driver_for(struct vfe_host_drivers *h, const struct vfe_dev *d, char *driver,
					  size_t n);

/* The same, as the plan asks it, with the protected functions the plan also needs (may be NULL). */
struct vfe_plan_ops vfe_host_drivers_ops(struct vfe_host_drivers *h, const struct vfe_protected *prot);
