/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/efivarfs.h"
#include "common/root.h"
#include "common/strv.h"

/*
 * A small efivarfs reader/writer under the root prefix: each variable is
 * the file <root>/sys/firmware/efi/efivars/<Name>-<guid>, 4 bytes of
 * attributes (LE) then the payload. Writes are one write() of both, clear
 * the immutable flag first where it is set (and set it again afterwards),
 * and are verified by reading the variable back.
 */

/* >0 when <root>/sys/firmware/efi/efivars is there (mounted efivarfs, or a fake one). */
bool vfe_efivars_available(const struct vfe_root *r);

/* vfe_efivar_read(), vfe_efivar_read_string() and vfe_utf16_decode() are common/efivarfs.h's. */
int vfe_efivar_write(const struct vfe_root *r, const char *name, const char *guid, uint32_t attrs,
		     const void *data, size_t len);
/* 0 also when it did not exist. */
int vfe_efivar_delete(const struct vfe_root *r, const char *name, const char *guid);

/* UTF-16LE strings, as the Loader* variables hold them (NUL-terminated). */
int vfe_efivar_write_string(const struct vfe_root *r, const char *name, const char *guid, const char *s);
/* A little-endian integer of 1..8 bytes (LoaderFeatures, BootCurrent, BootNext). */
int vfe_efivar_read_uint(const struct vfe_root *r, const char *name, const char *guid, uint64_t *ret);
/* The list of NUL-separated UTF-16 strings (LoaderEntries). */
int vfe_efivar_read_strv(const struct vfe_root *r, const char *name, const char *guid, struct strv *ret);
/* Every variable name under guid ("Boot0001", ...), sorted. */
int vfe_efivar_list(const struct vfe_root *r, const char *guid, struct strv *ret);

/* UTF-8 -> UTF-16LE with the terminating 0x0000 (BMP only); *ret_len in bytes. */
int vfe_utf16_encode(const char *s, uint8_t **ret, size_t *ret_len);
