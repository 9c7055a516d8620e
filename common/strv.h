/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "common/macro.h"

/* A growable list of owned strings (problems found while parsing, notes for the status record). */
struct strv {
	char **v;
	size_t n;
};

int strv_push(struct strv *s, const char *str);
int strv_pushf(struct strv *s, const char *fmt, ...) _printf_(2, 3);
void strv_free(struct strv *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct strv, strv_free);
