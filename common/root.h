/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <dirent.h>
#include <sys/types.h>

#include "common/macro.h"

/*
 * Every path vfio-early touches is relative to one root directory: "/" in
 * production, a fake tree in the tests. All opens go through openat() on
 * the root's directory fd, and no path handed to these helpers starts with
 * '/' (a leading '/' is stripped, so callers may still write "sys/...").
 */
struct vfe_root {
	int fd;
	char *path; /* absolute, no trailing '/', "" for the real root */
};

/* Opens DIR (NULL or "/" means the real root; VFIO_EARLY_ROOT when dir is NULL). */
int vfe_root_open(struct vfe_root *r, const char *dir);
void vfe_root_close(struct vfe_root *r);

/* "<root>/<rel>" as a malloc'd absolute path, for libraries that want one. */
char *vfe_root_abspath(const struct vfe_root *r, const char *rel);

/*
 * Reads a small file (a sysfs attribute) into buf, NUL-terminated, with one
 * trailing newline removed. Returns the length or -errno.
 */
int vfe_read_attr(const struct vfe_root *r, char *buf, size_t n, const char *fmt, ...) _printf_(4, 5);

/* Reads a whole file of at most max bytes; *ret is NUL-terminated. Returns the length. */
int vfe_read_file(const struct vfe_root *r, const char *rel, size_t max, char **ret);

/*
 * Writes val to an existing file with one write(), never creating it: on
 * sysfs a missing attribute means the kernel does not support it.
 */
int vfe_write_attr(const struct vfe_root *r, const char *val, const char *fmt, ...) _printf_(3, 4);

/* A symlink's target text as stored. -ENOENT if absent. */
int vfe_readlink(const struct vfe_root *r, char *buf, size_t n, const char *fmt, ...) _printf_(4, 5);

/* The last component of a symlink's target ("driver" -> "vfio-pci"). -ENOENT if absent. */
int vfe_readlink_base(const struct vfe_root *r, char *buf, size_t n, const char *fmt, ...) _printf_(4, 5);

bool vfe_exists(const struct vfe_root *r, const char *fmt, ...) _printf_(2, 3);

/* Opens a directory under the root for reading (caller closedir()s). NULL with errno set. */
DIR *vfe_opendir(const struct vfe_root *r, const char *rel);

/* Formats a relative path into buf; -ENAMETOOLONG if it does not fit. */
int vfe_path(char *buf, size_t n, const char *fmt, va_list ap) _printf_(3, 0);
