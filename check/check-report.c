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

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int check_print_text(const struct check_report *rep, bool color, bool quiet)
{
	static const char *const tags[] = { "[ ok ]", "[warn]", "[FAIL]", "[skip]" };
	static const char *const colors[] = { "\033[32m", "\033[33m", "\033[1;31m", "" };
	unsigned c[4];

	for (size_t i = 0; i < rep->n; i++) {
		const struct check_item *it = &rep->items[i];
		/* -q: the failures alone, as errors */
		if (quiet) {
			if (it->level == CHECK_FAIL)
				log_error("%s: %s%s%s", it->title, it->detail, it->fix ? "; fix: " : "", it->fix ? it->fix : "");
			continue;
		}
		printf("%s%s%s %s: %s\n", color ? colors[it->level] : "", tags[it->level], color ? "\033[0m" : "", it->title,
		       it->detail);
		if (it->fix && it->level != CHECK_PASS)
			printf("       fix: %s\n", it->fix);
	}
	count(rep, c);
	if (!quiet)
		printf("\n%u passed, %u %s, %u failed, %u not checked\n", c[CHECK_PASS], c[CHECK_WARN],
		       plural(c[CHECK_WARN], "warning", "warnings"), c[CHECK_FAIL], c[CHECK_SKIP]);
	if (rep->oom)
		log_error("out of memory: some checks are missing");
	return exit_code(rep);
}

int check_print_json(const struct check_report *rep, struct strbuf *sb)
{
	unsigned c[4];

	sb_puts(sb, ",\"checks\":[");
	for (size_t i = 0; i < rep->n; i++) {
		const struct check_item *it = &rep->items[i];
		sb_puts(sb, i ? ",{" : "{");
		sb_put_json_member(sb, "id", it->id);
		sb_put_json_member(sb, "title", it->title);
		sb_put_json_member(sb, "result", check_level_name(it->level));
		sb_put_json_member(sb, "detail", it->detail);
		sb_put_json_member(sb, "fix", it->fix);
		sb_putc(sb, '}');
	}
	count(rep, c);
	sb_printf(sb, "],\"summary\":{\"pass\":%u,\"warn\":%u,\"fail\":%u,\"skip\":%u}", c[CHECK_PASS],
		  c[CHECK_WARN], c[CHECK_FAIL], c[CHECK_SKIP]);
	if (rep->oom)
		log_error("out of memory: some checks are missing");
	return exit_code(rep);
}
