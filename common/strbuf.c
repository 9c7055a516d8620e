// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "common/strbuf.h"

static bool grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	char *n;

	if (sb->oom)
		return false;
	if (need <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	n = realloc(sb->s, cap);
	if (!n) {
		sb->oom = true;
		return false;
	}
	sb->s = n;
	sb->cap = cap;
	return true;
}

void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
	if (!grow(sb, n))
		return;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

void sb_putc(struct strbuf *sb, char c)
{
	sb_putn(sb, &c, 1);
}

/* Formats into the free space first: a second pass only when that was too small. */
void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	size_t room = sb->s && !sb->oom ? sb->cap - sb->len : 0;
	va_list ap;
	int l;

	va_start(ap, fmt);
	l = vsnprintf(room ? sb->s + sb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (l < 0) {
		if (room)
			sb->s[sb->len] = '\0';
		return;
	}
	if ((size_t)l < room) {
		sb->len += (size_t)l;
		return;
	}
	if (room)
		sb->s[sb->len] = '\0'; /* undo the partial text until it fits */
	if (!grow(sb, (size_t)l))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)l + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)l;
}

static bool is_safe_word(const char *v)
{
	if (!*v)
		return false;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == '"' || c == '\\' || c == '#' || c == '=' || c >= 0x7f)
			return false;
	}
	return true;
}

void sb_put_word(struct strbuf *sb, const char *value)
{
	if (is_safe_word(value)) {
		sb_puts(sb, value);
		return;
	}
	sb_putc(sb, '"');
	for (const char *p = value; *p;) {
		size_t run = strcspn(p, "\"\\\n"); /* copied as it is, in one go */
		sb_putn(sb, p, run);
		p += run;
		if (!*p)
			break;
		sb_puts(sb, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\");
		p++;
	}
	sb_putc(sb, '"');
}

void sb_put_json_string(struct strbuf *sb, const char *value)
{
	sb_putc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		switch (*p) {
		case '"':
			sb_puts(sb, "\\\"");
			break;
		case '\\':
			sb_puts(sb, "\\\\");
			break;
		case '\n':
			sb_puts(sb, "\\n");
			break;
		case '\t':
			sb_puts(sb, "\\t");
			break;
		default:
			if (*p < 0x20)
				sb_printf(sb, "\\u%04x", *p);
			else
				sb_putc(sb, (char)*p);
		}
	}
	sb_putc(sb, '"');
}

void sb_put_json_member(struct strbuf *sb, const char *key, const char *value)
{
	char last = sb->len && sb->s ? sb->s[sb->len - 1] : '{';

	if (last != '{' && last != '[' && last != ',')
		sb_putc(sb, ',');
	sb_put_json_string(sb, key);
	sb_putc(sb, ':');
	if (value)
		sb_put_json_string(sb, value);
	else
		sb_puts(sb, "null");
}

void sb_free(struct strbuf *sb)
{
	free(sb->s);
	*sb = (struct strbuf){ 0 };
}

char *sb_steal(struct strbuf *sb)
{
	char *s = sb->oom ? NULL : sb->s;

	if (sb->oom)
		free(sb->s);
	*sb = (struct strbuf){ 0 };
	return s;
}
