// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "common/atomic.h"

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t k = write(fd, p, len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

static int split_path(const char *rel, char *dir, char *base)
{
	char tmp[PATH_MAX];

	while (*rel == '/')
		rel++;
	if (strlen(rel) >= PATH_MAX || !*rel)
		return -EINVAL;
	strcpy(tmp, rel);
	strcpy(dir, dirname(tmp));
	strcpy(tmp, rel);
	strcpy(base, basename(tmp));
	return 0;
}

/* Writes data to dir/name atomically through dir/.name.tmp-PID. */
static int replace_in_dir(int dirfd, const char *name, const void *data, size_t len, mode_t mode, bool sync)
{
	char tmp[NAME_MAX + 32];
	_cleanup_close_ int fd = -1;
	int r;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp-%d", name, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return negative_errno();
	r = write_all(fd, data, len);
	if (r >= 0 && fchmod(fd, mode) < 0)
		r = negative_errno();
	if (r >= 0 && sync && fsync(fd) < 0)
		r = negative_errno();
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = negative_errno();
	if (r < 0)
		(void)unlinkat(dirfd, tmp, 0);
	return r;
}

static int save_backup(const struct vfe_root *root, int dirfd, const char *rel, const char *base)
{
	char bak[NAME_MAX + 8];
	_cleanup_free_ char *old = NULL;
	struct stat st;
	int l;

	if (fstatat(dirfd, base, &st, 0) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	l = vfe_read_file(root, rel, 64 << 20, &old);
	if (l < 0)
		return l;
	if (snprintf(bak, sizeof(bak), "%s.bak", base) >= (int)sizeof(bak))
		return -ENAMETOOLONG;
	return replace_in_dir(dirfd, bak, old, (size_t)l, st.st_mode & 07777, true);
}

int vfe_write_file_atomic(const struct vfe_root *r, const char *rel, const void *data, size_t len, mode_t mode,
			  unsigned flags)
{
	char dir[PATH_MAX], base[PATH_MAX];
	_cleanup_close_ int dirfd = -1;
	int k;

	k = split_path(rel, dir, base);
	if (k < 0)
		return k;
	dirfd = openat(r->fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return negative_errno();
	if (flags & VFE_ATOMIC_KEEP_BACKUP) {
		k = save_backup(r, dirfd, rel, base);
		if (k < 0)
			return k;
	}
	k = replace_in_dir(dirfd, base, data, len, mode, !(flags & VFE_ATOMIC_NO_SYNC));
	if (k < 0 || (flags & VFE_ATOMIC_NO_SYNC))
		return k;
	/* Some file systems (vfat on old kernels) refuse fsync on a directory: not an error. */
	if (fsync(dirfd) < 0 && errno != EINVAL)
		return negative_errno();
	return 0;
}
