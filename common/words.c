// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>

#include "common/words.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Unquotes "..." starting at *pp in place into out; leaves *pp after the closing quote. */
static int unquote(char **pp, char *out, const char **err)
{
	char *p = *pp + 1;

	for (;;) {
		char c = *p++;
		if (c == '\0') {
			*err = "unterminated quote";
			return -EINVAL;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			c = *p++;
			if (c == 'n')
				c = '\n';
			else if (c != '"' && c != '\\') {
				*err = c ? "unknown escape (only \\\" \\\\ \\n)" : "unterminated quote";
				return -EINVAL;
			}
		}
		*out++ = c;
	}
	*out = '\0';
	*pp = p;
	return 0;
}

static int split_one(char **pp, struct vfe_word *w, const char **err)
{
	char *p = *pp, *start = p;

	w->key = start;
	w->value = NULL;
	while (*p && !is_blank(*p) && *p != '=' && *p != '"' && *p != '#')
		p++;
	if (*p == '"') {
		*err = "quote inside a word (quote only values: key=\"...\")";
		return -EINVAL;
	}
	if (*p == '=') {
		*p++ = '\0';
		w->value = p;
		if (*p == '"') {
			int r = unquote(&p, w->value, err);
			if (r < 0)
				return r;
		} else {
			while (*p && !is_blank(*p) && *p != '"' && *p != '#')
				p++;
			if (*p == '"') {
				*err = "quote inside a value (quote the whole value)";
				return -EINVAL;
			}
		}
	}
	if (*p && !is_blank(*p) && *p != '#') {
		*err = "unexpected character after a quoted value";
		return -EINVAL;
	}
	if (*p == '#')
		*p = '\0';
	else if (*p)
		*p++ = '\0';
	*pp = p;
	return 0;
}

int vfe_split_words(char *line, struct vfe_word *words, size_t max, const char **err)
{
	char *p = line;
	size_t n = 0;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0' || *p == '#')
			return (int)n;
		if (n == max) {
			*err = "too many words on one line";
			return -EINVAL;
		}
		char *before = p;
		int r = split_one(&p, &words[n], err);
		if (r < 0)
			return r;
		if (p == before) { /* cannot happen, but never loop for ever on bad input */
			*err = "unexpected character";
			return -EINVAL;
		}
		n++;
	}
}
