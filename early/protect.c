// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "common/paths.h"
#include "common/strbuf.h"
#include "common/words.h"
#include "early/protect.h"

#define PROTECTED_MAX_SIZE (256 * 1024)

int vfe_protected_add(struct vfe_protected *p, const struct vfe_pci_addr *a, const char *what)
{
	struct vfe_protected_dev *nv;

	p->known = true;
	if (vfe_protected_find(p, a))
		return 0;
	nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	p->v = nv;
	nv = &p->v[p->n++];
	nv->addr = *a;
	snprintf(nv->what, sizeof(nv->what), "%s", what);
	return 0;
}

const struct vfe_protected_dev *vfe_protected_find(const struct vfe_protected *p, const struct vfe_pci_addr *a)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (vfe_pci_addr_eq(&p->v[i].addr, a))
			return &p->v[i];
	return NULL;
}

char *vfe_protected_format(const struct vfe_protected *p)
{
	struct strbuf sb = { 0 };
	char a[VFE_ADDR_STRLEN];

	sb_printf(&sb, "vfio-early-protected %d\n", VFE_PROTECTED_VERSION);
	for (size_t i = 0; i < p->n; i++) {
		vfe_format_pci_addr(&p->v[i].addr, a);
		sb_printf(&sb, "protect bdf=%s what=", a);
		sb_put_word(&sb, p->v[i].what);
		sb_putc(&sb, '\n');
	}
	for (size_t i = 0; i < p->problems.n; i++) {
		sb_puts(&sb, "problem message=");
		sb_put_word(&sb, p->problems.v[i]);
		sb_putc(&sb, '\n');
	}
	return sb_steal(&sb);
}

static const char *value_of(struct vfe_word *w, int n, const char *key)
{
	for (int i = 1; i < n; i++)
		if (w[i].value && streq(w[i].key, key))
			return w[i].value;
	return NULL;
}

static int parse_line(struct vfe_protected *p, char *line, bool *header)
{
	struct vfe_word w[VFE_WORDS_MAX];
	const char *err, *bdf, *what;
	struct vfe_pci_addr a;
	int n = vfe_split_words(line, w, ELEMENTSOF(w), &err);

	if (n <= 0)
		return n;
	if (streq(w[0].key, "vfio-early-protected")) {
		*header = n > 1 && atoi(w[1].key) == VFE_PROTECTED_VERSION;
		return 0;
	}
	if (streq(w[0].key, "protect")) {
		bdf = value_of(w, n, "bdf");
		what = value_of(w, n, "what");
		if (!bdf || vfe_parse_pci_addr(bdf, &a) < 0)
			return -EINVAL;
		return vfe_protected_add(p, &a, what ? what : "the running system");
	}
	if (streq(w[0].key, "problem") && (what = value_of(w, n, "message")))
		return strv_push(&p->problems, what);
	return 0; /* a line of a later version: skipped */
}

int vfe_protected_parse(char *text, struct vfe_protected *ret)
{
	struct vfe_protected p = { 0 };
	bool header = false;
	char *save = NULL;
	int k = 0;

	for (char *line = strtok_r(text, "\n", &save); k >= 0 && line; line = strtok_r(NULL, "\n", &save))
		k = parse_line(&p, line, &header);
	if (k >= 0 && !header)
		k = -EINVAL;
	if (k < 0) {
		vfe_protected_free(&p);
		return k;
	}
	p.known = true; /* a record with no function protects none: still a record */
	*ret = p;
	return 0;
}

int vfe_protected_read(const struct vfe_root *r, struct vfe_protected *ret)
{
	_cleanup_free_ char *text = NULL;
	int k = vfe_read_file(r, PATH_IMAGE_PROTECTED, PROTECTED_MAX_SIZE, &text);

	*ret = (struct vfe_protected){ 0 };
	if (k < 0)
		return k;
	return vfe_protected_parse(text, ret);
}

void vfe_protected_free(struct vfe_protected *p)
{
	free(p->v);
	strv_free(&p->problems);
	*p = (struct vfe_protected){ 0 };
}
