// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the assignments in /etc/default/grub and its drop-ins (see grub-defaults.h). */
#include <ctype.h>
#include <stdio.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "efi/grub/grub.h"

struct sh {
	const char *p;
	int line;
	struct vfe_grubenv *vars;
	const char *err;
};

static bool is_name_char(char c, bool first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

static size_t name_len(const char *p)
{
	size_t n = 0;

	if (!is_name_char(p[0], true))
		return 0;
	while (is_name_char(p[n], n == 0))
		n++;
	return n;
}

/* $NAME or ${NAME} at s->p (after the '$'); appends the value. */
static void expand(struct sh *s, struct strbuf *out)
{
	bool brace = *s->p == '{';
	char name[128];
	size_t n = name_len(s->p + brace);
	const char *v;

	if (n == 0 || n >= sizeof(name) || (brace && s->p[1 + n] != '}')) {
		sb_putc(out, '$');
		return;
	}
	memcpy(name, s->p + brace, n);
	name[n] = '\0';
	s->p += n + 2 * brace;
	v = vfe_grubenv_get(s->vars, name);
	if (v)
		sb_puts(out, v);
}

static int single_quoted(struct sh *s, struct strbuf *out)
{
	int start = s->line;

	for (s->p++; *s->p != '\''; s->p++) {
		if (!*s->p)
			return s->line = start, s->err = "unterminated single quote", -EINVAL;
		s->line += *s->p == '\n';
		sb_putc(out, *s->p);
	}
	s->p++;
	return 0;
}

static int double_quoted(struct sh *s, struct strbuf *out)
{
	int start = s->line;

	for (s->p++; *s->p != '"';) {
		char c = *s->p++;
		if (!c)
			return s->line = start, s->err = "unterminated double quote", -EINVAL;
		s->line += c == '\n';
		if (c == '\\' && *s->p && strchr("$`\"\\\n", *s->p)) {
			if (*s->p != '\n')
				sb_putc(out, *s->p);
			s->line += *s->p == '\n';
			s->p++;
		} else if (c == '$')
			expand(s, out);
		else if (c == '`')
			return s->err = "command substitution is not supported", -EINVAL;
		else
			sb_putc(out, c);
	}
	s->p++;
	return 0;
}

/* A shell word (the value of an assignment) into out. */
static int word(struct sh *s, struct strbuf *out)
{
	int r = 0;

	while (r >= 0 && *s->p && !strchr(" \t\n;", *s->p)) {
		char c = *s->p;
		if (c == '\'')
			r = single_quoted(s, out);
		else if (c == '"')
			r = double_quoted(s, out);
		else if (c == '`' || (c == '$' && s->p[1] == '('))
			return s->err = "command substitution is not supported", -EINVAL;
		else if (c == '$') {
			s->p++;
			expand(s, out);
		} else if (c == '\\' && s->p[1]) {
			sb_putc(out, s->p[1]);
			s->p += 2;
		} else {
			sb_putc(out, c);
			s->p++;
		}
	}
	return r;
}

static void skip_rest_of_line(struct sh *s)
{
	while (*s->p && *s->p != '\n')
		s->p++;
}

static int assignment(struct sh *s, size_t n)
{
	_cleanup_(sb_freep) struct strbuf v = { 0 };
	char name[128];
	int r;

	if (n >= sizeof(name))
		return s->err = "variable name too long", -EINVAL;
	memcpy(name, s->p, n);
	name[n] = '\0';
	s->p += n + 1;
	r = word(s, &v);
	if (r >= 0)
		r = v.oom ? -ENOMEM : vfe_grubenv_set(s->vars, name, v.s ? v.s : "");
	return r < 0 ? r : 0;
}

/* Skips a command we do not evaluate; an unbalanced quote in it still makes the file malformed. */
static int skip_command(struct sh *s)
{
	while (*s->p && *s->p != '\n') {
		char q = *s->p++;
		int start = s->line;
		if (q != '"' && q != '\'')
			continue;
		while (*s->p && *s->p != q) {
			s->line += *s->p == '\n';
			s->p += (q == '"' && *s->p == '\\' && s->p[1]) ? 2 : 1;
		}
		if (!*s->p)
			return s->line = start, s->err = "unterminated quote", -EINVAL;
		s->p++;
	}
	return 0;
}

/* One line: an assignment, a comment or a command we skip. */
static int statement(struct sh *s)
{
	const char *q;
	size_t n;

	while (*s->p == ' ' || *s->p == '\t')
		s->p++;
	if (*s->p == '#') {
		skip_rest_of_line(s);
		return 0;
	}
	if ((q = startswith(s->p, "export ")))
		s->p = q;
	n = name_len(s->p);
	if (n > 0 && s->p[n] == '=')
		return assignment(s, n);
	return skip_command(s);
}

int vfe_grub_defaults_parse(const char *text, struct vfe_grubenv *vars, char **ret_err)
{
	struct sh s = { .p = text, .line = 1, .vars = vars };
	int r;

	while (*s.p) {
		r = statement(&s);
		if (r < 0) {
			if (r == -EINVAL && ret_err && asprintf(ret_err, "line %d: %s", s.line, s.err) < 0)
				*ret_err = NULL;
			return r;
		}
		while (*s.p == ' ' || *s.p == '\t' || *s.p == ';')
			s.p++;
		if (*s.p == '#')
			skip_rest_of_line(&s);
		if (*s.p == '\n') {
			s.line++;
			s.p++;
		}
	}
	return 0;
}

static int load_one(const struct vfe_root *r, const char *rel, struct vfe_grubenv *vars)
{
	_cleanup_free_ char *text = NULL, *err = NULL;
	int k;

	k = vfe_read_file(r, rel, 1 << 20, &text);
	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return log_error_errno(k, "Cannot read /%s: %m", rel);
	k = vfe_grub_defaults_parse(text, vars, &err);
	if (k == -EINVAL)
		return log_error_errno(k, "/%s: %s; fix the file, then retry", rel, err ? err : "malformed");
	return k;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dropins(const struct vfe_root *r, const char *skip, struct vfe_grubenv *vars)
{
	_cleanup_(strv_freep) struct strv names = { 0 };
	struct dirent *de;
	DIR *d = vfe_opendir(r, GRUB_PATH_DEFAULT_D);
	int k = 0;

	if (!d)
		return errno == ENOENT ? 0 : log_error_errno(negative_errno(), "Cannot read /%s: %m", GRUB_PATH_DEFAULT_D);
	while (k >= 0 && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && streq(de->d_name + l - 4, ".cfg") && (!skip || !streq(de->d_name, skip)))
			k = strv_pushf(&names, "%s/%s", GRUB_PATH_DEFAULT_D, de->d_name);
	}
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; k >= 0 && i < names.n; i++)
		k = load_one(r, names.v[i], vars);
	return k;
}

int vfe_grub_defaults_load(const struct vfe_root *r, bool with_dropins, const char *skip,
			   struct vfe_grubenv *ret)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv vars = { 0 };
	int k;

	k = load_one(r, GRUB_PATH_DEFAULT, &vars);
	if (k >= 0 && with_dropins)
		k = load_dropins(r, skip, &vars);
	if (k < 0)
		return k;
	*ret = TAKE_STRUCT(vars);
	return 0;
}
