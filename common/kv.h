/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/*
 * KEY=value lines, one setting a line, as in os-release and logind's
 * session files: the value of the first line that sets key, as a pointer
 * into text and its length up to the end of that line (quotes, if any,
 * left in); NULL when no line sets it.
 */
const char *vfe_kv_find(const char *text, const char *key, size_t *len);
