/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/root.h"

/*
 * Reading EFI variables from efivarfs under the root prefix: each variable
 * is the file <root>/sys/firmware/efi/efivars/<Name>-<guid>, 4 bytes of
 * attributes (little endian), then the payload. This is the part the binder
 * needs at boot (early/fallback.c); writing, listing and the rest are the
 * boot-entry backends' (efi/efivars.h), which build on it.
 */

/* The Boot Loader Interface's vendor GUID (LoaderBootCountPath, LoaderEntry*, ...). */
#define VFE_EFI_GUID_LOADER "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

/* -ENOENT when the variable does not exist. *ret_data is malloc'd (plus a NUL for convenience). */
int vfe_efivar_read(const struct vfe_root *r, const char *name, const char *guid, uint32_t *ret_attrs,
		    uint8_t **ret_data, size_t *ret_len);

/* A UTF-16LE string variable (the Loader* variables), as UTF-8. */
int vfe_efivar_read_string(const struct vfe_root *r, const char *name, const char *guid, char **ret);

/* UTF-16LE (up to len bytes or the first NUL) -> UTF-8; *ret_used gets the bytes consumed incl. NUL. */
char *vfe_utf16_decode(const uint8_t *p, size_t len, size_t *ret_used);
