// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/fakesys.h"

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int full(struct fake_root *f, const char *rel, char *buf, size_t n)
{
	return snprintf(buf, n, "%s/%s", f->dir, rel) >= (int)n ? -ENAMETOOLONG : 0;
}

static int mkparent(const char *path)
{
	char tmp[PATH_MAX];
	char *slash;

	snprintf(tmp, sizeof(tmp), "%s", path);
	slash = strrchr(tmp, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	return mkdir_p(tmp);
}

int fake_mkdir(struct fake_root *f, const char *rel)
{
	char p[PATH_MAX];
	int r = full(f, rel, p, sizeof(p));

	return r < 0 ? r : mkdir_p(p);
}

int fake_write(struct fake_root *f, const char *rel, const char *content)
{
	char p[PATH_MAX];
	FILE *fp;
	int r = full(f, rel, p, sizeof(p));

	if (r < 0 || (r = mkparent(p)) < 0)
		return r;
	fp = fopen(p, "w");
	if (!fp)
		return -errno;
	fputs(content, fp);
	return fclose(fp) == 0 ? 0 : -errno;
}

int fake_symlink(struct fake_root *f, const char *rel, const char *target)
{
	char p[PATH_MAX];
	int r = full(f, rel, p, sizeof(p));

	if (r < 0 || (r = mkparent(p)) < 0)
		return r;
	(void)unlink(p);
	return symlink(target, p) < 0 ? -errno : 0;
}

char *fake_own(struct fake_root *f, char *s)
{
	char **v;

	if (!s)
		return NULL;
	v = realloc(f->owned, (f->n_owned + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return NULL;
	}
	f->owned = v;
	f->owned[f->n_owned++] = s;
	return s;
}

char *fake_read(struct fake_root *f, const char *rel)
{
	char *buf = NULL;

	return vfe_read_file(&f->root, rel, 16 << 20, &buf) < 0 ? NULL : buf;
}

char *fake_text(struct fake_root *f, const char *rel)
{
	return fake_own(f, fake_read(f, rel));
}

int fake_root_new(struct fake_root *f, const char *dir)
{
	const char *tmp = getenv("TMPDIR");
	int r;

	f->owned = NULL;
	f->n_owned = 0;
	f->root = (struct vfe_root){ .fd = -1 };
	if (dir) {
		if (snprintf(f->dir, sizeof(f->dir), "%s", dir) >= (int)sizeof(f->dir))
			return -ENAMETOOLONG;
		if ((r = mkdir_p(f->dir)) < 0)
			return r;
	} else {
		snprintf(f->dir, sizeof(f->dir), "%s/vfe-fake-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(f->dir))
			return -errno;
	}
	if ((r = fake_write(f, "dev/kmsg", "")) < 0 || (r = fake_write(f, "proc/cmdline", "quiet\n")) < 0 ||
	    (r = fake_mkdir(f, "run")) < 0 || (r = fake_mkdir(f, "etc")) < 0 ||
	    (r = fake_mkdir(f, "sys/bus/pci/devices")) < 0 || (r = fake_write(f, "sys/bus/pci/drivers_probe", "")) < 0)
		return r;
	return vfe_root_open(&f->root, f->dir);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fake_root_free(struct fake_root *f)
{
	vfe_root_close(&f->root);
	for (size_t i = 0; i < f->n_owned; i++)
		free(f->owned[i]);
	free(f->owned);
	f->owned = NULL;
	f->n_owned = 0;
	if (f->dir[0] && !getenv("VFE_KEEP_FAKE"))
		nftw(f->dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
	f->dir[0] = '\0';
}

static int attr(struct fake_root *f, const char *bdf, const char *name, const char *fmt, unsigned v)
{
	char rel[PATH_MAX], val[64];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/%s", bdf, name);
	snprintf(val, sizeof(val), fmt, v);
	return fake_write(f, rel, val);
}

int fake_driver(struct fake_root *f, const char *name)
{
	char rel[PATH_MAX];
	int r;

	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/bind", name);
	if ((r = fake_write(f, rel, "")) < 0)
		return r;
	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/unbind", name);
	return fake_write(f, rel, "");
}

int fake_set_driver(struct fake_root *f, const char *bdf, const char *name)
{
	char rel[PATH_MAX], target[PATH_MAX], p[PATH_MAX];
	int r;

	char old[PATH_MAX], link[PATH_MAX];
	ssize_t l;

	/* as sysfs: the device's driver link, and the driver's link back to the device */
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", bdf);
	full(f, rel, p, sizeof(p));
	l = readlink(p, old, sizeof(old) - 1);
	if (l > 0) {
		old[l] = '\0';
		snprintf(link, sizeof(link), "sys/bus/pci/drivers/%s/%s", strrchr(old, '/') ? strrchr(old, '/') + 1 : old, bdf);
		full(f, link, target, sizeof(target));
		(void)unlink(target);
	}
	if (!name)
		return unlink(p) < 0 && errno != ENOENT ? -errno : 0;
	if ((r = fake_driver(f, name)) < 0)
		return r;
	snprintf(target, sizeof(target), "../../drivers/%s", name);
	if ((r = fake_symlink(f, rel, target)) < 0)
		return r;
	snprintf(link, sizeof(link), "sys/bus/pci/drivers/%s/%s", name, bdf);
	snprintf(target, sizeof(target), "../../devices/%s", bdf);
	return fake_symlink(f, link, target);
}

static int add_group(struct fake_root *f, const char *bdf, int group)
{
	char rel[PATH_MAX], target[PATH_MAX];
	int r;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/iommu_group", bdf);
	snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%d", group);
	if ((r = fake_symlink(f, rel, target)) < 0)
		return r;
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices/%s", group, bdf);
	snprintf(target, sizeof(target), "../../../../bus/pci/devices/%s", bdf);
	return fake_symlink(f, rel, target);
}

int fake_pci_add(struct fake_root *f, const struct fake_pci *p)
{
	char modalias[128];
	int r;

	snprintf(modalias, sizeof(modalias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", p->vendor, p->device,
		 p->subvendor, p->subdevice, (p->class >> 16) & 0xff, (p->class >> 8) & 0xff, p->class & 0xff);
	if ((r = attr(f, p->bdf, "vendor", "0x%04x\n", p->vendor)) < 0 ||
	    (r = attr(f, p->bdf, "device", "0x%04x\n", p->device)) < 0 ||
	    (r = attr(f, p->bdf, "subsystem_vendor", "0x%04x\n", p->subvendor)) < 0 ||
	    (r = attr(f, p->bdf, "subsystem_device", "0x%04x\n", p->subdevice)) < 0 ||
	    (r = attr(f, p->bdf, "class", "0x%06x\n", p->class)) < 0)
		return r;
	{
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/modalias", p->bdf);
		if ((r = fake_write(f, rel, strcat(modalias, "\n"))) < 0)
			return r;
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", p->bdf);
		if ((r = fake_write(f, rel, "(null)\n")) < 0)
			return r;
	}
	if (p->boot_vga >= 0 && (r = attr(f, p->bdf, "boot_vga", "%u\n", (unsigned)p->boot_vga)) < 0)
		return r;
	if (p->group >= 0 && (r = add_group(f, p->bdf, p->group)) < 0)
		return r;
	return p->driver ? fake_set_driver(f, p->bdf, p->driver) : 0;
}

int fake_iommu_on(struct fake_root *f)
{
	return fake_write(f, "sys/class/iommu/dmar0/name", "dmar0\n");
}

/* "../" once per component of dir (a path relative to the root, no trailing '/'). */
static void ups(const char *dir, char *buf, size_t n)
{
	size_t l = 0;

	buf[0] = '\0';
	for (const char *p = dir; p && *p && l + 4 < n; p = strchr(p, '/'), p = p ? p + 1 : NULL)
		l += (size_t)snprintf(buf + l, n - l, "../");
}

int fake_block_add(struct fake_root *f, const char *devnum, const char *path)
{
	char rel[PATH_MAX], target[PATH_MAX];
	const char *name = strrchr(path, '/');
	int r;

	name = name ? name + 1 : path;
	snprintf(rel, sizeof(rel), "sys/%s/dev", path);
	snprintf(target, sizeof(target), "%s\n", devnum);
	if ((r = fake_write(f, rel, target)) < 0)
		return r;
	snprintf(rel, sizeof(rel), "sys/dev/block/%s", devnum);
	snprintf(target, sizeof(target), "../../%s", path);
	if ((r = fake_symlink(f, rel, target)) < 0)
		return r;
	snprintf(rel, sizeof(rel), "sys/class/block/%s", name);
	return fake_symlink(f, rel, target);
}

/* The path under sys/ of block device name, from its sys/class/block link. */
static int block_path(struct fake_root *f, const char *name, char *buf, size_t n)
{
	char rel[PATH_MAX], target[PATH_MAX];
	int k;

	snprintf(rel, sizeof(rel), "sys/class/block/%s", name);
	k = vfe_readlink(&f->root, target, sizeof(target), "%s", rel);
	if (k < 0)
		return k;
	if (strncmp(target, "../../", 6) != 0)
		return -EINVAL;
	snprintf(buf, n, "%s", target + 6);
	return 0;
}

int fake_block_slave(struct fake_root *f, const char *holder, const char *slave)
{
	char hp[PATH_MAX], sp[PATH_MAX], dir[PATH_MAX], up[PATH_MAX], rel[PATH_MAX * 2], target[PATH_MAX * 2];
	int r;

	if ((r = block_path(f, holder, hp, sizeof(hp))) < 0 || (r = block_path(f, slave, sp, sizeof(sp))) < 0)
		return r;
	snprintf(dir, sizeof(dir), "sys/%s/slaves", hp);
	ups(dir + 4, up, sizeof(up)); /* from sys/<holder>/slaves/ back up to sys/ */
	snprintf(rel, sizeof(rel), "%s/%s", dir, slave);
	snprintf(target, sizeof(target), "%s%s", up, sp);
	return fake_symlink(f, rel, target);
}

/* ---- the fake kernel ---- */

static struct fake_kdev *kdev(struct fake_kernel *k, const char *bdf)
{
	for (size_t i = 0; i < sizeof(k->dev) / sizeof(k->dev[0]) && k->dev[i].bdf; i++)
		if (strcmp(k->dev[i].bdf, bdf) == 0)
			return &k->dev[i];
	return NULL;
}

static bool has_driver(struct fake_root *f, const char *bdf)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/driver", f->dir, bdf);
	return lstat(p, &st) == 0;
}

static _Noreturn void hang(struct fake_root *f)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	fake_write(f, "hang.pid", pid);
	for (;;)
		pause();
}

static void probe(struct fake_kernel *k, const char *bdf)
{
	struct fake_kdev *d = kdev(k, bdf);
	char rel[PATH_MAX], *ov;

	if (has_driver(k->f, bdf))
		return;
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", bdf);
	ov = fake_read(k->f, rel);
	if (ov && strcmp(ov, "vfio-pci") == 0) {
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof(p), "%s/sys/bus/pci/drivers/vfio-pci", k->f->dir);
		if (stat(p, &st) < 0 || (d && d->fault == FAKE_VFIO_REFUSES))
			goto out;
		if (d && d->fault == FAKE_PROBE_HANGS)
			hang(k->f);
		if (d && d->fault == FAKE_PROBE_SLOW)
			usleep(k->slow_ms * 1000);
		fake_set_driver(k->f, bdf, "vfio-pci");
	} else if ((!ov || !*ov || strcmp(ov, "(null)\n") == 0) && d && d->native) {
		fake_set_driver(k->f, bdf, d->native);
	}
out:
	free(ov);
}

void fake_kernel_written(void *userdata, const char *path, const char *value)
{
	struct fake_kernel *k = userdata;
	const char *bdf = value, *tail;
	char dev[64], *first;

	/* what the status record said when the first write reached the kernel */
	first = fake_read(k->f, "status-at-first-write");
	if (!first) {
		char *st = fake_read(k->f, "run/vfio-early/status");
		fake_write(k->f, "status-at-first-write", st ? st : "(none)");
		free(st);
	}
	free(first);

	if (strcmp(path, "sys/bus/pci/drivers_probe") == 0)
		return probe(k, bdf);
	if ((tail = strrchr(path, '/')) && strcmp(tail, "/unbind") == 0) {
		struct fake_kdev *d = kdev(k, bdf);
		if (d && d->fault == FAKE_UNBIND_HANGS)
			hang(k->f);
		fake_set_driver(k->f, bdf, NULL);
		return;
	}
	/* clearing an override: sysfs shows "(null)" again */
	if (sscanf(path, "sys/bus/pci/devices/%63[^/]/driver_override", dev) == 1 && (!*value || strcmp(value, "\n") == 0)) {
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", dev);
		fake_write(k->f, rel, "(null)\n");
	}
}

int fake_kernel_load_module(void *userdata, const char *name)
{
	struct fake_kernel *k = userdata;

	(void)name;
	if (k->load_error)
		return k->load_error;
	return fake_driver(k->f, "vfio-pci");
}

void *fake_shared(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	memset(p, 0, n);
	return p;
}

bool fake_kernel_end_hang(struct fake_root *f)
{
	char *s = fake_read(f, "hang.pid");
	int pid = s ? atoi(s) : 0;

	free(s);
	if (pid <= 0)
		return false;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return true;
}
