// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bare ROOT: the floor the benchmark holds the binder to (tests/bench/run.sh).
 *
 * The binder's job on the benchmark trees, written as the shortest C loop
 * that does the same system calls and nothing else: no config syntax beyond
 * "device ADDR id=VVVV:DDDD", no guards beyond the shell reference's (bridge,
 * boot VGA, a group member held by a host driver), no status record format,
 * no error handling worth the name. It is what tests/bench/ref-bind.sh does,
 * in C:
 *   - proc/cmdline (vfio_early=off), sys/class/iommu, vfio-pci registered;
 *     when it is not, load vfio_pci as the binder does: dlopen libkmod,
 *     kmod_new on the root's lib/modules/RELEASE, probe-insert;
 *   - one readdir of sys/bus/pci/devices and one read of each modalias;
 *   - for each match: its IOMMU group's members (modalias, driver link),
 *     then per member driver_override, drivers_probe and the driver link
 *     read back, one line to dev/kmsg;
 *   - run/vfio-early-bare.status, written once.
 * Built by run.sh at bench time, linked like the binder (libc only).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_WANT 256

struct want {
	char addr[16];
	unsigned vendor, device;
};

static int root, kmsg;
static struct want want[MAX_WANT];
static int n_want;
static char status[1 << 16];
static size_t status_len;

static int read_at(int dir, const char *rel, char *buf, size_t n)
{
	int fd = openat(dir, rel, O_RDONLY | O_CLOEXEC);
	ssize_t k;

	if (fd < 0)
		return -1;
	k = read(fd, buf, n - 1);
	close(fd);
	if (k < 0)
		return -1;
	buf[k] = '\0';
	return (int)k;
}

static int write_at(const char *rel, const char *val, size_t len)
{
	int fd = openat(root, rel, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t k;

	if (fd < 0)
		return -1;
	k = write(fd, val, len);
	close(fd);
	return k == (ssize_t)len ? 0 : -1;
}

/* The last component of a link's target, "" when there is no link. */
static void link_base(const char *rel, char *buf, size_t n)
{
	char t[256];
	ssize_t k = readlinkat(root, rel, t, sizeof(t) - 1);
	const char *s;

	buf[0] = '\0';
	if (k <= 0)
		return;
	t[k] = '\0';
	s = strrchr(t, '/');
	snprintf(buf, n, "%s", s ? s + 1 : t);
}

static unsigned hex(const char *s, int digits)
{
	unsigned v = 0;

	for (int i = 0; i < digits; i++)
		v = v << 4 | (unsigned)(s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	return v;
}

static void say(const char *addr, const char *what)
{
	char line[160];
	int l = snprintf(line, sizeof(line), "<13>vfio-early-bare: %s: %s\n", addr, what);

	(void)!write(kmsg, line, (size_t)l);
	status_len += (size_t)snprintf(status + status_len, sizeof(status) - status_len, "%s %s\n", addr, what);
}

static int cmp_want(const void *a, const void *b)
{
	return strcmp(((const struct want *)a)->addr, ((const struct want *)b)->addr);
}

static int cmp_name_want(const void *name, const void *w)
{
	return strcmp(name, ((const struct want *)w)->addr);
}

/* The entries, sorted by address: the scan finds a function's entry by binary search, as the binder does. */
static void read_config(void)
{
	static char text[1 << 16];
	char *line, *save = NULL;

	if (read_at(root, "etc/vfio-early.conf", text, sizeof(text)) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line && n_want < MAX_WANT; line = strtok_r(NULL, "\n", &save)) {
		struct want *w = &want[n_want];
		const char *id;
		if (sscanf(line, "device %15s", w->addr) != 1 || !(id = strstr(line, " id=")))
			continue;
		w->vendor = hex(id + 4, 4);
		w->device = hex(id + 9, 4);
		n_want++;
	}
	qsort(want, (size_t)n_want, sizeof(*want), cmp_want);
}

/* The modalias of NAME, from the open devices directory: vendor, device, class (base << 8 | sub). */
static int ids(int dir, const char *name, unsigned *vendor, unsigned *device, unsigned *class)
{
	char rel[64], m[80];
	size_t l = strlen(name);

	if (l > sizeof(rel) - sizeof("/modalias"))
		return -1;
	memcpy(rel, name, l);
	memcpy(rel + l, "/modalias", sizeof("/modalias"));
	if (read_at(dir, rel, m, sizeof(m)) < 52)
		return -1;
	/* pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdSSSSSSSSbcBBscSSiII */
	*vendor = hex(m + 9, 4);
	*device = hex(m + 18, 4);
	*class = hex(m + 44, 2) << 8 | hex(m + 48, 2);
	return 0;
}

static void bind_group(int devs, const char *addr)
{
	char rel[128], g[32], drv[64], members[64][16];
	int n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/iommu_group", addr);
	link_base(rel, g, sizeof(g));
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%s/devices", g);
	d = fdopendir(openat(root, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!g[0] || !d)
		return say(addr, "refused no-iommu-group");
	while ((de = readdir(d)) && n < 64) {
		unsigned v, dv, c;
		if (de->d_name[0] == '.' || ids(devs, de->d_name, &v, &dv, &c) < 0 || c == 0x0604)
			continue;
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", de->d_name);
		link_base(rel, drv, sizeof(drv));
		if (drv[0] && strcmp(drv, "vfio-pci") != 0) {
			closedir(d);
			return say(addr, "refused group-held");
		}
		snprintf(members[n++], sizeof(members[0]), "%s", de->d_name);
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", members[i]);
		write_at(rel, "vfio-pci", 8);
		write_at("sys/bus/pci/drivers_probe", members[i], strlen(members[i]));
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", members[i]);
		link_base(rel, drv, sizeof(drv));
		say(members[i], strcmp(drv, "vfio-pci") == 0 ? "bound" : "failed");
	}
}

/* vfio_pci through libkmod, opened only now, against the root's modules (as the binder does). */
static void load_vfio_pci(const char *rootdir)
{
	void *dl = dlopen("libkmod.so.2", RTLD_NOW | RTLD_LOCAL);
	__typeof__(kmod_new) *k_new;
	__typeof__(kmod_unref) *k_unref;
	__typeof__(kmod_module_new_from_name) *k_from_name;
	__typeof__(kmod_module_probe_insert_module) *k_insert;
	__typeof__(kmod_module_unref) *k_mod_unref;
	char dir[4096], etc[4096];
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	struct utsname u;

	if (!dl || uname(&u) < 0)
		return;
	k_new = (__typeof__(k_new))dlsym(dl, "kmod_new");
	k_unref = (__typeof__(k_unref))dlsym(dl, "kmod_unref");
	k_from_name = (__typeof__(k_from_name))dlsym(dl, "kmod_module_new_from_name");
	k_insert = (__typeof__(k_insert))dlsym(dl, "kmod_module_probe_insert_module");
	k_mod_unref = (__typeof__(k_mod_unref))dlsym(dl, "kmod_module_unref");
	if (!k_new || !k_unref || !k_from_name || !k_insert || !k_mod_unref)
		return;
	snprintf(dir, sizeof(dir), "%s/lib/modules/%s", rootdir, u.release);
	snprintf(etc, sizeof(etc), "%s/etc/modprobe.d", rootdir);
	const char *conf[] = { etc, NULL };
	ctx = k_new(dir, conf);
	if (ctx && k_from_name(ctx, "vfio_pci", &mod) == 0) {
		(void)k_insert(mod, 0, NULL, NULL, NULL, NULL);
		k_mod_unref(mod);
	}
	if (ctx)
		k_unref(ctx);
}

struct match {
	char addr[16];
	unsigned class;
};
static struct match matches[MAX_WANT];
static int n_matches;

/* The scan, on its own so callgrind can count it: one readdir, one modalias read per function. */
static __attribute__((noinline)) void scan(int devs)
{
	DIR *d = fdopendir(dup(devs));
	struct dirent *de;

	while (d && (de = readdir(d))) {
		unsigned v, dv, c;
		const struct want *w;
		if (de->d_name[0] == '.' || ids(devs, de->d_name, &v, &dv, &c) < 0)
			continue;
		w = bsearch(de->d_name, want, (size_t)n_want, sizeof(*want), cmp_name_want);
		if (w && w->vendor == v && w->device == dv && n_matches < MAX_WANT) {
			snprintf(matches[n_matches].addr, sizeof(matches[0].addr), "%s", de->d_name);
			matches[n_matches++].class = c;
		}
	}
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	char buf[4096], rel[64], *p;
	struct dirent *de;
	bool vfio;
	DIR *d;
	int devs, fd;

	if (argc != 2 || (root = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 2;
	kmsg = openat(root, "dev/kmsg", O_WRONLY | O_APPEND | O_CLOEXEC);
	if (read_at(root, "proc/cmdline", buf, sizeof(buf)) >= 0 && (p = strstr(buf, "vfio_early=off")) &&
	    (p == buf || p[-1] == ' '))
		return say("-", "vfio_early=off"), 0;
	d = fdopendir(openat(root, "sys/class/iommu", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (d && (de = readdir(d)) && de->d_name[0] == '.')
		;
	if (!d || !de)
		return say("-", "no IOMMU"), 0;
	closedir(d);
	read_config();
	if (!n_want)
		return 0;
	devs = openat(root, "sys/bus/pci/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	scan(devs);
	vfio = faccessat(root, "sys/bus/pci/drivers/vfio-pci", F_OK, 0) == 0;
	if (!vfio && n_matches) {
		load_vfio_pci(argv[1]);
		vfio = faccessat(root, "sys/bus/pci/drivers/vfio-pci", F_OK, 0) == 0;
	}
	for (int i = 0; i < n_matches; i++) {
		const char *a = matches[i].addr;
		if (matches[i].class == 0x0604) {
			say(a, "refused bridge");
			continue;
		}
		snprintf(rel, sizeof(rel), "%s/boot_vga", a);
		if ((matches[i].class >> 8) == 0x03 && read_at(devs, rel, buf, sizeof(buf)) > 0 && buf[0] == '1') {
			say(a, "refused boot-vga");
			continue;
		}
		if (!vfio)
			say(a, "failed vfio-pci-unavailable");
		else
			bind_group(devs, a);
	}
	fd = openat(root, "run/vfio-early-bare.status", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)!write(fd, status, status_len);
		close(fd);
	}
	return 0;
}
