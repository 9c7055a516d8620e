/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/*
 * The one line syntax shared by the config file and the status record:
 * words separated by blanks, each either "word" or "key=value", where a
 * value may be "double-quoted" with \" \\ \n escapes, and '#' outside
 * quotes starts a comment. sb_put_word() (strbuf.h) writes the same syntax.
 */
struct vfe_word {
	char *key;   /* the whole word when it has no '=' */
	char *value; /* NULL when the word has no '=' */
};

#define VFE_WORDS_MAX 32

/*
 * Splits line in place into at most max words. Returns the number of words,
 * or -EINVAL with *err naming the problem (an unterminated quote, a stray
 * character after a quoted value, too many words).
 */
int vfe_split_words(char *line, struct vfe_word *words, size_t max, const char **err);
