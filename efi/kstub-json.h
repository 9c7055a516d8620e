/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * kernelstub's /etc/kernelstub/configuration (JSON, rewritten by kernelstub
 * with indent=2): only "user"."kernel_options", a list of strings, is read
 * and replaced; every other byte of the file stays as it was.
 */

/* The list joined with spaces (malloc'd). -ENOENT: no "user" / "kernel_options"; -EBADMSG: not a list. */
int vfe_kstub_get_options(const char *json, char **ret);
/* json with the list replaced by the words of opts, one string each, in kernelstub's layout. */
int vfe_kstub_set_options(const char *json, const char *opts, char **ret);
