/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"

/*
 * The JSON every --json prints, one schema (docs/json.md): snake_case keys,
 * every key always present (null when unknown), booleans for yes/no,
 * machine values, absolute paths. Each document is an object that starts
 * with "schema_version"; a change that removes or renames a key, or changes
 * a value's type or meaning, raises it. New keys do not.
 */
#define CLI_JSON_SCHEMA_VERSION 1

/* Opens the document: {"schema_version":N */
void json_begin(struct strbuf *sb);
/* A ',' unless sb ends in '{', '[' or ',' (so a list's first item needs no special case). */
void json_comma(struct strbuf *sb);
void json_bool(struct strbuf *sb, const char *key, bool value);
/* "key":value, or "key":null when !known. */
void json_int_or_null(struct strbuf *sb, const char *key, long long value, bool known);
void json_bool_or_null(struct strbuf *sb, const char *key, bool value, bool known);
