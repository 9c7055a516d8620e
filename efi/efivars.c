// SPDX-License-Identifier: GPL-2.0-or-later
/* efivarfs under the root prefix (see efivars.h). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "efi/efi-paths.h"
#include "efi/efivars.h"

#define EFIVARFS_MAGIC_NR 0xde5e81e4

static int var_path(char *buf, size_t n, const char *name, const char *guid)
{
	if (snprintf(buf, n, "%s/%s-%s", EFI_PATH_EFIVARS, name, guid) >= (int)n)
		return -ENAMETOOLONG;
	return 0;
}

bool vfe_efivars_available(const struct vfe_root *r)
{
	return vfe_exists(r, "%s", EFI_PATH_EFIVARS);
}

/* Clears FS_IMMUTABLE_FL on fd; *was tells whether it was set. Not supported here: fine. */
static int clear_immutable(int fd, bool *was)
{
	int flags;

	*was = false;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL ? 0 : negative_errno();
	if (!(flags & FS_IMMUTABLE_FL))
		return 0;
	flags &= ~FS_IMMUTABLE_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)
		return negative_errno();
	*was = true;
	return 0;
}

static void set_immutable(int fd)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return;
	flags |= FS_IMMUTABLE_FL;
	(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

/* Opens an existing variable read-only and clears its immutable flag; -ENOENT when absent. */
static int open_mutable(const struct vfe_root *r, const char *p, bool *was)
{
	int fd = openat(r->fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int k;

	*was = false;
	if (fd < 0)
		return negative_errno();
	k = clear_immutable(fd, was);
	if (k < 0) {
		close(fd);
		return k;
	}
	return fd;
}

static int write_once(const struct vfe_root *r, const char *p, const uint8_t *buf, size_t len)
{
	_cleanup_close_ int fd = openat(r->fd, p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	struct statfs sfs;
	ssize_t k;

	if (fd < 0)
		return negative_errno();
	k = write(fd, buf, len);
	if (k < 0)
		return negative_errno();
	if ((size_t)k != len)
		return -EIO;
	/* efivarfs replaces the whole variable; a plain file (a test tree) needs the tail cut */
	if (fstatfs(fd, &sfs) == 0 && (unsigned long)sfs.f_type != EFIVARFS_MAGIC_NR && ftruncate(fd, (off_t)len) < 0)
		return negative_errno();
	return 0;
}

static int verify(const struct vfe_root *r, const char *name, const char *guid, uint32_t attrs, const void *data,
		  size_t len)
{
	_cleanup_free_ uint8_t *got = NULL;
	uint32_t a;
	size_t l;
	int k = vfe_efivar_read(r, name, guid, &a, &got, &l);

	if (k < 0)
		return k;
	return a == attrs && l == len && memcmp(got, data, len) == 0 ? 0 : -EIO;
}

int vfe_efivar_write(const struct vfe_root *r, const char *name, const char *guid, uint32_t attrs,
		     const void *data, size_t len)
{
	_cleanup_free_ uint8_t *buf = malloc(len + 4);
	_cleanup_close_ int keep = -1;
	bool was = false;
	char p[512];
	int k;

	if (!buf)
		return -ENOMEM;
	k = var_path(p, sizeof(p), name, guid);
	if (k < 0)
		return k;
	for (int i = 0; i < 4; i++)
		buf[i] = (uint8_t)(attrs >> (8 * i));
	memcpy(buf + 4, data, len);
	keep = open_mutable(r, p, &was);
	if (keep < 0 && keep != -ENOENT)
		return keep;
	k = write_once(r, p, buf, len + 4);
	/* a new variable whose one write failed (store full): leave no empty file behind */
	if (k < 0 && keep == -ENOENT)
		(void)unlinkat(r->fd, p, 0);
	if (k >= 0)
		k = verify(r, name, guid, attrs, data, len);
	if (was && keep >= 0)
		set_immutable(keep);
	return k;
}

int vfe_efivar_delete(const struct vfe_root *r, const char *name, const char *guid)
{
	_cleanup_close_ int fd = -1;
	bool was;
	char p[512];
	int k = var_path(p, sizeof(p), name, guid);

	if (k < 0)
		return k;
	fd = open_mutable(r, p, &was);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (unlinkat(r->fd, p, 0) < 0) {
		k = negative_errno();
		if (was)
			set_immutable(fd);
		return k;
	}
	return vfe_exists(r, "%s", p) ? -EIO : 0;
}

int vfe_utf16_encode(const char *s, uint8_t **ret, size_t *ret_len)
{
	size_t n = strlen(s), o = 0;
	uint8_t *b = malloc(2 * n + 2);

	if (!b)
		return -ENOMEM;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		uint32_t c = *p++;
		if (c >= 0xe0 && p[0] && p[1]) {
			c = (c & 0x0f) << 12 | (uint32_t)(p[0] & 0x3f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if (c >= 0xc0 && p[0]) {
			c = (c & 0x1f) << 6 | (p[0] & 0x3f);
			p++;
		}
		b[o++] = (uint8_t)c;
		b[o++] = (uint8_t)(c >> 8);
	}
	b[o++] = 0;
	b[o++] = 0;
	*ret = b;
	*ret_len = o;
	return 0;
}

int vfe_efivar_write_string(const struct vfe_root *r, const char *name, const char *guid, const char *s)
{
	_cleanup_free_ uint8_t *b = NULL;
	size_t l;
	int k = vfe_utf16_encode(s, &b, &l);

	return k < 0 ? k : vfe_efivar_write(r, name, guid, EFI_ATTR_NV_BS_RT, b, l);
}

int vfe_efivar_read_uint(const struct vfe_root *r, const char *name, const char *guid, uint64_t *ret)
{
	_cleanup_free_ uint8_t *d = NULL;
	uint64_t v = 0;
	size_t l;
	int k = vfe_efivar_read(r, name, guid, NULL, &d, &l);

	if (k < 0)
		return k;
	if (l == 0 || l > 8)
		return -EBADMSG;
	for (size_t i = 0; i < l; i++)
		v |= (uint64_t)d[i] << (8 * i);
	*ret = v;
	return 0;
}

int vfe_efivar_read_strv(const struct vfe_root *r, const char *name, const char *guid, struct strv *ret)
{
	_cleanup_free_ uint8_t *d = NULL;
	size_t l, off = 0;
	int k = vfe_efivar_read(r, name, guid, NULL, &d, &l);

	while (k >= 0 && off + 1 < l) {
		size_t used;
		_cleanup_free_ char *s = vfe_utf16_decode(d + off, l - off, &used);
		if (!s)
			return -ENOMEM;
		if (*s)
			k = strv_push(ret, s);
		off += used ? used : 2;
	}
	return k;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vfe_efivar_list(const struct vfe_root *r, const char *guid, struct strv *ret)
{
	DIR *d = vfe_opendir(r, EFI_PATH_EFIVARS);
	size_t gl = strlen(guid);
	struct dirent *de;
	int k = 0;

	if (!d)
		return negative_errno();
	while (k >= 0 && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > gl + 1 && de->d_name[l - gl - 1] == '-' && strcasecmp(de->d_name + l - gl, guid) == 0)
			k = strv_pushf(ret, "%.*s", (int)(l - gl - 1), de->d_name);
	}
	closedir(d);
	if (k >= 0 && ret->n)
		qsort(ret->v, ret->n, sizeof(char *), cmp_str);
	return k;
}
