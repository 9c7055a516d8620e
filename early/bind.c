// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "common/log.h"
#include "common/paths.h"
#include "early/bind.h"

/* One call of vfe_bind_plan(). */
struct binding {
	const struct vfe_root *r;
	const struct vfe_plan *p;
	const struct vfe_bind_ops *ops;
	const struct vfe_bind_watch *w;
	struct vfe_bind_result *res;
	const char *stopped; /* the watcher's reason to stop, once it gave one */
};

static const char *name_of(const struct binding *b, size_t i)
{
	return b->p->t[i].dev->name;
}

static void step(const struct binding *b, size_t i, const char *what, const char *arg)
{
	if (b->w && b->w->step)
		b->w->step(b->w->userdata, i, what, arg);
}

static void done(const struct binding *b, size_t i)
{
	if (b->w && b->w->done)
		b->w->done(b->w->userdata, i);
}

/* Every write binding makes; the fake kernel of the tests answers it. */
static int sysfs_write(const struct binding *b, const char *val, const char *fmt, ...) _printf_(3, 4);
static int sysfs_write(const struct binding *b, const char *val, const char *fmt, ...)
{
	char rel[256];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vfe_path(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (k < 0)
		return k;
	k = vfe_write_attr(b->r, val, "%s", rel);
	if (k >= 0 && b->ops && b->ops->sysfs_written)
		b->ops->sysfs_written(b->ops->userdata, rel, val);
	return k;
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

/* ---- giving a device back ---- */

/* What the device was left on, after why it was given back. */
static void say_restored(struct vfe_bind_result *res, const char *why)
{
	const char *before = res->driver_before, *after = res->driver_after;

	res->action = VFE_ACT_FAILED;
	if (before[0] && streq(after, before))
		snprintf(res->reason, sizeof(res->reason), "%s; restored to %s", why, before);
	else if (before[0])
		snprintf(res->reason, sizeof(res->reason), "%s; %s did not take it back: %s%s", why, before,
			 after[0] ? "now on " : "no driver now", after);
	else if (after[0])
		snprintf(res->reason, sizeof(res->reason), "%s; driver_override cleared, now on %s", why, after);
	else
		snprintf(res->reason, sizeof(res->reason), "%s; driver_override cleared, left to the host's drivers", why);
}

/*
 * Clears the override, takes the device from vfio-pci if it got there, and
 * has the bus probe it again: the driver it had (or, for a device that had
 * none, whatever the host loads later) takes it.
 */
static void restore(const struct binding *b, size_t i, const char *why)
{
	struct vfe_bind_result *res = &b->res[i];
	const char *bdf = name_of(b, i);
	char now[VFE_DRIVER_MAX] = "";

	step(b, i, "clearing its driver_override", "");
	(void)sysfs_write(b, "\n", PATH_PCI_DEVICES "/%s/driver_override", bdf);
	if (current_driver(b->r, bdf, now, sizeof(now)) >= 0 && streq(now, VFIO_PCI_DRIVER)) {
		step(b, i, "unbinding it from vfio-pci", "");
		(void)sysfs_write(b, bdf, PATH_PCI_DRIVERS "/" VFIO_PCI_DRIVER "/unbind");
		now[0] = '\0';
	}
	if (!now[0]) {
		step(b, i, "probing it for ", res->driver_before[0] ? res->driver_before : "a host driver");
		(void)sysfs_write(b, bdf, PATH_PCI_DRIVERS_PROBE);
	}
	if (current_driver(b->r, bdf, res->driver_after, sizeof(res->driver_after)) < 0)
		snprintf(res->driver_after, sizeof(res->driver_after), "?");
	say_restored(res, why);
}

/* ---- binding one device ---- */

static void bind_one(const struct binding *b, size_t i)
{
	struct vfe_bind_result *res = &b->res[i];
	const char *bdf = name_of(b, i);
	char why[200];
	int k;

	k = current_driver(b->r, bdf, res->driver_before, sizeof(res->driver_before));
	if (k < 0)
		return fail(res, k, "cannot read the driver of %s", bdf);
	snprintf(res->driver_after, sizeof(res->driver_after), "%s", res->driver_before);
	if (streq(res->driver_before, VFIO_PCI_DRIVER)) {
		res->action = VFE_ACT_ALREADY;
		return;
	}
	step(b, i, "writing its driver_override", "");
	k = sysfs_write(b, VFIO_PCI_DRIVER, PATH_PCI_DEVICES "/%s/driver_override", bdf);
	if (k < 0)
		return fail(res, k, "cannot write driver_override");
	if (res->driver_before[0]) {
		step(b, i, "unbinding it from ", res->driver_before);
		k = sysfs_write(b, bdf, PATH_PCI_DEVICES "/%s/driver/unbind", bdf);
		if (k < 0) {
			snprintf(why, sizeof(why), "cannot unbind it from %s: %s", res->driver_before, strerror(-k));
			return restore(b, i, why);
		}
	}
	/* The result of drivers_probe says nothing: the driver link below does. */
	step(b, i, "probing it with vfio-pci", "");
	(void)sysfs_write(b, bdf, PATH_PCI_DRIVERS_PROBE);
	k = current_driver(b->r, bdf, res->driver_after, sizeof(res->driver_after));
	if (k >= 0 && streq(res->driver_after, VFIO_PCI_DRIVER)) {
		res->action = VFE_ACT_BOUND;
		return;
	}
	if (k < 0)
		snprintf(why, sizeof(why), "cannot read its driver back: %s", strerror(-k));
	else
		snprintf(why, sizeof(why), "vfio-pci did not take it (driver after the probe: %s; its kernel messages: "
			 "sudo dmesg | grep %s)", res->driver_after[0] ? res->driver_after : "none", bdf);
	restore(b, i, why);
}

/* ---- one IOMMU group at a time ---- */

static bool to_bind(const struct binding *b, size_t i)
{
	return b->p->t[i].action == VFE_ACT_BIND;
}

static bool same_unit(const struct binding *b, size_t i, size_t j)
{
	const struct vfe_dev *a = b->p->t[i].dev, *c = b->p->t[j].dev;

	return a == c || (a->group >= 0 && a->group == c->group);
}

static void not_tried(const struct binding *b, size_t i, const char *why)
{
	struct vfe_bind_result *res = &b->res[i];

	res->action = VFE_ACT_FAILED;
	snprintf(res->driver_after, sizeof(res->driver_after), "%s", res->driver_before);
	snprintf(res->reason, sizeof(res->reason), "not tried: %s", why);
	done(b, i);
}

/* Asks the watcher whether to go on; once it says stop, it stays stopped. */
static const char *stopping(struct binding *b)
{
	if (!b->stopped && b->w && b->w->stop)
		b->stopped = b->w->stop(b->w->userdata);
	return b->stopped;
}

/* Gives back the members of first's group that this run bound before member upto. */
static void roll_back(const struct binding *b, size_t first, size_t upto, const char *why)
{
	char rb[240];

	snprintf(rb, sizeof(rb), "rolled back: %s", why);
	for (size_t j = first; j < upto; j++) {
		if (!to_bind(b, j) || !same_unit(b, first, j) || b->res[j].action != VFE_ACT_BOUND)
			continue;
		restore(b, j, rb);
		done(b, j);
	}
}

/*
 * Binds the targets of first's group, in plan order. One failure gives the
 * whole group back, and so does a stop in the middle (the watcher gave up
 * waiting): a group is left as it was, or whole.
 */
static void bind_group(struct binding *b, size_t first)
{
	const struct vfe_plan *p = b->p;
	char why[200] = "";

	for (size_t i = first; i < p->n; i++) {
		if (!to_bind(b, i) || !same_unit(b, first, i))
			continue;
		if (!why[0] && i != first && stopping(b)) {
			snprintf(why, sizeof(why), "%s before IOMMU group %d was complete", b->stopped, p->t[i].dev->group);
			roll_back(b, first, i, why);
		}
		if (why[0]) {
			not_tried(b, i, why);
			continue;
		}
		bind_one(b, i);
		done(b, i);
		if (b->res[i].action != VFE_ACT_FAILED)
			continue;
		snprintf(why, sizeof(why), "%s in the same IOMMU group %d could not be bound", name_of(b, i),
			 p->t[i].dev->group);
		roll_back(b, first, i, why);
	}
}

static bool first_of_unit(const struct binding *b, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (to_bind(b, j) && same_unit(b, i, j))
			return false;
	return true;
}

/* Every target of i's group fails with why (vfio-pci could not be had): nothing was written. */
static void fail_unit(const struct binding *b, size_t i, const char *why)
{
	for (size_t j = i; j < b->p->n; j++)
		if (to_bind(b, j) && same_unit(b, i, j)) {
			b->res[j].action = VFE_ACT_FAILED;
			snprintf(b->res[j].reason, sizeof(b->res[j].reason), "%s", why);
			done(b, j);
		}
}

static void skip_unit(const struct binding *b, size_t i, const char *why)
{
	for (size_t j = i; j < b->p->n; j++)
		if (to_bind(b, j) && same_unit(b, i, j))
			not_tried(b, j, why);
}

/* ---- the module ---- */

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

/* EPERM from the module loader: lockdown, kernel.modules_disabled, or no CAP_SYS_MODULE. */
static void why_eperm(const struct vfe_root *r, const char *module, char *buf, size_t n)
{
	char v[128];

	if (vfe_read_attr(r, v, sizeof(v), PATH_MODULES_DISABLED) > 0 && streq(v, "1"))
		snprintf(buf, n, "the kernel refused to load %s: module loading is disabled (kernel.modules_disabled=1)",
			 module);
	else if (geteuid() != 0)
		snprintf(buf, n, "the kernel refused to load %s: not running as root", module);
	else if (vfe_read_attr(r, v, sizeof(v), PATH_LOCKDOWN) > 0 && !strstr(v, "[none]"))
		snprintf(buf, n, "the kernel refused to load %s (EPERM): it is locked down (lockdown: %s, as under "
			 "Secure Boot) and loads only modules signed by a key it trusts; %s is unsigned or signed by "
			 "another key", module, v, module);
	else
		snprintf(buf, n, "the kernel refused to load %s (EPERM): under Secure Boot lockdown it loads only "
			 "modules signed by a key it trusts, and %s is unsigned or signed by another key", module, module);
}

void vfe_bind_module_error(const struct vfe_root *r, const char *module, int err, char *buf, size_t n)
{
	switch (-err) {
	case ENOENT:
		snprintf(buf, n, "the vfio-pci driver is not available (module missing from the initramfs?)");
		break;
	case ENODEV:
		snprintf(buf, n, "%s loaded, but no vfio-pci driver registered (see the kernel log)", module);
		break;
	case EPERM:
		why_eperm(r, module, buf, n);
		break;
	case EKEYREJECTED:
	case ENOKEY:
		snprintf(buf, n, "the kernel rejected the signature of %s (%s): with Secure Boot or module.sig_enforce=1 "
			 "it loads only modules signed by a key it trusts; %s is unsigned or signed by another key",
			 module, err == -ENOKEY ? "ENOKEY" : "EKEYREJECTED", module);
		break;
	default:
		snprintf(buf, n, "the vfio-pci driver is not available: loading %s failed: %s", module, strerror(-err));
	}
}

/* ---- the plan ---- */

struct vfe_bind_result *vfe_bind_results_new(const struct vfe_plan *p)
{
	struct vfe_bind_result *res = calloc(p->n + 1, sizeof(*res));

	for (size_t i = 0; res && i < p->n; i++) {
		res[i].action = p->t[i].action;
		strcpy_fit(res[i].driver_before, sizeof(res[i].driver_before), p->t[i].driver_before);
		strcpy_fit(res[i].driver_after, sizeof(res[i].driver_after), p->t[i].driver_before);
		strcpy_fit(res[i].reason, sizeof(res[i].reason), p->t[i].reason);
	}
	return res;
}

void vfe_bind_plan(const struct vfe_root *r, const struct vfe_plan *p, const struct vfe_bind_ops *ops,
		   const struct vfe_bind_watch *w, struct vfe_bind_result *res)
{
	struct binding b = { r, p, ops, w, res, NULL };
	size_t first = p->n;
	char why[400];
	int k;

	for (size_t i = 0; i < p->n && first == p->n; i++)
		if (to_bind(&b, i))
			first = i;
	if (first == p->n)
		return;
	step(&b, first, "loading the " VFIO_PCI_MODULE " module", "");
	k = ensure_driver(r, ops);
	if (k < 0)
		vfe_bind_module_error(r, VFIO_PCI_MODULE, k, why, sizeof(why));
	for (size_t i = first; i < p->n; i++) {
		if (!to_bind(&b, i) || !first_of_unit(&b, i))
			continue;
		if (k < 0) {
			fail_unit(&b, i, why);
			continue;
		}
		if (stopping(&b))
			skip_unit(&b, i, b.stopped);
		else
			bind_group(&b, i);
	}
}
