// SPDX-License-Identifier: GPL-2.0-or-later
/* The record of what install changed (see efistate.h). */
#include <stdio.h>

#include "common/strbuf.h"
#include "common/words.h"
#include "efi/efistate.h"

static bool eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

bool vfe_efi_state_has(const struct vfe_efi_state *s, const char *kind, const char *path, const char *param)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i].kind, kind) && streq(s->v[i].path, path) && eq(s->v[i].param, param))
			return true;
	return false;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = true;
	return d;
}

int vfe_efi_state_add(struct vfe_efi_state *s, const char *kind, const char *path, const char *param,
		      const char *replaced)
{
	struct vfe_state_rec *v;
	bool oom = false;

	if (vfe_efi_state_has(s, kind, path, param))
		return 0;
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	v[s->n] = (struct vfe_state_rec){ dup_or_null(kind, &oom), dup_or_null(path, &oom), dup_or_null(param, &oom),
					  dup_or_null(replaced, &oom) };
	s->n++;
	return oom ? -ENOMEM : 1;
}

static void rec_free(struct vfe_state_rec *r)
{
	free(r->kind);
	free(r->path);
	free(r->param);
	free(r->replaced);
}

size_t vfe_efi_state_drop(struct vfe_efi_state *s, const char *kind, const char *path)
{
	size_t o = 0, n = s->n;

	for (size_t i = 0; i < s->n; i++) {
		if (streq(s->v[i].kind, kind) && (!path || streq(s->v[i].path, path)))
			rec_free(&s->v[i]);
		else
			s->v[o++] = s->v[i];
	}
	s->n = o;
	return n - o;
}

const struct vfe_state_rec *vfe_efi_state_find(const struct vfe_efi_state *s, const char *kind)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i].kind, kind))
			return &s->v[i];
	return NULL;
}

int vfe_efi_state_parse(const char *text, struct vfe_efi_state *ret)
{
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *save = NULL;
	int k = 0;

	if (!copy)
		return -ENOMEM;
	for (char *l = strtok_r(copy, "\n", &save); l && k >= 0; l = strtok_r(NULL, "\n", &save)) {
		struct vfe_word w[4];
		const char *err, *f[3] = { NULL, NULL, NULL };
		static const char *const keys[] = { "path", "param", "replaced" };
		int n = vfe_split_words(l, w, ELEMENTSOF(w), &err);
		for (int i = 1; i < n; i++)
			for (size_t j = 0; j < ELEMENTSOF(keys); j++)
				if (w[i].value && streq(w[i].key, keys[j]))
					f[j] = w[i].value;
		if (n < 2 || w[0].value || !f[0])
			continue; /* a comment, or a line we cannot read: nothing we can undo */
		k = vfe_efi_state_add(ret, w[0].key, f[0], f[1], f[2]);
	}
	return k < 0 ? k : 0;
}

char *vfe_efi_state_format(const struct vfe_efi_state *s)
{
	struct strbuf sb = { 0 };

	if (!s->n)
		return NULL;
	sb_puts(&sb, "# What 'vfio-early boot install' changed; 'vfio-early boot remove' undoes it.\n");
	for (size_t i = 0; i < s->n; i++) {
		const char *f[] = { s->v[i].path, s->v[i].param, s->v[i].replaced };
		static const char *const keys[] = { "path", "param", "replaced" };
		sb_puts(&sb, s->v[i].kind);
		for (size_t j = 0; j < ELEMENTSOF(f); j++) {
			if (!f[j])
				continue;
			sb_printf(&sb, " %s=", keys[j]);
			sb_put_word(&sb, f[j]);
		}
		sb_putc(&sb, '\n');
	}
	return sb_steal(&sb);
}

void vfe_efi_state_free(struct vfe_efi_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		rec_free(&s->v[i]);
	free(s->v);
	*s = (struct vfe_efi_state){ 0 };
}
