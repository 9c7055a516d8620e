// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <pci/pci.h>

#include "common/hex.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/pci.h"

/*
 * libpci's error callback must not return (its default calls exit(), which
 * would end the binder mid-boot): we jump back to the call that failed.
 */
static jmp_buf *pci_jump;

__attribute__((noreturn)) static void pci_error_cb(char *msg, ...)
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
		size_t nc = *cap ? *cap * 2 : 64;
		struct vfe_dev *n = realloc(p->devs, nc * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->devs = n;
		*cap = nc;
	}
	p->devs[p->n++] = *d;
	return 0;
}

/* tag and exactly digits hex digits at s; runs for every function at boot: no strtoul. */
static int hex_at(const char *s, const char *tag, size_t digits, unsigned long *ret)
{
	size_t tl = strlen(tag);
	unsigned long v = 0;

	if (strncmp(s, tag, tl) != 0)
		return -EINVAL;
	for (size_t i = 0; i < digits; i++) {
		int h = hex_digit(s[tl + i]);
		if (h < 0)
			return -EINVAL;
		v = v << 4 | (unsigned long)h;
	}
	*ret = v;
	return (int)(tl + digits);
}

int vfe_parse_modalias(const char *s, struct vfe_dev *d)
{
	static const struct {
		const char *tag;
		size_t digits;
	} f[] = { { "pci:v", 8 }, { "d", 8 }, { "sv", 8 }, { "sd", 8 }, { "bc", 2 }, { "sc", 2 }, { "i", 2 } };
	unsigned long v[7] = { 0 };

	for (size_t i = 0; i < ELEMENTSOF(f); i++) {
		int k = hex_at(s, f[i].tag, f[i].digits, &v[i]);
		if (k < 0 && i == 6)
			break; /* the interface: the kernel always writes it; be lenient */
		if (k < 0)
			return k;
		s += k;
	}
	if (v[0] > 0xffff || v[1] > 0xffff || v[2] > 0xffff || v[3] > 0xffff)
		return -EINVAL;
	d->id = (struct vfe_pci_id){ (uint16_t)v[0], (uint16_t)v[1] };
	d->subsys = (struct vfe_pci_id){ (uint16_t)v[2], (uint16_t)v[3] };
	d->has_subsys = true;
	d->class = (uint16_t)(v[4] << 8 | v[5]);
	d->prog_if = (uint8_t)v[6];
	return 0;
}

void vfe_format_modalias(const struct vfe_dev *d, char buf[VFE_MODALIAS_MAX])
{
	snprintf(buf, VFE_MODALIAS_MAX, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->id.vendor, d->id.device,
		 d->has_subsys ? d->subsys.vendor : 0, d->has_subsys ? d->subsys.device : 0, d->class >> 8,
		 d->class & 0xff, d->prog_if);
}

/* Fills ids and class from modalias (read by libpci); false when that failed (the function vanished). */
static bool fill_ids(struct pci_dev *pd, struct vfe_dev *d)
{
	const char *alias;
	jmp_buf jb;

	pci_jump = &jb;
	if (setjmp(jb)) {
		pci_jump = NULL;
		return false;
	}
	pci_fill_info(pd, PCI_FILL_MODULE_ALIAS);
	pci_jump = NULL;

	*d = (struct vfe_dev){ .group = -1 };
	d->addr = (struct vfe_pci_addr){ (uint32_t)pd->domain, pd->bus, pd->dev, pd->func };
	vfe_format_pci_addr(&d->addr, d->name);
	alias = pci_get_string_property(pd, PCI_FILL_MODULE_ALIAS);
	return alias && vfe_parse_modalias(alias, d) == 0;
}

/* The number at the end of the iommu_group link, -1 when there is none. */
static int read_group(const struct vfe_root *r, const char *bdf)
{
	char buf[32];

	if (vfe_readlink_base(r, buf, sizeof(buf), PATH_PCI_DEVICES "/%s/iommu_group", bdf) < 0)
		return -1;
	return atoi(buf);
}

/* One readlinkat() per link: libpci's own way (realpath) costs a readlink() per path component. */
void vfe_pci_fill(const struct vfe_pci *p, struct vfe_dev *d)
{
	char buf[8];

	if (d->filled)
		return;
	d->filled = true;
	d->group = read_group(p->root, d->name);
	if (vfe_readlink_base(p->root, d->driver, sizeof(d->driver), PATH_PCI_DEVICES "/%s/driver", d->name) < 0)
		d->driver[0] = '\0';
	/* boot_vga only exists on VGA-class functions: do not look elsewhere. */
	d->boot_vga = vfe_dev_is_display(d) &&
		      vfe_read_attr(p->root, buf, sizeof(buf), PATH_PCI_DEVICES "/%s/boot_vga", d->name) > 0 &&
		      buf[0] == '1';
}

void vfe_pci_fill_all(struct vfe_pci *p)
{
	for (size_t i = 0; i < p->n; i++)
		vfe_pci_fill(p, &p->devs[i]);
}

static int cmp_addr(const struct vfe_pci_addr *x, const struct vfe_pci_addr *y)
{
	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->func == y->func ? 0 : x->func < y->func ? -1 : 1;
}

static int cmp_dev(const void *a, const void *b)
{
	return cmp_addr(&((const struct vfe_dev *)a)->addr, &((const struct vfe_dev *)b)->addr);
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

static int scan_devices(struct pci_access *pa, struct vfe_pci *ret)
{
	size_t cap = 0;

	if (!init_and_scan(pa))
		return -ENOENT;
	for (struct pci_dev *pd = pa->devices; pd; pd = pd->next) {
		struct vfe_dev d;
		if (!fill_ids(pd, &d)) {
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

	*ret = (struct vfe_pci){ .root = r };
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
	k = scan_devices(pa, ret);
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
	struct vfe_dev key = { .addr = *a };

	return p->n ? bsearch(&key, p->devs, p->n, sizeof(*p->devs), cmp_dev) : NULL;
}

static int push_member(struct vfe_dev ***v, size_t *n, struct vfe_dev *d)
{
	struct vfe_dev **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	(*v)[(*n)++] = d;
	return 0;
}

/* Without the group's directory (an old kernel, a partial tree), compare every function's group. */
static int members_by_scan(const struct vfe_pci *p, int group, struct vfe_dev ***v, size_t *n)
{
	for (size_t i = 0; i < p->n; i++) {
		vfe_pci_fill(p, &p->devs[i]);
		if (p->devs[i].group == group && push_member(v, n, &p->devs[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int vfe_pci_group_members(const struct vfe_pci *p, int group, struct vfe_dev ***ret)
{
	char rel[64];
	struct vfe_dev **v = NULL;
	struct dirent *de;
	size_t n = 0;
	int k = 0;
	DIR *dir;

	snprintf(rel, sizeof(rel), PATH_IOMMU_GROUPS "/%d/devices", group);
	dir = vfe_opendir(p->root, rel);
	if (!dir)
		k = members_by_scan(p, group, &v, &n);
	while (dir && k >= 0 && (de = readdir(dir))) {
		struct vfe_pci_addr a;
		struct vfe_dev *d;
		if (vfe_parse_pci_addr(de->d_name, &a) < 0 || !(d = vfe_pci_find(p, &a)))
			continue;
		vfe_pci_fill(p, d);
		k = push_member(&v, &n, d);
	}
	if (dir)
		closedir(dir);
	if (k < 0) {
		free(v);
		return k;
	}
	*ret = v;
	return (int)n;
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
