// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/json.h"

void json_begin(struct strbuf *sb)
{
	sb_printf(sb, "{\"schema_version\":%d", CLI_JSON_SCHEMA_VERSION);
}

void json_comma(struct strbuf *sb)
{
	char last = sb->len && sb->s ? sb->s[sb->len - 1] : '{';

	if (last != '{' && last != '[' && last != ',')
		sb_putc(sb, ',');
}

static void key(struct strbuf *sb, const char *k)
{
	json_comma(sb);
	sb_put_json_string(sb, k);
	sb_putc(sb, ':');
}

void json_bool(struct strbuf *sb, const char *k, bool value)
{
	key(sb, k);
	sb_puts(sb, value ? "true" : "false");
}

void json_int_or_null(struct strbuf *sb, const char *k, long long value, bool known)
{
	key(sb, k);
	if (known)
		sb_printf(sb, "%lld", value);
	else
		sb_puts(sb, "null");
}

void json_bool_or_null(struct strbuf *sb, const char *k, bool value, bool known)
{
	key(sb, k);
	sb_puts(sb, known ? (value ? "true" : "false") : "null");
}
