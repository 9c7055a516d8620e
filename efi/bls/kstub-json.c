// SPDX-License-Identifier: GPL-2.0-or-later
/* kernelstub's configuration: "user"."kernel_options" only (see kstub-json.h). */
#include <ctype.h>
#include <stdio.h>

#include "common/kcmdline.h"
#include "common/strbuf.h"
#include "efi/bls/bls.h"

static const char *skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Parses a JSON string at p (at its '"'); appends its value to sb when not NULL. Returns the end or NULL. */
static const char *string_end(const char *p, struct strbuf *sb)
{
	for (p++; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\') {
			c = *++p;
			if (!c)
				return NULL;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			if (*p == 'u' && strspn(p + 1, "0123456789abcdefABCDEF") >= 4) {
				unsigned v;
				sscanf(p + 1, "%4x", &v);
				c = v < 0x80 ? (char)v : '?';
				p += 4;
			}
		}
		if (sb)
			sb_putc(sb, c);
	}
	return *p == '"' ? p + 1 : NULL;
}

/* Skips any JSON value; returns its end or NULL. */
static const char *value_end(const char *p)
{
	int depth = 0;

	do {
		p = skip_ws(p);
		if (*p == '"') {
			if (!(p = string_end(p, NULL)))
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (!*p)
			return NULL;
		if (depth < 0)
			return NULL;
		p++;
		if (!depth && !strchr("]},", p[-1]))
			while (*p && !strchr(",}] \t\r\n", *p))
				p++;
	} while (depth > 0);
	return p;
}

/* In the object at p ('{'), the value of key; NULL when absent. */
static const char *member(const char *p, const char *key)
{
	p = skip_ws(p);
	if (*p++ != '{')
		return NULL;
	for (;;) {
		_cleanup_(sb_freep) struct strbuf k = { 0 };
		const char *v;
		bool hit;
		p = skip_ws(p);
		if (*p != '"')
			return NULL;
		sb_puts(&k, "");
		p = string_end(p, &k);
		hit = p && k.s && streq(k.s, key);
		if (!p || *(p = skip_ws(p)) != ':')
			return NULL;
		v = skip_ws(p + 1);
		if (hit)
			return v;
		if (!(p = value_end(v)) || *(p = skip_ws(p)) != ',')
			return NULL;
		p++;
	}
}

static const char *find_list(const char *json)
{
	const char *user = member(json, "user");

	return user ? member(user, "kernel_options") : NULL;
}

int vfe_kstub_get_options(const char *json, char **ret)
{
	const char *p = find_list(json);
	_cleanup_(sb_freep) struct strbuf sb = { 0 };

	if (!p)
		return -ENOENT;
	if (*p != '[')
		return -EBADMSG;
	sb_puts(&sb, "");
	for (p = skip_ws(p + 1); *p == '"';) {
		if (sb.len)
			sb_putc(&sb, ' ');
		if (!(p = string_end(p, &sb)))
			break;
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
	}
	if (!p || *p != ']')
		return -EBADMSG;
	*ret = sb_steal(&sb);
	return *ret ? 0 : -ENOMEM;
}

/* The indentation of the line holding p. */
static size_t indent_of(const char *json, const char *p)
{
	const char *l = p;

	while (l > json && l[-1] != '\n')
		l--;
	return strspn(l, " ");
}

static int put_json_list(struct strbuf *sb, const char *opts, size_t ind)
{
	struct strv w = { 0 };
	int k = vfe_kcmdline_words(opts, &w);

	if (k < 0)
		return k;
	sb_putc(sb, '[');
	for (size_t i = 0; i < w.n; i++) {
		sb_printf(sb, "%s\n%*s", i ? "," : "", (int)ind + 2, "");
		sb_put_json_string(sb, w.v[i]);
	}
	if (w.n)
		sb_printf(sb, "\n%*s", (int)ind, "");
	sb_putc(sb, ']');
	strv_free(&w);
	return 0;
}

int vfe_kstub_set_options(const char *json, const char *opts, char **ret)
{
	const char *p = find_list(json), *end;
	struct strbuf sb = { 0 };
	int k;

	if (!p)
		return -ENOENT;
	if (*p != '[' || !(end = value_end(p)))
		return -EBADMSG;
	sb_putn(&sb, json, (size_t)(p - json));
	k = put_json_list(&sb, opts, indent_of(json, p));
	if (k < 0) {
		sb_free(&sb);
		return k;
	}
	sb_puts(&sb, end);
	*ret = sb_steal(&sb);
	return *ret ? 0 : -ENOMEM;
}
