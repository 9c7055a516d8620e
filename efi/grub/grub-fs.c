// SPDX-License-Identifier: GPL-2.0-or-later
/* Where /boot/grub lives and whether GRUB can write grubenv there (see grub-fs.h). */
#include <stdio.h>

#include "common/paths.h"
#include "efi/grub/grub.h"

/* Is mount point mp a prefix (by components) of the absolute path abs? Returns its length or -1. */
static int mount_prefix(const char *mp, const char *abs)
{
	size_t l = strlen(mp);

	if (streq(mp, "/"))
		return 1;
	if (strncmp(mp, abs, l) != 0 || (abs[l] && abs[l] != '/'))
		return -1;
	return (int)l;
}

/* One mountinfo line: "id parent maj:min root mountpoint options [optional...] - fstype source superopts". */
static int parse_mountinfo_line(char *line, struct vfe_grub_fs *m)
{
	char mp[256], opts[256], fstype[32];
	const char *sep = strstr(line, " - ");

	if (!sep || sscanf(line, "%*u %*u %u:%u %*s %255s %255s", &m->major, &m->minor, mp, opts) != 4)
		return -EINVAL;
	if (sscanf(sep + 3, "%31s", fstype) != 1)
		return -EINVAL;
	snprintf(m->mountpoint, sizeof(m->mountpoint), "%s", mp);
	snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
	m->read_only = streq(opts, "ro") || startswith(opts, "ro,");
	return 0;
}

static int find_mount(const struct vfe_root *r, const char *abs, struct vfe_grub_fs *ret)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int best = -1, k;

	k = vfe_read_file(r, PATH_MOUNTINFO, 4 << 20, &text);
	if (k < 0)
		return k;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct vfe_grub_fs m = { 0 };
		int l;
		if (parse_mountinfo_line(line, &m) < 0)
			continue;
		l = mount_prefix(m.mountpoint, abs);
		if (l >= best && l >= 0) { /* ">=": a later mount on the same point hides the earlier */
			best = l;
			*ret = m;
		}
	}
	return best < 0 ? -ENOENT : 0;
}

static void classify(const struct vfe_root *r, struct vfe_grub_fs *m)
{
	const char *what = NULL;
	unsigned a = m->major, b = m->minor;

	if (streq(m->fstype, "btrfs") || streq(m->fstype, "zfs"))
		what = m->fstype;
	else if (vfe_exists(r, "%s/%u:%u/dm", PATH_SYS_DEV_BLOCK, a, b) ||
		 vfe_exists(r, "%s/%u:%u/../dm", PATH_SYS_DEV_BLOCK, a, b))
		what = "LVM / device mapper";
	else if (vfe_exists(r, "%s/%u:%u/md", PATH_SYS_DEV_BLOCK, a, b) ||
		 vfe_exists(r, "%s/%u:%u/../md", PATH_SYS_DEV_BLOCK, a, b))
		what = "MD RAID";
	m->grub_can_write = !what;
	if (what)
		snprintf(m->why, sizeof(m->why), "%s is on %s", m->mountpoint, what);
}

int vfe_grub_fs_probe(const struct vfe_root *r, const char *rel, struct vfe_grub_fs *ret)
{
	struct vfe_grub_fs m = { 0 };
	char abs[512];
	int k;

	while (*rel == '/')
		rel++;
	snprintf(abs, sizeof(abs), "/%s", rel);
	k = find_mount(r, abs, &m);
	if (k < 0)
		return k;
	classify(r, &m);
	*ret = m;
	return 0;
}
