// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel command-line edits (see kparams.h). */
#include <ctype.h>
#include <stdio.h>

#include "common/strbuf.h"
#include "early/cmdline.h"
#include "efi/kparams.h"
#include "recovery/recovery-cmdline.h"

int vfe_kparams_wanted(const struct vfe_boot_params *p, struct strv *ret)
{
	int k = 0;

	if (p->iommu)
		k = strv_push(ret, p->iommu);
	if (k >= 0 && p->iommu_pt)
		k = strv_push(ret, "iommu=pt");
	if (k >= 0 && p->ignore_msrs)
		k = strv_push(ret, "kvm.ignore_msrs=1");
	return k;
}

/* One parsed word: its name, its value (NULL for a bare word) and its text as written. */
struct word {
	char *name, *val;
	const char *start;
	size_t len;
};

/* Calls fn for each word of opts; fn returns <0 to stop. */
static int each_word(const char *opts, int (*fn)(struct word *w, void *data), void *data)
{
	_cleanup_free_ char *buf = strdup(opts ? opts : "");
	_cleanup_free_ char *orig = strdup(opts ? opts : "");
	char *args;
	int k = 0;

	if (!buf || !orig)
		return -ENOMEM;
	args = buf;
	while (isspace((unsigned char)*args))
		args++;
	while (*args && k >= 0) {
		struct word w;
		size_t off = (size_t)(args - buf);
		char *next = vfe_cmdline_next_arg(args, &w.name, &w.val);
		size_t end = (size_t)(next - buf);
		while (end > off && isspace((unsigned char)orig[end - 1]))
			end--;
		w.start = orig + off;
		w.len = end - off;
		k = fn(&w, data);
		args = next;
	}
	return k;
}

static void split_param(char *p, char **name, char **val)
{
	char *eq = strchr(p, '=');

	*name = p;
	*val = eq ? (*eq = '\0', eq + 1) : NULL;
}

static bool word_is(const struct word *w, const char *name, const char *val)
{
	if (!vfe_param_eq(w->name, name))
		return false;
	return (!w->val && !val) || (w->val && val && streq(w->val, val));
}

struct edit {
	const char *param;       /* name=value to add/remove/find */
	const char *put_back;    /* remove: put this in its place */
	char *name, *val;        /* param, split */
	bool add, found;
	char *replaced;
	struct strbuf sb;
};

static void emit(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len)
		sb_putc(sb, ' ');
	sb_putn(sb, s, n);
}

static int edit_word(struct word *w, void *data)
{
	struct edit *e = data;

	if (word_is(w, e->name, e->val)) {
		if (e->found && e->add)
			return 0; /* a duplicate of ours: drop it */
		e->found = true;
		if (!e->add) {
			if (e->put_back)
				emit(&e->sb, e->put_back, strlen(e->put_back));
			return 0;
		}
	} else if (e->add && vfe_param_eq(w->name, e->name)) {
		/* the same parameter with another value: ours replaces it in place */
		if (!e->replaced && !(e->replaced = strndup(w->start, w->len)))
			return -ENOMEM;
		if (!e->found)
			emit(&e->sb, e->param, strlen(e->param));
		e->found = true;
		return 0;
	}
	emit(&e->sb, w->start, w->len);
	return 0;
}

static int run_edit(struct edit *e, const char *opts, char **ret)
{
	_cleanup_free_ char *p = strdup(e->param);
	int k;

	if (!p)
		return -ENOMEM;
	split_param(p, &e->name, &e->val);
	sb_puts(&e->sb, "");
	k = each_word(opts, edit_word, e);
	if (k >= 0 && e->add && !e->found)
		emit(&e->sb, e->param, strlen(e->param));
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

static int find_word(struct word *w, void *data)
{
	struct edit *e = data;

	if (word_is(w, e->name, e->val))
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
	return each_word(opts, find_word, &e) >= 0 && e.found;
}

static int collect(struct word *w, void *data)
{
	_cleanup_free_ char *one = strndup(w->start, w->len), *rec = NULL;
	int k;

	if (!one)
		return -ENOMEM;
	if (vfe_param_eq(w->name, "intel_iommu") || vfe_param_eq(w->name, "amd_iommu") ||
	    vfe_param_eq(w->name, "iommu") || vfe_param_eq(w->name, "kvm.ignore_msrs") ||
	    vfe_param_eq(w->name, "vfio_early"))
		return strv_push(data, one);
	k = vfe_recovery_cmdline(one, &rec);
	if (k < 0)
		return k;
	return streq(rec, VFE_RECOVERY_PARAM) ? strv_push(data, one) : 0; /* the recovery entry drops it */
}

int vfe_kparams_passthrough(const char *opts, struct strv *ret)
{
	return each_word(opts, collect, ret);
}
