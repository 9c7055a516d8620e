/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "common/root.h"

enum {
	VFE_ATOMIC_KEEP_BACKUP = 1 << 0, /* keep the previous content as "<file>.bak" */
	VFE_ATOMIC_NO_SYNC = 1 << 1,     /* skip fsync: for files on tmpfs (/run), where it buys nothing */
};

/*
 * Replaces the file rel (relative to the root) with data, so that a crash at
 * any point leaves either the old or the new content: the data goes to a
 * temporary file in the same directory, is fsync()ed, renamed over rel, and
 * the directory is fsync()ed. With VFE_ATOMIC_KEEP_BACKUP the old content
 * is first saved the same way as "<rel>.bak". Nothing is changed on failure
 * (the temporary file is removed).
 */
int vfe_write_file_atomic(const struct vfe_root *r, const char *rel, const void *data, size_t len, mode_t mode,
			  unsigned flags);
