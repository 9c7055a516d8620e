// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "common/log.h"
#include "common/paths.h"
#include "early/bind.h"

static _printf_(3, 4) void fail(struct vfe_bind_result *res, int err, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	res->action = VFE_ACT_FAILED;
	snprintf(res->reason, sizeof(res->reason), "%s: %s", what, strerror(-err));
}

static int current_driver(const struct vfe_root *r, const char *bdf, char *buf, size_t n)
{
	int k = vfe_readlink_base(r, buf, n, PATH_PCI_DEVICES "/%s/driver", bdf);

	if (k == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return k;
}

static bool have_vfio_driver(const struct vfe_root *r)
{
	return vfe_exists(r, PATH_PCI_DRIVERS "/" VFIO_PCI_DRIVER);
}

static int ensure_driver(const struct vfe_root *r, const struct vfe_bind_ops *ops)
{
	int k;

	if (have_vfio_driver(r))
		return 0;
	if (!ops || !ops->load_module)
		return -ENOENT;
	k = ops->load_module(ops->userdata, VFIO_PCI_MODULE);
	if (k < 0)
		return k;
	return have_vfio_driver(r) ? 0 : -ENODEV;
}

/* Puts back what the host had when a step after driver_override fails. */
static void undo_override(const struct vfe_root *r, const char *bdf)
{
	(void)vfe_write_attr(r, "\n", PATH_PCI_DEVICES "/%s/driver_override", bdf);
}

static void bind_one(const struct vfe_root *r, const char *bdf, struct vfe_bind_result *res)
{
	char now[VFE_DRIVER_MAX];
	int k;

	k = current_driver(r, bdf, res->driver_before, sizeof(res->driver_before));
	if (k < 0)
		return fail(res, k, "cannot read the driver of %s", bdf);
	if (streq(res->driver_before, VFIO_PCI_DRIVER)) {
		res->action = VFE_ACT_ALREADY;
		return;
	}
	k = vfe_write_attr(r, VFIO_PCI_DRIVER, PATH_PCI_DEVICES "/%s/driver_override", bdf);
	if (k < 0)
		return fail(res, k, "cannot write driver_override");
	if (res->driver_before[0]) {
		k = vfe_write_attr(r, bdf, PATH_PCI_DEVICES "/%s/driver/unbind", bdf);
		if (k < 0) {
			undo_override(r, bdf);
			return fail(res, k, "cannot unbind it from %s", res->driver_before);
		}
	}
	/* The result of drivers_probe says nothing: the driver link below does. */
	(void)vfe_write_attr(r, bdf, PATH_PCI_DRIVERS_PROBE);
	k = current_driver(r, bdf, now, sizeof(now));
	if (k < 0)
		return fail(res, k, "cannot read the driver back");
	if (!streq(now, VFIO_PCI_DRIVER)) {
		res->action = VFE_ACT_FAILED;
		snprintf(res->reason, sizeof(res->reason),
			 "vfio-pci did not bind it (driver now: %s); its kernel messages: sudo dmesg | grep %s",
			 now[0] ? now : "none", bdf);
		return;
	}
	res->action = VFE_ACT_BOUND;
}

struct vfe_bind_result *vfe_bind_results_new(const struct vfe_plan *p)
{
	struct vfe_bind_result *res = calloc(p->n + 1, sizeof(*res));

	for (size_t i = 0; res && i < p->n; i++) {
		res[i].action = p->t[i].action;
		snprintf(res[i].driver_before, sizeof(res[i].driver_before), "%s", p->t[i].driver_before);
		snprintf(res[i].reason, sizeof(res[i].reason), "%s", p->t[i].reason);
	}
	return res;
}

void vfe_bind_plan(const struct vfe_root *r, const struct vfe_plan *p, const struct vfe_bind_ops *ops,
		   struct vfe_bind_result *res)
{
	bool any = false;
	int k;

	for (size_t i = 0; i < p->n; i++)
		any |= p->t[i].action == VFE_ACT_BIND;
	if (!any)
		return;
	k = ensure_driver(r, ops);
	for (size_t i = 0; i < p->n; i++) {
		if (p->t[i].action != VFE_ACT_BIND)
			continue;
		if (k < 0)
			fail(&res[i], k, "the vfio-pci driver is not available (module missing from the initramfs?)");
		else
			bind_one(r, p->t[i].dev->name, &res[i]);
	}
}
