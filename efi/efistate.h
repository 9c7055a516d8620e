/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/macro.h"
#include "common/root.h"

/*
 * What `vfio-early boot install` changed in the EFI backends' files, so that
 * `remove` undoes exactly that: one record per line in
 * /var/lib/vfio-early/boot-efi.state, written through changes.h.
 *   param PATH PARAM [REPLACED]  PARAM was added to PATH (replacing REPLACED)
 *   created PATH                 PATH did not exist before install
 * and the automatic fallback's records (efi/bls/bls.h, bls-count).
 */
struct vfe_state_rec {
	char *kind, *path, *param, *replaced;
};

struct vfe_efi_state {
	struct vfe_state_rec *v;
	size_t n;
};

int vfe_efi_state_parse(const char *text, struct vfe_efi_state *ret);
bool vfe_efi_state_has(const struct vfe_efi_state *s, const char *kind, const char *path, const char *param);
int vfe_efi_state_add(struct vfe_efi_state *s, const char *kind, const char *path, const char *param,
		      const char *replaced);
/* Drops every record of kind (and of path too, when path is not NULL). Returns how many went. */
size_t vfe_efi_state_drop(struct vfe_efi_state *s, const char *kind, const char *path);
/* The first record of kind, NULL when none. */
const struct vfe_state_rec *vfe_efi_state_find(const struct vfe_efi_state *s, const char *kind);
/* The file's text; NULL (no file) when there are no records. */
char *vfe_efi_state_format(const struct vfe_efi_state *s);
void vfe_efi_state_free(struct vfe_efi_state *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vfe_efi_state, vfe_efi_state_free);
