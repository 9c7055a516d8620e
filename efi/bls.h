/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "root.h"
#include "strv.h"

/*
 * Boot Loader Specification Type #1 entries (files in $BOOT/loader/entries)
 * as systemd-boot sees them: the id is the file name with ".conf",
 * lower-cased, without a "+LEFT[-DONE]" boot counter; entries sort by
 * sort-key, machine-id, version (descending), then id (descending), with
 * systemd's version comparison.
 */
struct vfe_bls_entry {
	char *id;       /* "pop_os-current.conf" */
	char *file;     /* "Pop_OS-current.conf" (as on disk) */
	char *path;     /* relative to the root: "boot/efi/loader/entries/Pop_OS-current.conf" */
	char *mount;    /* the partition's mount point, relative to the root: "boot/efi" */
	char *title, *version, *machine_id, *sort_key, *kernel, *efi, *options;
	char *source;   /* ours: the file name of the entry it was made from */
	struct strv initrd;
	bool ours;      /* carries EFI_NOPT_MARK */
	bool bad;       /* boot counter "+0-N" */
};

struct vfe_bls {
	struct vfe_bls_entry *v;
	size_t n;
};

/* Parses one entry's text. */
int vfe_bls_parse(const char *text, struct vfe_bls_entry *e);
/* Adds the entries of <mount>/loader/entries (none when the directory is missing). */
int vfe_bls_load(const struct vfe_root *r, const char *mount, struct vfe_bls *b);
void vfe_bls_sort(struct vfe_bls *b);
void vfe_bls_free(struct vfe_bls *b);
void vfe_bls_entry_free(struct vfe_bls_entry *e);

/* systemd's strverscmp_improved(). */
int vfe_verscmp(const char *a, const char *b);
/* "Pop_OS-current+3-1.conf" -> "pop_os-current.conf" */
char *vfe_bls_id(const char *file);

const struct vfe_bls_entry *vfe_bls_find(const struct vfe_bls *b, const char *id);
/* systemd-boot's choice with no one-shot: the first match of pattern (LoaderEntryDefault, else loader.conf's
 * default) in menu order, else the first entry. NULL when there are none. */
const struct vfe_bls_entry *vfe_bls_default(const struct vfe_bls *b, const char *pattern);
/* The entry our recovery entry copies: the default unless it is ours (then the one ours was made from). */
const struct vfe_bls_entry *vfe_bls_source(const struct vfe_bls *b, const char *pattern);
/* Our entry made from src, if any. */
const struct vfe_bls_entry *vfe_bls_ours_for(const struct vfe_bls *b, const struct vfe_bls_entry *src);

/* The recovery entry for src: its file name and its text. */
char *vfe_bls_nopt_file(const struct vfe_bls_entry *src);
char *vfe_bls_nopt_text(const struct vfe_bls_entry *src, const char *options);
/* text with every "options" line replaced by one line holding opts. */
char *vfe_bls_set_options(const char *text, const char *opts);
/* The default pattern from <mount>/loader/loader.conf (malloc'd) or NULL. */
char *vfe_bls_conf_default(const struct vfe_root *r, const char *mount);
