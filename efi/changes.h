/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/root.h"
#include "common/strbuf.h"

/*
 * A set of whole-file changes made together: each file's old and new text
 * is known before anything is written, so --dry-run prints exact diffs, and
 * a failure half way puts back the files already changed. Every write goes
 * through vfe_write_file_atomic(); the previous version of each changed or
 * deleted file is kept under /var/lib/vfio-early/backup/ at the same
 * relative path (never beside it: see changes.c).
 */
struct vfe_change {
	char *path;  /* relative to the root */
	char *old;   /* NULL: the file did not exist */
	char *new;   /* NULL: delete the file */
	mode_t mode;
};

struct vfe_changes {
	struct vfe_change *v;
	size_t n;
};

/*
 * Plans rel to hold text (NULL: to be deleted). A second call for the same
 * path replaces the first plan. Returns 1 when that is a change, 0 when
 * the file already is so, <0 on error.
 */
int vfe_changes_set(struct vfe_changes *c, const struct vfe_root *r, const char *rel, const char *text);
/* The planned text of rel: the new text when planned, else what is on disk (malloc'd); NULL when none. */
char *vfe_changes_get(const struct vfe_changes *c, const struct vfe_root *r, const char *rel);
/* Number of planned changes that really change something. */
size_t vfe_changes_count(const struct vfe_changes *c);
/* Unified diffs of every change ("--- a/PATH", "+++ b/PATH", one hunk each): "patch -p1" in the root applies them. */
void vfe_changes_print(const struct vfe_changes *c, struct strbuf *out);
/* Applies all; on failure restores the ones done and logs one line naming the file. */
int vfe_changes_apply(const struct vfe_changes *c, const struct vfe_root *r, const char *who);
void vfe_changes_free(struct vfe_changes *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vfe_changes, vfe_changes_free);
