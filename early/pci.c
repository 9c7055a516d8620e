// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <pci/pci.h>

#include "log.h"
#include "paths.h"
#include "pci.h"

/*
 * libpci's error callback must not return (its default calls exit(), which
 * would end the binder mid-boot): we jump back to the call that failed.
 */
static jmp_buf *pci_jump;

static _Noreturn void pci_error_cb(char *msg, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	log_debug("libpci: %s", buf);
	if (pci_jump)
		longjmp(*pci_jump, 1);
	abort();
}

static void pci_quiet_cb(char *msg _unused_, ...)
{
}

static int push_dev(struct vfe_pci *p, const struct vfe_dev *d, size_t *cap)
{
	if (p->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct vfe_dev *n = realloc(p->devs, nc * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->devs = n;
		*cap = nc;
	}
	p->devs[p->n++] = *d;
	return 0;
}

/* The number at the end of the iommu_group link, -1 when there is none. */
static int read_group(const struct vfe_root *r, const char *bdf)
{
	char buf[32];

	if (vfe_readlink_base(r, buf, sizeof(buf), PATH_PCI_DEVICES "/%s/iommu_group", bdf) < 0)
		return -1;
	return atoi(buf);
}

/*
 * Fills one device; returns false when libpci failed on it (it vanished, or
 * a file is unreadable). The two links are read here with one readlinkat()
 * each: libpci resolves them with realpath(), a readlink() per path
 * component, which was most of the scan's system calls.
 */
static bool fill_dev(const struct vfe_root *r, struct pci_dev *pd, struct vfe_dev *d)
{
	jmp_buf jb;
	char buf[8];

	pci_jump = &jb;
	if (setjmp(jb)) {
		pci_jump = NULL;
		return false;
	}
	pci_fill_info(pd, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_SUBSYS);
	pci_jump = NULL;

	*d = (struct vfe_dev){ .group = -1 };
	d->addr = (struct vfe_pci_addr){ (uint32_t)pd->domain, pd->bus, pd->dev, pd->func };
	vfe_format_pci_addr(&d->addr, d->name);
	d->id = (struct vfe_pci_id){ pd->vendor_id, pd->device_id };
	d->class = pd->device_class;
	if (pd->known_fields & PCI_FILL_SUBSYS) {
		d->has_subsys = true;
		d->subsys = (struct vfe_pci_id){ pd->subsys_vendor_id, pd->subsys_id };
	}
	d->group = read_group(r, d->name);
	if (vfe_readlink_base(r, d->driver, sizeof(d->driver), PATH_PCI_DEVICES "/%s/driver", d->name) < 0)
		d->driver[0] = '\0';
	/* boot_vga only exists on VGA-class functions: do not look elsewhere. */
	if (vfe_dev_is_display(d) && vfe_read_attr(r, buf, sizeof(buf), PATH_PCI_DEVICES "/%s/boot_vga", d->name) > 0)
		d->boot_vga = buf[0] == '1';
	return true;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct vfe_dev *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static bool init_and_scan(struct pci_access *pa)
{
	jmp_buf jb;

	pci_jump = &jb;
	if (setjmp(jb)) {
		pci_jump = NULL;
		return false;
	}
	pci_init(pa);
	pci_scan_bus(pa);
	pci_jump = NULL;
	return true;
}

static int scan_devices(const struct vfe_root *r, struct pci_access *pa, struct vfe_pci *ret)
{
	size_t cap = 0;

	if (!init_and_scan(pa))
		return -ENOENT;
	for (struct pci_dev *pd = pa->devices; pd; pd = pd->next) {
		struct vfe_dev d;
		if (!fill_dev(r, pd, &d)) {
			log_debug("skipping a PCI function that could not be read");
			continue;
		}
		if (push_dev(ret, &d, &cap) < 0)
			return -ENOMEM;
	}
	return 0;
}

int vfe_pci_scan(const struct vfe_root *r, struct vfe_pci *ret)
{
	_cleanup_free_ char *sysfs = vfe_root_abspath(r, PATH_SYS_PCI);
	struct pci_access *pa;
	int k;

	*ret = (struct vfe_pci){ 0 };
	if (!sysfs)
		return -ENOMEM;
	if (!vfe_exists(r, PATH_PCI_DEVICES))
		return -ENOENT;
	pa = pci_alloc();
	if (!pa)
		return -ENOMEM;
	pa->error = pci_error_cb;
	pa->warning = pci_quiet_cb;
	pa->debug = pci_quiet_cb;
	pa->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(pa, "sysfs.path", sysfs);
	k = scan_devices(r, pa, ret);
	pci_cleanup(pa);
	if (k < 0) {
		vfe_pci_free(ret);
		return k;
	}
	if (ret->n)
		qsort(ret->devs, ret->n, sizeof(*ret->devs), cmp_dev);
	return 0;
}

void vfe_pci_free(struct vfe_pci *p)
{
	free(p->devs);
	*p = (struct vfe_pci){ 0 };
}

struct vfe_dev *vfe_pci_find(const struct vfe_pci *p, const struct vfe_pci_addr *a)
{
	for (size_t i = 0; i < p->n; i++)
		if (vfe_pci_addr_eq(&p->devs[i].addr, a))
			return &p->devs[i];
	return NULL;
}

bool vfe_iommu_active(const struct vfe_root *r)
{
	DIR *d = vfe_opendir(r, PATH_CLASS_IOMMU);
	struct dirent *de;
	bool any = false;

	if (!d)
		return false;
	while (!any && (de = readdir(d)))
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}
