// SPDX-License-Identifier: GPL-2.0-or-later
/* The PCI functions on the path to the running system (see system-paths.h). */
#include <blkid/blkid.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "check/system-paths.h"
#include "common/kcmdline.h"
#include "common/paths.h"

#define MAX_DEPTH 16 /* dm on md on dm...: a loop in a broken tree must end */

struct resolver {
	const struct vfe_root *r; /* its path is a realpath already (vfe_root_open()) */
	char *mountinfo;
	struct vfe_protected *out;
};

struct mount {
	unsigned maj, min;
	char point[256], fstype[32], source[256];
};

static _printf_(2, 3) int problem(struct resolver *x, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return strv_push(&x->out->problems, msg);
}

/* The realpath of <root>/rel, as a path relative to the root again; -EXDEV when it leaves the root. */
static int real_rel(const struct resolver *x, const char *rel, char *buf, size_t n)
{
	_cleanup_free_ char *abs = vfe_root_abspath(x->r, rel), *real = NULL;
	size_t pl = strlen(x->r->path);

	if (!abs)
		return -ENOMEM;
	real = realpath(abs, NULL);
	if (!real)
		return negative_errno();
	if (strncmp(real, x->r->path, pl) != 0 || real[pl] != '/')
		return -EXDEV;
	snprintf(buf, n, "%s", real + pl + 1);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* "0000:00:1c.0" exactly as the kernel names a PCI function in sysfs. */
static bool is_pci_name(const char *s, struct vfe_pci_addr *a)
{
	char again[VFE_ADDR_STRLEN];

	if (vfe_parse_pci_addr(s, a) < 0)
		return false;
	vfe_format_pci_addr(a, again);
	return streq(again, s);
}

/* Every PCI function named in a sysfs path: the device and the bridges above it. */
static int add_pci_in_path(struct resolver *x, const char *path, const char *what)
{
	char comp[64];
	int k = 0;

	for (const char *p = path; *p && k >= 0;) {
		size_t l = strcspn(p, "/");
		struct vfe_pci_addr a;
		if (l < sizeof(comp)) {
			memcpy(comp, p, l);
			comp[l] = '\0';
			if (is_pci_name(comp, &a))
				k = vfe_protected_add(x->out, &a, what);
		}
		p += l + (p[l] == '/');
	}
	return k;
}

/* Each symlink in dir for which keep() says yes, resolved and followed by fn. */
static int each_link(struct resolver *x, const char *dir, bool (*keep)(const char *name),
		     int (*fn)(struct resolver *x, const char *name, const char *target, const char *what, int depth),
		     const char *what, int depth)
{
	DIR *d = vfe_opendir(x->r, dir);
	struct dirent *de;
	int k = 0;

	while (d && k >= 0 && (de = readdir(d))) {
		char rel[PATH_MAX], target[PATH_MAX];
		struct stat st;
		if (de->d_name[0] == '.' || !keep(de->d_name))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, de->d_name);
		if (fstatat(x->r->fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode) ||
		    real_rel(x, rel, target, sizeof(target)) < 0)
			continue;
		k = fn(x, de->d_name, target, what, depth);
	}
	if (d)
		closedir(d);
	return k;
}

static bool any_name(const char *name _unused_)
{
	return true;
}

/* nvme-subsysN holds links to its controllers (nvme0 -> ../../../pci.../nvme/nvme0) beside its namespaces */
static bool nvme_controller(const char *name)
{
	const char *n = startswith(name, "nvme");

	return n && *n && strspn(n, "0123456789") == strlen(n);
}

static int add_target_path(struct resolver *x, const char *name _unused_, const char *target, const char *what,
			   int depth _unused_)
{
	return add_pci_in_path(x, target, what);
}

static int protect_network(struct resolver *x, const char *what);

/* A block device's sysfs directory: its slaves (dm, LUKS, LVM, md), then the PCI functions above it. */
static int walk_block(struct resolver *x, const char *name _unused_, const char *dir, const char *what, int depth)
{
	char rel[PATH_MAX], leaf_what[200];
	const char *sub;
	int k;

	if (depth > MAX_DEPTH)
		return 0;
	snprintf(rel, sizeof(rel), "%s/slaves", dir);
	k = each_link(x, rel, any_name, walk_block, what, depth + 1);
	if (k < 0)
		return k;
	snprintf(leaf_what, sizeof(leaf_what), "%s (%s)", what, base_name(dir));
	k = add_pci_in_path(x, dir, leaf_what);
	/* NVMe multipath: the namespace lives under the subsystem, its controllers beside it */
	if (k >= 0 && (sub = strstr(dir, "/nvme-subsystem/"))) {
		sub += strlen("/nvme-subsystem/");
		snprintf(rel, sizeof(rel), "%.*s", (int)(sub - dir + strcspn(sub, "/")), dir);
		k = each_link(x, rel, nvme_controller, add_target_path, leaf_what, depth);
	}
	/* iSCSI: a disk behind a session, reached through the network */
	if (k >= 0 && strstr(dir, "/session") && strstr(dir, "/platform/"))
		k = protect_network(x, leaf_what);
	return k;
}

static int protect_devnum(struct resolver *x, unsigned maj, unsigned min, const char *what)
{
	char rel[64], dir[PATH_MAX];

	snprintf(rel, sizeof(rel), PATH_SYS_DEV_BLOCK "/%u:%u", maj, min);
	if (real_rel(x, rel, dir, sizeof(dir)) < 0)
		return problem(x, "%s: block device %u:%u is not in /%s", what, maj, min, PATH_SYS_DEV_BLOCK);
	return walk_block(x, NULL, dir, what, 0);
}

/* "/dev/sda2", "/dev/mapper/root", "/dev/disk/by-uuid/...": a device node, or in a tree without any, its name. */
static int protect_devpath(struct resolver *x, const char *path, const char *what)
{
	char rel[PATH_MAX], cls[PATH_MAX + 32], dir[PATH_MAX];
	const char *name = base_name(path);
	struct stat st;

	if (fstatat(x->r->fd, path + (*path == '/'), &st, 0) == 0 && S_ISBLK(st.st_mode))
		return protect_devnum(x, major(st.st_rdev), minor(st.st_rdev), what);
	if (real_rel(x, path, rel, sizeof(rel)) == 0 && startswith(rel, "dev/"))
		name = base_name(rel); /* /dev/mapper/root -> ../dm-0 */
	snprintf(cls, sizeof(cls), "sys/class/block/%s", name);
	if (real_rel(x, cls, dir, sizeof(dir)) < 0)
		return problem(x, "%s: %s is not a block device here", what, path);
	return walk_block(x, NULL, dir, what, 0);
}

static const struct {
	const char *tag, *link, *probe_key;
} tags[] = {
	{ "UUID", "by-uuid", "UUID" },
	{ "LABEL", "by-label", "LABEL" },
	{ "PARTUUID", "by-partuuid", "PART_ENTRY_UUID" },
	{ "PARTLABEL", "by-partlabel", "PART_ENTRY_NAME" },
};

/* Does <root>/dev/name carry key=value? libblkid reads its superblock and partition entry. */
static bool probe_has(const struct resolver *x, const char *name, const char *key, const char *value)
{
	_cleanup_free_ char *dev = NULL;
	const char *v = NULL;
	blkid_probe pr;
	bool yes;

	if (asprintf(&dev, "%s/dev/%s", x->r->path, name) < 0 || !(pr = blkid_new_probe_from_filename(dev)))
		return false;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	yes = blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, key, &v, NULL) == 0 && v &&
	      (strstr(key, "UUID") ? strcasecmp(v, value) == 0 : streq(v, value));
	blkid_free_probe(pr);
	return yes;
}

/* The block device carrying tag=value, probed one by one; its name goes to ret. */
static bool probe_all(const struct resolver *x, const char *key, const char *value, char *ret, size_t n)
{
	DIR *d = vfe_opendir(x->r, "sys/class/block");
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d)))
		if (de->d_name[0] != '.' && probe_has(x, de->d_name, key, value))
			found = snprintf(ret, n, "/dev/%s", de->d_name) > 0;
	if (d)
		closedir(d);
	return found;
}

/* The device spec of root=, resume=, RESUME=: a path or TAG=value. */
static int protect_spec(struct resolver *x, const char *spec, const char *what)
{
	char path[PATH_MAX];

	if (spec[0] == '/')
		return protect_devpath(x, spec, what);
	for (size_t i = 0; i < ELEMENTSOF(tags); i++) {
		const char *value = startswith(spec, tags[i].tag);
		if (!value || *value++ != '=')
			continue;
		snprintf(path, sizeof(path), "/dev/disk/%s/%s", tags[i].link, value);
		if (vfe_exists(x->r, "%s", path + 1))
			return protect_devpath(x, path, what);
		if (!*x->r->path) {
			/* the real root: libblkid's own lookup (udev links, its cache, a scan) */
			_cleanup_free_ char *dev = blkid_evaluate_tag(tags[i].tag, value, NULL);
			if (dev)
				return protect_devpath(x, dev, what);
		}
		if (probe_all(x, tags[i].probe_key, value, path, sizeof(path)))
			return protect_devpath(x, path, what);
		return problem(x, "%s: no block device has %s", what, spec);
	}
	return problem(x, "%s: \"%s\" names no block device vfio-early can follow", what, spec);
}

static bool is_network_fs(const char *fstype)
{
	static const char *const net[] = { "nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", "9p" };

	for (size_t i = 0; i < ELEMENTSOF(net); i++)
		if (streq(fstype, net[i]))
			return true;
	return false;
}

static int protect_netdev(struct resolver *x, const char *name, const char *target, const char *what, int depth);

static bool lower_link(const char *name)
{
	return startswith(name, "lower_") != NULL;
}

/* A network interface: the devices below a bridge, bond or VLAN, and the PCI functions above it. */
static int protect_netdev(struct resolver *x, const char *name, const char *target _unused_, const char *what,
			  int depth)
{
	char rel[PATH_MAX], dir[PATH_MAX], leaf_what[200];
	const char *ifname = startswith(name, "lower_") ? name + 6 : name;
	int k;

	if (depth > MAX_DEPTH)
		return 0;
	snprintf(rel, sizeof(rel), "sys/class/net/%s", ifname);
	k = each_link(x, rel, lower_link, protect_netdev, what, depth + 1);
	if (k < 0 || real_rel(x, rel, dir, sizeof(dir)) < 0)
		return k;
	snprintf(leaf_what, sizeof(leaf_what), "%s (network, %s)", what, ifname);
	return add_pci_in_path(x, dir, leaf_what);
}

/* A network file system: the interfaces of the default route carry it. */
static int protect_network(struct resolver *x, const char *what)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int k = 0, found = 0;

	if (vfe_read_file(x->r, "proc/net/route", 1 << 20, &text) < 0)
		return problem(x, "%s: reached over the network, but /proc/net/route cannot be read", what);
	for (char *l = strtok_r(text, "\n", &save); l && k >= 0; l = strtok_r(NULL, "\n", &save)) {
		char ifname[64], dest[16];
		if (sscanf(l, "%63s %15s", ifname, dest) != 2 || !streq(dest, "00000000"))
			continue;
		found++;
		k = protect_netdev(x, ifname, NULL, what, 0);
	}
	if (k >= 0 && !found)
		k = problem(x, "%s: reached over the network, but there is no default route to find the network "
			    "controller by", what);
	return k;
}

/* The last mount whose mount point is point (a later mount hides an earlier one); -ENOENT when none. */
static int find_mount(const char *mountinfo, const char *point, bool prefix, struct mount *ret)
{
	_cleanup_free_ char *text = strdup(mountinfo);
	size_t best = 0;
	char *save = NULL;
	int found = -ENOENT;

	if (!text)
		return -ENOMEM;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct mount m = { 0 };
		const char *sep = strstr(l, " - ");
		size_t pl;
		if (!sep || sscanf(l, "%*u %*u %u:%u %*s %255s", &m.maj, &m.min, m.point) != 3 ||
		    sscanf(sep + 3, "%31s %255s", m.fstype, m.source) != 2)
			continue;
		pl = strlen(m.point);
		if (prefix ? !(startswith(point, m.point) && (streq(m.point, "/") || point[pl] == '/' || !point[pl]) &&
			       pl >= best)
			   : !streq(m.point, point))
			continue;
		best = pl;
		*ret = m;
		found = 0;
	}
	return found;
}

static int protect_mount(struct resolver *x, const struct mount *m, const char *what)
{
	if (m->maj)
		return protect_devnum(x, m->maj, m->min, what);
	if (startswith(m->source, "/dev/"))
		return protect_devpath(x, m->source, what); /* btrfs shows an anonymous 0:N */
	if (is_network_fs(m->fstype))
		return protect_network(x, what);
	return problem(x, "%s: on %s (%s), which has no block device to follow", what, m->fstype, m->source);
}

static int protect_mounts(struct resolver *x)
{
	static const char *const points[] = { "/", "/usr", "/var", "/boot", "/boot/efi", "/efi" };
	struct mount m;
	int k = 0;

	for (size_t i = 0; k >= 0 && i < ELEMENTSOF(points); i++) {
		int f = find_mount(x->mountinfo, points[i], false, &m);
		if (f == -ENOMEM)
			return f;
		if (f == 0)
			k = protect_mount(x, &m, points[i]);
	}
	return k;
}

static int protect_swaps(struct resolver *x)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int k = 0;

	if (vfe_read_file(x->r, "proc/swaps", 1 << 20, &text) < 0)
		return 0; /* no swap support, or none */
	for (char *l = strtok_r(text, "\n", &save); l && k >= 0; l = strtok_r(NULL, "\n", &save)) {
		char file[PATH_MAX], type[32];
		struct mount m;
		if (sscanf(l, "%4095s %31s", file, type) != 2 || streq(file, "Filename"))
			continue;
		if (streq(type, "partition"))
			k = protect_devpath(x, file, "swap");
		else if (x->mountinfo && find_mount(x->mountinfo, file, true, &m) == 0)
			k = protect_mount(x, &m, "swap"); /* a swap file: the file system it is on */
	}
	return k;
}

/* The kernel command line the next boots get: /etc/kernel/cmdline where kernel-install keeps it, else this one's. */
static char *next_cmdline(const struct vfe_root *r)
{
	char *text = NULL;

	if (vfe_read_file(r, "etc/kernel/cmdline", 64 * 1024, &text) >= 0)
		return text;
	return vfe_kcmdline_read(r, &text) >= 0 ? text : NULL;
}

/* initramfs-tools' RESUME= (conf.d/resume): "UUID=...", "/dev/sda3", or none/auto. */
static int protect_it_resume(struct resolver *x)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int k = 0;

	if (vfe_read_file(x->r, "etc/initramfs-tools/conf.d/resume", 64 * 1024, &text) < 0)
		return 0;
	for (char *l = strtok_r(text, "\n", &save); l && k >= 0; l = strtok_r(NULL, "\n", &save)) {
		const char *v = startswith(l, "RESUME=");
		char spec[PATH_MAX];
		if (!v || sscanf(v, "%4095s", spec) != 1)
			continue;
		if (!streq(spec, "none") && !streq(spec, "auto"))
			k = protect_spec(x, spec, "resume");
	}
	return k;
}

static int protect_cmdline_and_resume(struct resolver *x)
{
	_cleanup_free_ char *cmdline = next_cmdline(x->r), *root = NULL, *resume = NULL;
	char buf[32], what[300];
	unsigned maj, min;
	int k = 0;

	if (vfe_read_attr(x->r, buf, sizeof(buf), "sys/power/resume") > 0 && sscanf(buf, "%u:%u", &maj, &min) == 2 &&
	    (maj || min))
		k = protect_devnum(x, maj, min, "resume");
	if (k >= 0 && cmdline && vfe_kcmdline_get(cmdline, "resume", &resume) > 0 && *resume)
		k = protect_spec(x, resume, "resume");
	if (k >= 0)
		k = protect_it_resume(x);
	if (k < 0 || !cmdline || vfe_kcmdline_get(cmdline, "root", &root) <= 0 || !*root)
		return k;
	snprintf(what, sizeof(what), "root=%s", root);
	if (streq(root, "/dev/nfs"))
		return protect_network(x, what);
	return protect_spec(x, root, what);
}

int vfe_system_paths(const struct vfe_root *r, struct vfe_protected *ret)
{
	struct resolver x = { .r = r, .out = ret };
	int k;

	*ret = (struct vfe_protected){ .known = true };
	k = vfe_read_file(r, PATH_MOUNTINFO, 4 << 20, &x.mountinfo);
	if (k < 0)
		k = problem(&x, "/%s cannot be read: the mounts of the running system are unknown", PATH_MOUNTINFO);
	else
		k = protect_mounts(&x);
	if (k >= 0)
		k = protect_swaps(&x);
	if (k >= 0)
		k = protect_cmdline_and_resume(&x);
	free(x.mountinfo);
	if (k < 0) {
		vfe_protected_free(ret);
		return k;
	}
	return 0;
}
