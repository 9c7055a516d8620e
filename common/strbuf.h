/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/macro.h"

/* A growable string. An allocation failure is sticky: check sb.oom once at the end. */
struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void sb_puts(struct strbuf *sb, const char *s);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
/* value as a word: bare when it is only safe characters, else "double-quoted" with \ escapes. */
void sb_put_word(struct strbuf *sb, const char *value);
/* value as a JSON string literal. */
void sb_put_json_string(struct strbuf *sb, const char *value);
/* "key":"value" in a JSON object, null when value is NULL; a ',' first unless sb ends in '{', '[' or ','. */
void sb_put_json_member(struct strbuf *sb, const char *key, const char *value);
void sb_free(struct strbuf *sb);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct strbuf, sb_free);
/* Hands over the string (or NULL after an allocation failure) and resets sb. */
char *sb_steal(struct strbuf *sb);
