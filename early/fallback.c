// SPDX-License-Identifier: GPL-2.0-or-later
/* The binder's part of the automatic fallback (see fallback.h). */
#include <ctype.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "common/efivarfs.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/fallback.h"

#define EFIVARFS_MAGIC_NR 0xde5e81e4

static bool digits(const char *p, const char *end, unsigned *ret)
{
	unsigned long v = 0;

	if (p == end)
		return false;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p) || v > 100000)
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*ret = (unsigned)v;
	return true;
}

int vfe_boot_counter_parse(const char *name, unsigned *ret_left, unsigned *ret_done)
{
	const char *base = strrchr(name, '\\'), *dot, *plus, *dash;
	unsigned left, done = 0;

	base = base ? base + 1 : (strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	dot = strrchr(base, '.');
	plus = strrchr(base, '+');
	if (!dot || !plus || plus > dot)
		return -EINVAL;
	dash = memchr(plus, '-', (size_t)(dot - plus));
	if (!digits(plus + 1, dash ? dash : dot, &left) || (dash && !digits(dash + 1, dot, &done)))
		return -EINVAL;
	*ret_left = left;
	*ret_done = done;
	return 0;
}

static bool is_efivarfs(const struct vfe_root *r)
{
	_cleanup_free_ char *abs = vfe_root_abspath(r, PATH_EFIVARS);
	struct statfs sfs;

	return abs && statfs(abs, &sfs) == 0 && (unsigned long)sfs.f_type == EFIVARFS_MAGIC_NR;
}

/*
 * Mounts efivarfs read-only where the real system expects it, so nothing
 * here can write a variable; returns 1 when we mounted it (and must
 * unmount it, so that the real init mounts it as it always does).
 */
static int mount_efivarfs(const struct vfe_root *r, struct vfe_modules *mods)
{
	_cleanup_free_ char *abs = vfe_root_abspath(r, PATH_EFIVARS);
	const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (!abs)
		return -ENOMEM;
	if (is_efivarfs(r))
		return 0;
	if (mount("efivarfs", abs, "efivarfs", flags, NULL) == 0)
		return 1;
	if (errno != ENODEV || !mods || vfe_modules_load(mods, "efivarfs", NULL) < 0)
		return negative_errno();
	return mount("efivarfs", abs, "efivarfs", flags, NULL) == 0 ? 1 : negative_errno();
}

static void umount_efivarfs(const struct vfe_root *r)
{
	_cleanup_free_ char *abs = vfe_root_abspath(r, PATH_EFIVARS);

	if (abs && umount(abs) < 0)
		log_debug("cannot unmount %s again: %m", abs);
}

/* LoaderBootCountPath, mounting efivarfs for the read on the real root. */
static int read_count_path(const struct vfe_root *r, struct vfe_modules *mods, char **ret)
{
	int k = vfe_efivar_read_string(r, "LoaderBootCountPath", VFE_EFI_GUID_LOADER, ret), m;

	/* found, or a real error, or a test tree (a fake efivarfs is plain files): as read */
	if (k != -ENOENT || *r->path)
		return k;
	m = mount_efivarfs(r, mods);
	if (m <= 0)
		return m < 0 ? m : -ENOENT;
	k = vfe_efivar_read_string(r, "LoaderBootCountPath", VFE_EFI_GUID_LOADER, ret);
	umount_efivarfs(r);
	return k;
}

bool vfe_fallback_due(const struct vfe_root *r, struct vfe_modules *mods, char *path, size_t n)
{
	_cleanup_free_ char *p = NULL;
	unsigned left, done;
	int k;

	if (!vfe_exists(r, "%s", PATH_SYS_EFI))
		return false; /* not an EFI boot: no systemd-boot */
	k = read_count_path(r, mods, &p);
	if (k < 0) {
		if (k != -ENOENT)
			log_debug("cannot read LoaderBootCountPath: %s; no automatic fallback check", strerror(-k));
		return false;
	}
	if (vfe_boot_counter_parse(p, &left, &done) < 0 || left > 0)
		return false;
	snprintf(path, n, "%s", p);
	return true;
}
