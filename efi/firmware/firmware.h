/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The firmware family's one private header: UEFI load options for the
 * Boot#### entry. Only efi/firmware/ and the tests include it.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- loadopt */
/*
 * EFI_LOAD_OPTION for the firmware's Boot#### entry: the device path of a
 * file on the ESP comes from libefiboot behind an ops struct (it reads the
 * real /sys; tests swap in a fake), the option itself from
 * efi_loadopt_create().
 */
struct vfe_efi_dp_ops {
	/* Device path of the file at the absolute path; like efi_generate_file_device_path(). */
	ssize_t (*file_dp)(const char *abspath, uint8_t *buf, ssize_t size);
};

extern const struct vfe_efi_dp_ops vfe_efi_dp_real;
extern const struct vfe_efi_dp_ops *vfe_efi_dp_ops; /* &vfe_efi_dp_real unless a test changed it */

/* Builds the load option: ACTIVE, desc, the file's device path, the command line as UTF-16 optional data. */
int vfe_loadopt_build(const char *abspath, const char *desc, const char *cmdline, uint8_t **ret, size_t *ret_len);
/* The description of a load option (malloc'd), NULL when malformed. */
char *vfe_loadopt_desc(const uint8_t *opt, size_t len);
/* The optional data as a UTF-16 command line (malloc'd), "" when none. */
char *vfe_loadopt_cmdline(const uint8_t *opt, size_t len);
/* The file its device path starts ("\EFI\debian\shimx64.efi", malloc'd); NULL when it names none. */
char *vfe_loadopt_file(const uint8_t *opt, size_t len);
