/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/root.h"

/*
 * Reads an initramfs image the way the kernel unpacks it: one or more
 * concatenated cpio "newc" archives (magic 070701, or 070702 with
 * checksums), NUL padding between them, the first usually uncompressed
 * (CPU microcode), the rest compressed. Compressed parts are piped through
 * "gzip -dcq", "zstd -dcq", "xz -dcq", ... with a fixed argv (never a shell).
 */
struct vfe_cpio_file {
	const char *name; /* as stored, not NUL-terminated: use name_len; "./" and "/" already stripped */
	size_t name_len;
	uint32_t mode;    /* st_mode bits */
	const uint8_t *data;
	size_t size;
};

/* Returns 0 to go on, anything else stops the walk and is returned. */
typedef int (*vfe_cpio_fn)(void *userdata, const struct vfe_cpio_file *f);

/*
 * Walks the concatenated newc archives at the start of buf (NUL padding
 * between them is skipped) until the data is no longer cpio or ends.
 * *ret_used (optional) gets the offset where the cpio data ends. Returns
 * 0, the callback's non-zero value, or -EBADMSG on a truncated or
 * malformed header.
 */
int vfe_cpio_walk(const uint8_t *buf, size_t len, vfe_cpio_fn cb, void *userdata, size_t *ret_used);

enum vfe_compression {
	VFE_COMP_NONE, /* cpio */
	VFE_COMP_GZIP,
	VFE_COMP_ZSTD,
	VFE_COMP_XZ,
	VFE_COMP_LZMA,
	VFE_COMP_BZIP2,
	VFE_COMP_LZ4,
	VFE_COMP_UNKNOWN,
};
enum vfe_compression vfe_compression_detect(const uint8_t *p, size_t n);
const char *vfe_compression_name(enum vfe_compression c);

/* An unpacked image: each part's bytes (the raw file, then each decompressed part). */
struct vfe_initramfs {
	uint8_t *parts[8];
	size_t sizes[8];
	size_t n;
	enum vfe_compression comp; /* the compressed part's format, NONE when there is none */
};

#define VFE_INITRAMFS_MAX_SIZE (1024UL * 1024 * 1024)

/*
 * Loads <root>/<rel> and decompresses its compressed part. Returns 0,
 * -ENOENT (no image), -ENOEXEC (the decompressor is not installed),
 * -EBADMSG (not an initramfs, or the decompressor failed), -EFBIG.
 */
int vfe_initramfs_load(const struct vfe_root *r, const char *rel, struct vfe_initramfs *ret);

/* Every file of every part, in order (a later file of the same name wins at unpack time). */
int vfe_initramfs_walk(const struct vfe_initramfs *im, vfe_cpio_fn cb, void *userdata);

/* The last file named name ("usr/bin/x", no leading '/'); -ENOENT when absent. */
int vfe_initramfs_find(const struct vfe_initramfs *im, const char *name, const uint8_t **ret_data, size_t *ret_size);

void vfe_initramfs_free(struct vfe_initramfs *im);
