// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing a kernel command line: one parameter, and the add/remove/has edits of a list (see kcmdline.h). */
#include <ctype.h>

#include "common/kcmdline.h"

static bool has_blank(const char *v)
{
	for (; *v; v++)
		if (isspace((unsigned char)*v))
			return true;
	return false;
}

void vfe_kcmdline_put(struct strbuf *sb, const char *name, const char *val)
{
	if (sb->len)
		sb_putc(sb, ' ');
	sb_puts(sb, name);
	if (val)
		sb_printf(sb, has_blank(val) ? "=\"%s\"" : "=%s", val);
}

static void emit(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len)
		sb_putc(sb, ' ');
	sb_putn(sb, s, n);
}

static void split_param(char *p, char **name, char **val)
{
	char *eq = strchr(p, '=');

	*name = p;
	*val = eq ? (*eq = '\0', eq + 1) : NULL;
}

static bool arg_is(const struct vfe_karg *a, const char *name, const char *val)
{
	if (!vfe_param_eq(a->name, name))
		return false;
	return (!a->val && !val) || (a->val && val && streq(a->val, val));
}

struct edit {
	const char *param;    /* name=value to add/remove/find */
	const char *put_back; /* remove: put this in its place */
	char *name, *val;     /* param, split */
	bool add, found;
	char *replaced;
	struct strbuf sb;
};

static int edit_arg(const struct vfe_karg *a, void *userdata)
{
	struct edit *e = userdata;

	if (arg_is(a, e->name, e->val)) {
		if (e->found && e->add)
			return 0; /* a duplicate of ours: drop it */
		e->found = true;
		if (!e->add) {
			if (e->put_back)
				emit(&e->sb, e->put_back, strlen(e->put_back));
			return 0;
		}
	} else if (e->add && vfe_param_eq(a->name, e->name)) {
		/* the same parameter with another value: ours replaces it in place */
		if (!e->replaced && !(e->replaced = strndup(a->text, a->len)))
			return -ENOMEM;
		if (!e->found)
			emit(&e->sb, e->param, strlen(e->param));
		e->found = true;
		return 0;
	}
	emit(&e->sb, a->text, a->len);
	return 0;
}

/* init's words after "--" go back unchanged: the kernel never reads them. */
static int put_init(struct strbuf *sb, const char *init)
{
	struct strv w = { 0 };
	int k = vfe_kcmdline_words(init, &w);

	emit(sb, "--", 2);
	for (size_t i = 0; k >= 0 && i < w.n; i++)
		emit(sb, w.v[i], strlen(w.v[i]));
	strv_free(&w);
	return k;
}

static int run_edit(struct edit *e, const char *opts, char **ret)
{
	_cleanup_free_ char *p = strdup(e->param), *init = NULL;
	int k;

	if (!p)
		return -ENOMEM;
	split_param(p, &e->name, &e->val);
	sb_puts(&e->sb, "");
	k = vfe_kcmdline_each(opts, edit_arg, e, &init);
	if (k >= 0 && e->add && !e->found)
		emit(&e->sb, e->param, strlen(e->param));
	if (k >= 0 && init)
		k = put_init(&e->sb, init);
	*ret = sb_steal(&e->sb);
	if (k < 0 || !*ret)
		return free(*ret), *ret = NULL, k < 0 ? k : -ENOMEM;
	return 0;
}

static bool changed(const char *a, const char *b)
{
	/* compare ignoring runs of blanks at the ends */
	while (isspace((unsigned char)*a))
		a++;
	return strcmp(a, b) != 0;
}

int vfe_kparams_add(const char *opts, const char *param, char **ret, char **ret_replaced)
{
	struct edit e = { .param = param, .add = true };
	int k = run_edit(&e, opts, ret);

	if (k < 0) {
		free(e.replaced);
		return k;
	}
	*ret_replaced = e.replaced;
	return changed(opts ? opts : "", *ret);
}

int vfe_kparams_remove(const char *opts, const char *param, const char *put_back, char **ret)
{
	struct edit e = { .param = param, .put_back = put_back };
	int k = run_edit(&e, opts, ret);

	return k < 0 ? k : changed(opts ? opts : "", *ret);
}

static int find_arg(const struct vfe_karg *a, void *userdata)
{
	struct edit *e = userdata;

	if (arg_is(a, e->name, e->val))
		e->found = true;
	return 0;
}

bool vfe_kparams_has(const char *opts, const char *param)
{
	_cleanup_free_ char *p = strdup(param);
	struct edit e = { 0 };

	if (!p)
		return false;
	split_param(p, &e.name, &e.val);
	return vfe_kcmdline_each(opts, find_arg, &e, NULL) >= 0 && e.found;
}
