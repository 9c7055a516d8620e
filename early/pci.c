// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>

#include "common/hex.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/pci.h"

/*
 * The scan runs at every boot over every PCI function, so it is written
 * down to the floor: one readdir of sys/bus/pci/devices, then per function
 * one open + read + close of its modalias, which holds the ids, the
 * subsystem ids, the class and the interface in one small read. libpci
 * (which the CLI keeps for names) did the same reads but cost four times
 * the instructions (sscanf of every name, a path snprintf per attribute, a
 * malloc per device) and brought libudev and libz into the initramfs.
 */

/* A free slot at the end of the array, where the next function is read straight into. */
static struct vfe_dev *next_slot(struct vfe_pci *p, size_t *cap)
{
	if (p->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct vfe_dev *n = realloc(p->devs, nc * sizeof(*n));
		if (!n)
			return NULL;
		p->devs = n;
		*cap = nc;
	}
	return &p->devs[p->n];
}

/* The value of the hex digit c, or 0xff for any other byte. */
static inline uint8_t hex1(char c)
{
	return (uint8_t)hex_digit(c);
}

/*
 * Exactly 8 (or 2) hex digits at s, in straight code: the table holds the
 * digits' values, and one OR of them tells whether all were digits. Parsing
 * the modalias runs for every PCI function at every boot.
 */
static inline bool hex8(const char *s, uint32_t *ret)
{
	uint8_t a = hex1(s[0]), b = hex1(s[1]), c = hex1(s[2]), d = hex1(s[3]);
	uint8_t e = hex1(s[4]), f = hex1(s[5]), g = hex1(s[6]), h = hex1(s[7]);

	if ((a | b | c | d | e | f | g | h) > 0xf)
		return false;
	*ret = (uint32_t)a << 28 | (uint32_t)b << 24 | (uint32_t)c << 20 | (uint32_t)d << 16 | (uint32_t)e << 12 |
	       (uint32_t)f << 8 | (uint32_t)g << 4 | h;
	return true;
}

static inline bool hex2(const char *s, uint32_t *ret)
{
	uint8_t a = hex1(s[0]), b = hex1(s[1]);

	if ((a | b) > 0xf)
		return false;
	*ret = (uint32_t)a << 4 | b;
	return true;
}

/* len: the string's length, or VFE_MODALIAS_LEN when it is longer; every place read is inside it. */
static int parse_modalias(const char *s, size_t len, struct vfe_dev *d)
{
	uint32_t v[7] = { 0 };

	/* pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdSSSSSSSSbcBBscSSiII: fixed places */
	if (len < VFE_MODALIAS_LEN - 3 || memcmp(s, "pci:v", 5) != 0 || !hex8(s + 5, &v[0]) || s[13] != 'd' ||
	    !hex8(s + 14, &v[1]) || s[22] != 's' || s[23] != 'v' || !hex8(s + 24, &v[2]) || s[32] != 's' ||
	    s[33] != 'd' || !hex8(s + 34, &v[3]) || s[42] != 'b' || s[43] != 'c' || !hex2(s + 44, &v[4]) ||
	    s[46] != 's' || s[47] != 'c' || !hex2(s + 48, &v[5]))
		return -EINVAL;
	/* the interface: the kernel always writes it; be lenient */
	if (len < VFE_MODALIAS_LEN || s[50] != 'i' || !hex2(s + 51, &v[6]))
		v[6] = 0;
	if ((v[0] | v[1] | v[2] | v[3]) > 0xffff)
		return -EINVAL;
	d->id = (struct vfe_pci_id){ (uint16_t)v[0], (uint16_t)v[1] };
	d->subsys = (struct vfe_pci_id){ (uint16_t)v[2], (uint16_t)v[3] };
	d->has_subsys = true;
	d->class = (uint16_t)(v[4] << 8 | v[5]);
	d->prog_if = (uint8_t)v[6];
	return 0;
}

int vfe_parse_modalias(const char *s, struct vfe_dev *d)
{
	return parse_modalias(s, strnlen(s, VFE_MODALIAS_LEN), d);
}

void vfe_format_modalias(const struct vfe_dev *d, char buf[VFE_MODALIAS_MAX])
{
	snprintf(buf, VFE_MODALIAS_MAX, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->id.vendor, d->id.device,
		 d->has_subsys ? d->subsys.vendor : 0, d->has_subsys ? d->subsys.device : 0, d->class >> 8,
		 d->class & 0xff, d->prog_if);
}

/* The number at the end of the iommu_group link, -1 when there is none. */
static int read_group(const struct vfe_root *r, const char *bdf)
{
	char buf[32];

	if (vfe_readlink_base(r, buf, sizeof(buf), PATH_PCI_DEVICES "/%s/iommu_group", bdf) < 0)
		return -1;
	return atoi(buf);
}

/* One readlinkat() per link: realpath() would cost a readlink() per path component. */
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

/* NAME/modalias in the devices directory: one open, one read (sysfs hands an attribute over whole), one close. */
static int read_modalias(int dirfd, const char *name, size_t len, char *buf, size_t n)
{
	static const char attr[] = "/modalias";
	char rel[VFE_ADDR_STRLEN + sizeof(attr)];
	ssize_t k;
	int fd, err;

	memcpy(rel, name, len);
	memcpy(rel + len, attr, sizeof(attr));
	fd = openat(dirfd, rel, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	k = read(fd, buf, n - 1);
	err = k < 0 ? negative_errno() : 0;
	close(fd);
	if (err < 0)
		return err;
	buf[k] = '\0';
	return (int)k;
}

/* One directory entry: "0000:01:00.0" (a VMD domain has five digits); anything else is not a function. */
static int scan_one(int dirfd, const char *name, struct vfe_dev *d)
{
	char alias[VFE_MODALIAS_MAX + 16];
	size_t len = strlen(name);
	int k;

	*d = (struct vfe_dev){ .group = -1 };
	if (len >= sizeof(d->name) || vfe_parse_pci_addr(name, &d->addr) < 0)
		return -EINVAL;
	k = read_modalias(dirfd, name, len, alias, sizeof(alias));
	if (k < 0)
		return k;
	/* the kernel's name is already canonical: keep it rather than format it again */
	memcpy(d->name, name, len + 1);
	return parse_modalias(alias, (size_t)k, d);
}

struct sort_key {
	uint64_t key; /* domain << 16 | bus << 8 | device << 3 | function: lspci's order */
	size_t i;
};

/*
 * A radix sort, least significant byte first, of the bytes that differ
 * between keys (varying: the bits that do; the domain's bytes are the same
 * on most machines): two linear passes per byte where qsort() made
 * n log n calls to a comparison function (a quarter of the binder's
 * instructions on 4096 functions).
 */
static void radix_sort(struct sort_key *keys, struct sort_key *tmp, size_t n, uint64_t varying)
{
	struct sort_key *src = keys, *dst = tmp, *t;

	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[256] = { 0 }, pos = 0;

		if (!((varying >> shift) & 0xff))
			continue;
		for (size_t i = 0; i < n; i++)
			count[(src[i].key >> shift) & 0xff]++;
		for (size_t b = 0; b < 256; b++) {
			size_t c = count[b];
			count[b] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & 0xff]++] = src[i];
		t = src, src = dst, dst = t;
	}
	if (src != keys)
		memcpy(keys, src, n * sizeof(*keys));
}

/* readdir() gives the directory's own order (a hash order, on sysfs and on ext4 alike): sort by address. */
static int sort_devs(struct vfe_pci *p)
{
	_cleanup_free_ struct sort_key *keys = NULL;
	uint64_t all = UINT64_MAX, any = 0;
	struct vfe_dev *devs;
	size_t i;

	for (i = 1; i < p->n && cmp_addr(&p->devs[i - 1].addr, &p->devs[i].addr) < 0; i++)
		;
	if (i >= p->n)
		return 0;
	keys = malloc(2 * p->n * sizeof(*keys));
	devs = malloc(p->n * sizeof(*devs));
	if (!keys || !devs) {
		free(devs);
		return -ENOMEM;
	}
	for (i = 0; i < p->n; i++) {
		const struct vfe_pci_addr *a = &p->devs[i].addr;
		keys[i] = (struct sort_key){ (uint64_t)a->domain << 16 | (uint64_t)a->bus << 8 | a->dev << 3 | a->func, i };
		all &= keys[i].key;
		any |= keys[i].key;
	}
	radix_sort(keys, keys + p->n, p->n, all ^ any);
	for (i = 0; i < p->n; i++)
		devs[i] = p->devs[keys[i].i];
	free(p->devs);
	p->devs = devs;
	return 0;
}

int vfe_pci_scan(const struct vfe_root *r, struct vfe_pci *ret)
{
	struct dirent *de;
	size_t cap = 0;
	int k = 0;
	DIR *dir;

	*ret = (struct vfe_pci){ .root = r };
	dir = vfe_opendir(r, PATH_PCI_DEVICES);
	if (!dir)
		return errno == ENOMEM ? -ENOMEM : -ENOENT;
	while (k >= 0 && (de = readdir(dir))) {
		struct vfe_dev *d;
		if (de->d_name[0] == '.')
			continue;
		if (!(d = next_slot(ret, &cap))) {
			k = -ENOMEM;
			break;
		}
		if (scan_one(dirfd(dir), de->d_name, d) < 0) {
			/* it vanished, or is not a function: the boot goes on without it */
			log_debug("skipping %s/%s: it could not be read", PATH_PCI_DEVICES, de->d_name);
			continue;
		}
		ret->n++;
	}
	closedir(dir);
	if (k >= 0)
		k = sort_devs(ret);
	if (k < 0) {
		vfe_pci_free(ret);
		return k;
	}
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
