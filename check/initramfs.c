// SPDX-License-Identifier: GPL-2.0-or-later
/* A cpio "newc" reader for initramfs images, and their decompression through a fixed argv. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "check/initramfs.h"
#include "common/hex.h"

#define NEWC_HDR 110

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/* One 8-digit hex field of the header; -1 when it is not hex. */
static int64_t hex8(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int d = hex_digit((char)p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	return v;
}

static bool is_newc(const uint8_t *p, size_t n)
{
	return n >= 6 && memcmp(p, "07070", 5) == 0 && (p[5] == '1' || p[5] == '2');
}

static void strip_name(struct vfe_cpio_file *f)
{
	for (;;) {
		if (f->name_len >= 2 && f->name[0] == '.' && f->name[1] == '/')
			f->name += 2, f->name_len -= 2;
		else if (f->name_len >= 1 && f->name[0] == '/')
			f->name++, f->name_len--;
		else
			break;
	}
}

/* Parses the entry at *off; 1 after the trailer, 0 after a file, -EBADMSG when malformed. */
static int one_entry(const uint8_t *buf, size_t len, size_t *off, struct vfe_cpio_file *f)
{
	const uint8_t *h = buf + *off;
	int64_t mode, size, namesize;
	size_t name_end, data_end;

	if (len - *off < NEWC_HDR || !is_newc(h, len - *off))
		return -EBADMSG;
	mode = hex8(h + 14);
	size = hex8(h + 54);
	namesize = hex8(h + 94);
	if (mode < 0 || size < 0 || namesize < 1 || hex8(h + 6) < 0)
		return -EBADMSG;
	name_end = *off + NEWC_HDR + (size_t)namesize;
	if (name_end > len || h[NEWC_HDR + namesize - 1] != '\0')
		return -EBADMSG;
	data_end = align4(name_end) + (size_t)size;
	if (align4(name_end) > len || data_end > len)
		return -EBADMSG;
	*f = (struct vfe_cpio_file){ .name = (const char *)h + NEWC_HDR, .name_len = (size_t)namesize - 1,
				     .mode = (uint32_t)mode, .data = buf + align4(name_end), .size = (size_t)size };
	*off = align4(data_end) <= len ? align4(data_end) : len;
	if (f->name_len == 10 && memcmp(f->name, "TRAILER!!!", 10) == 0)
		return 1;
	strip_name(f);
	return 0;
}

int vfe_cpio_walk(const uint8_t *buf, size_t len, vfe_cpio_fn cb, void *userdata, size_t *ret_used)
{
	size_t off = 0, end = 0;
	int k;

	for (;;) {
		/* NUL padding between archives, in whole 4-byte steps as the kernel wants */
		size_t z = off;
		while (z < len && buf[z] == 0)
			z++;
		if (z >= len || !is_newc(buf + z, len - z))
			break;
		off = z;
		for (;;) {
			struct vfe_cpio_file f;
			k = one_entry(buf, len, &off, &f);
			if (k < 0)
				return k;
			if (k == 1)
				break;
			if (f.name_len == 0 || !cb)
				continue;
			k = cb(userdata, &f);
			if (k != 0)
				return k;
		}
		end = off;
	}
	if (ret_used)
		*ret_used = end;
	return 0;
}

enum vfe_compression vfe_compression_detect(const uint8_t *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		enum vfe_compression c;
	} magics[] = {
		{ "\x1f\x8b", 2, VFE_COMP_GZIP },
		{ "\x1f\x9e", 2, VFE_COMP_GZIP },
		{ "\x28\xb5\x2f\xfd", 4, VFE_COMP_ZSTD },
		{ "\xfd" "7zXZ\0", 6, VFE_COMP_XZ },
		{ "\x5d\x00\x00", 3, VFE_COMP_LZMA },
		{ "BZh", 3, VFE_COMP_BZIP2 },
		{ "\x02\x21\x4c\x18", 4, VFE_COMP_LZ4 },
	};

	if (is_newc(p, n))
		return VFE_COMP_NONE;
	for (size_t i = 0; i < ELEMENTSOF(magics); i++)
		if (n >= magics[i].len && memcmp(p, magics[i].magic, magics[i].len) == 0)
			return magics[i].c;
	return VFE_COMP_UNKNOWN;
}

const char *vfe_compression_name(enum vfe_compression c)
{
	static const char *const names[] = { "none", "gzip", "zstd", "xz", "lzma", "bzip2", "lz4", "unknown" };

	return (size_t)c < ELEMENTSOF(names) ? names[c] : "unknown";
}

/* The decompressor's argv: fixed strings only, never a shell. */
static const char *const *filter_argv(enum vfe_compression c)
{
	static const char *const gz[] = { "gzip", "-dcq", NULL }, *const zs[] = { "zstd", "-dcq", NULL },
				 *const xz[] = { "xz", "-dcq", NULL }, *const lz[] = { "xz", "--format=lzma", "-dcq", NULL },
				 *const bz[] = { "bzip2", "-dcq", NULL }, *const l4[] = { "lz4", "-dcq", NULL };

	switch (c) {
	case VFE_COMP_GZIP: return gz;
	case VFE_COMP_ZSTD: return zs;
	case VFE_COMP_XZ: return xz;
	case VFE_COMP_LZMA: return lz;
	case VFE_COMP_BZIP2: return bz;
	case VFE_COMP_LZ4: return l4;
	default: return NULL;
	}
}

static int read_all(int fd, size_t max, uint8_t **ret, size_t *ret_len)
{
	size_t cap = 1 << 20, got = 0;
	uint8_t *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (got == cap) {
			uint8_t *nb;
			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		ssize_t k = read(fd, buf + got, cap - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = negative_errno();
			free(buf);
			return e;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	*ret = buf;
	*ret_len = got;
	return 0;
}

/* Runs the decompressor with in_fd (positioned at the compressed part) as stdin; collects stdout. */
static int decompress(int in_fd, enum vfe_compression c, uint8_t **ret, size_t *ret_len)
{
	const char *const *argv = filter_argv(c);
	int p[2], status, k;
	pid_t pid;

	if (!argv)
		return -EBADMSG;
	if (pipe2(p, O_CLOEXEC) < 0)
		return negative_errno();
	pid = fork();
	if (pid < 0) {
		k = negative_errno();
		close(p[0]), close(p[1]);
		return k;
	}
	if (pid == 0) {
		if (dup2(in_fd, 0) < 0 || dup2(p[1], 1) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	k = read_all(p[0], VFE_INITRAMFS_MAX_SIZE, ret, ret_len);
	close(p[0]);
	if (k < 0)
		(void)kill(pid, SIGTERM); /* the child we started: stop it before waiting */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return k < 0 ? k : negative_errno();
	if (k < 0)
		return k;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	free(*ret);
	*ret = NULL;
	return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOEXEC : -EBADMSG;
}

static int load_parts(int fd, struct vfe_initramfs *im)
{
	size_t used = 0, off;
	int k;

	k = vfe_cpio_walk(im->parts[0], im->sizes[0], NULL, NULL, &used);
	if (k < 0)
		return k;
	off = used;
	while (off < im->sizes[0] && im->parts[0][off] == 0)
		off++;
	if (off >= im->sizes[0])
		return used > 0 ? 0 : -EBADMSG;
	im->comp = vfe_compression_detect(im->parts[0] + off, im->sizes[0] - off);
	if (im->comp == VFE_COMP_UNKNOWN || im->comp == VFE_COMP_NONE)
		return -EBADMSG;
	if (lseek(fd, (off_t)off, SEEK_SET) < 0)
		return negative_errno();
	k = decompress(fd, im->comp, &im->parts[1], &im->sizes[1]);
	if (k < 0)
		return k;
	im->n = 2;
	return 0;
}

int vfe_initramfs_load(const struct vfe_root *r, const char *rel, struct vfe_initramfs *ret)
{
	struct vfe_initramfs im = { .n = 1 };
	_cleanup_close_ int fd = -1;
	int k;

	while (*rel == '/')
		rel++;
	fd = openat(r->fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	k = read_all(fd, VFE_INITRAMFS_MAX_SIZE, &im.parts[0], &im.sizes[0]);
	if (k < 0)
		return k;
	k = load_parts(fd, &im);
	if (k < 0) {
		vfe_initramfs_free(&im);
		return k;
	}
	*ret = im;
	return 0;
}

int vfe_initramfs_walk(const struct vfe_initramfs *im, vfe_cpio_fn cb, void *userdata)
{
	for (size_t i = 0; i < im->n; i++) {
		int k = vfe_cpio_walk(im->parts[i], im->sizes[i], cb, userdata, NULL);
		if (k != 0)
			return k;
	}
	return 0;
}

struct find_ctx {
	const char *name;
	const struct vfe_cpio_file *found;
	struct vfe_cpio_file f;
};

static int find_cb(void *ud, const struct vfe_cpio_file *f)
{
	struct find_ctx *x = ud;

	if (f->name_len == strlen(x->name) && memcmp(f->name, x->name, f->name_len) == 0) {
		x->f = *f;
		x->found = &x->f;
	}
	return 0;
}

int vfe_initramfs_find(const struct vfe_initramfs *im, const char *name, const uint8_t **ret_data, size_t *ret_size)
{
	struct find_ctx x = { .name = name };
	int k;

	while (*x.name == '/')
		x.name++;
	k = vfe_initramfs_walk(im, find_cb, &x);
	if (k < 0 && !x.found)
		return k;
	if (!x.found)
		return -ENOENT;
	*ret_data = x.found->data;
	*ret_size = x.found->size;
	return 0;
}

void vfe_initramfs_free(struct vfe_initramfs *im)
{
	for (size_t i = 0; i < im->n && i < ELEMENTSOF(im->parts); i++)
		free(im->parts[i]);
	*im = (struct vfe_initramfs){ 0 };
}
