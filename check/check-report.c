// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early check: collecting results and printing them as text or JSON. */
#include <stdarg.h>
#include <stdio.h>

#include "check/check.h"
#include "common/log.h"
#include "common/strbuf.h"

static const char *const level_names[] = {
	[CHECK_PASS] = "pass", [CHECK_WARN] = "warn", [CHECK_FAIL] = "fail", [CHECK_SKIP] = "skip",
};

const char *check_level_name(enum check_level l)
{
	return (size_t)l < ELEMENTSOF(level_names) ? level_names[l] : "?";
}

void check_add(struct check_report *rep, const char *id, const char *title, enum check_level level, const char *fix,
	       const char *fmt, ...)
{
	struct check_item *n = realloc(rep->items, (rep->n + 1) * sizeof(*n));
	va_list ap;
	char *detail = NULL;

	if (!n) {
		rep->oom = true;
		return;
	}
	rep->items = n;
	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	n = &rep->items[rep->n];
	*n = (struct check_item){ .id = strdup(id), .title = strdup(title), .level = level, .detail = detail,
				  .fix = fix ? strdup(fix) : NULL };
	if (!n->id || !n->title || !n->detail || (fix && !n->fix)) {
		free(n->id), free(n->title), free(n->detail), free(n->fix);
		rep->oom = true;
		return;
	}
	rep->n++;
}

void check_report_free(struct check_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->items[i].id);
		free(rep->items[i].title);
		free(rep->items[i].detail);
		free(rep->items[i].fix);
	}
	free(rep->items);
	*rep = (struct check_report){ 0 };
}

static void count(const struct check_report *rep, unsigned c[4])
{
	c[0] = c[1] = c[2] = c[3] = 0;
	for (size_t i = 0; i < rep->n; i++)
		c[rep->items[i].level]++;
}

/* 0 when nothing failed, 1 otherwise (the verb's exit code). */
static int exit_code(const struct check_report *rep)
{
	unsigned c[4];

	count(rep, c);
	return c[CHECK_FAIL] || rep->oom ? 1 : 0;
}

int check_print_text(const struct check_report *rep)
{
	static const char *const tags[] = { "[ ok ]", "[warn]", "[FAIL]", "[skip]" };
	unsigned c[4];

	for (size_t i = 0; i < rep->n; i++) {
		const struct check_item *it = &rep->items[i];
		printf("%s %s: %s\n", tags[it->level], it->title, it->detail);
		if (it->fix && it->level != CHECK_PASS)
			printf("       fix: %s\n", it->fix);
	}
	count(rep, c);
	printf("\n%u passed, %u warnings, %u failed, %u not checked\n", c[CHECK_PASS], c[CHECK_WARN], c[CHECK_FAIL],
	       c[CHECK_SKIP]);
	if (rep->oom)
		log_error("out of memory: some checks are missing");
	return exit_code(rep);
}

int check_print_json(const struct check_report *rep)
{
	struct strbuf sb = { 0 };
	unsigned c[4];

	sb_puts(&sb, "{\"checks\":[");
	for (size_t i = 0; i < rep->n; i++) {
		const struct check_item *it = &rep->items[i];
		sb_puts(&sb, i ? ",{\"id\":" : "{\"id\":");
		sb_put_json_string(&sb, it->id);
		sb_puts(&sb, ",\"title\":");
		sb_put_json_string(&sb, it->title);
		sb_printf(&sb, ",\"result\":\"%s\",\"detail\":", check_level_name(it->level));
		sb_put_json_string(&sb, it->detail);
		sb_puts(&sb, ",\"fix\":");
		if (it->fix)
			sb_put_json_string(&sb, it->fix);
		else
			sb_puts(&sb, "null");
		sb_putc(&sb, '}');
	}
	count(rep, c);
	sb_printf(&sb, "],\"summary\":{\"pass\":%u,\"warn\":%u,\"fail\":%u,\"skip\":%u}}\n", c[CHECK_PASS],
		  c[CHECK_WARN], c[CHECK_FAIL], c[CHECK_SKIP]);
	if (sb.oom || rep->oom) {
		sb_free(&sb);
		log_error("out of memory");
		return 1;
	}
	fputs(sb.s, stdout);
	sb_free(&sb);
	return exit_code(rep);
}
