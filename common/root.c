// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/root.h"

int vfe_root_open(struct vfe_root *r, const char *dir)
{
	char abs[PATH_MAX];
	size_t l;

	r->fd = -1;
	r->path = NULL;
	if (!dir)
		dir = secure_getenv("VFIO_EARLY_ROOT");
	if (!dir || !*dir)
		dir = "/";
	if (!realpath(dir, abs))
		return negative_errno();
	l = strlen(abs);
	while (l > 0 && abs[l - 1] == '/')
		abs[--l] = '\0';
	r->path = strdup(abs);
	if (!r->path)
		return -ENOMEM;
	r->fd = open(l ? abs : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = negative_errno();
		vfe_root_close(r);
		return e;
	}
	return 0;
}

void vfe_root_close(struct vfe_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
}

static const char *strip_slash(const char *rel)
{
	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

char *vfe_root_abspath(const struct vfe_root *r, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", r->path, strip_slash(rel)) < 0)
		return NULL;
	return p;
}

int vfe_path(char *buf, size_t n, const char *fmt, va_list ap)
{
	int l = vsnprintf(buf, n, fmt, ap);

	if (l < 0)
		return -EINVAL;
	if ((size_t)l >= n)
		return -ENAMETOOLONG;
	return l;
}

static int open_rel(const struct vfe_root *r, const char *rel, int flags)
{
	int fd = openat(r->fd, strip_slash(rel), flags | O_CLOEXEC);

	return fd < 0 ? negative_errno() : fd;
}

static int read_fd(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got + 1 < n) {
		ssize_t k = read(fd, buf + got, n - 1 - got);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	buf[got] = '\0';
	return (int)got;
}

int vfe_read_attr(const struct vfe_root *r, char *buf, size_t n, const char *fmt, ...)
{
	char rel[PATH_MAX];
	_cleanup_close_ int fd = -1;
	va_list ap;
	int l;

	if (n == 0)
		return -EINVAL;
	va_start(ap, fmt);
	l = vfe_path(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (l < 0)
		return l;
	fd = open_rel(r, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	l = read_fd(fd, buf, n);
	if (l > 0 && buf[l - 1] == '\n')
		buf[--l] = '\0';
	return l;
}

int vfe_read_file(const struct vfe_root *r, const char *rel, size_t max, char **ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t cap = 4096, got = 0;

	fd = open_rel(r, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	for (;;) {
		if (got + 1 >= cap || !buf) {
			char *nb;
			if (buf)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		if (got >= max)
			return -EFBIG;
		ssize_t k = read(fd, buf + got, cap - 1 - got);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	buf[got] = '\0';
	*ret = buf;
	buf = NULL;
	return (int)got;
}

int vfe_write_attr(const struct vfe_root *r, const char *val, const char *fmt, ...)
{
	char rel[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(val);
	va_list ap;
	ssize_t k;
	int l;

	va_start(ap, fmt);
	l = vfe_path(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (l < 0)
		return l;
	fd = open_rel(r, rel, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return fd;
	k = write(fd, val, len);
	if (k < 0)
		return negative_errno();
	if ((size_t)k != len)
		return -EIO;
	return 0;
}

static int readlink_va(const struct vfe_root *r, char *buf, size_t n, const char *fmt, va_list ap)
{
	char rel[PATH_MAX];
	ssize_t k;
	int l;

	l = vfe_path(rel, sizeof(rel), fmt, ap);
	if (l < 0)
		return l;
	if (n < 2)
		return -EINVAL;
	k = readlinkat(r->fd, strip_slash(rel), buf, n - 1);
	if (k < 0)
		return negative_errno();
	if ((size_t)k >= n - 1)
		return -ENAMETOOLONG;
	buf[k] = '\0';
	return (int)k;
}

int vfe_readlink(const struct vfe_root *r, char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = readlink_va(r, buf, n, fmt, ap);
	va_end(ap);
	return k;
}

int vfe_readlink_base(const struct vfe_root *r, char *buf, size_t n, const char *fmt, ...)
{
	char target[PATH_MAX];
	const char *base;
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = readlink_va(r, target, sizeof(target), fmt, ap);
	va_end(ap);
	if (k < 0)
		return k;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= n)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return (int)strlen(buf);
}

bool vfe_exists(const struct vfe_root *r, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int l;

	va_start(ap, fmt);
	l = vfe_path(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	return l >= 0 && faccessat(r->fd, strip_slash(rel), F_OK, 0) == 0;
}

DIR *vfe_opendir(const struct vfe_root *r, const char *rel)
{
	int fd = open_rel(r, rel, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return d;
}
