// SPDX-License-Identifier: GPL-2.0-or-later
/* Planned whole-file changes: diffs for --dry-run, apply with roll-back (see changes.h). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/atomic.h"
#include "common/log.h"
#include "efi/changes.h"
#include "efi/efi-paths.h"

#define FILE_MAX (4u << 20)

static struct vfe_change *find(const struct vfe_changes *c, const char *rel)
{
	for (size_t i = 0; i < c->n; i++)
		if (streq(c->v[i].path, rel))
			return &c->v[i];
	return NULL;
}

static int read_old(const struct vfe_root *r, const char *rel, char **ret, mode_t *mode)
{
	struct stat st;
	int k = vfe_read_file(r, rel, FILE_MAX, ret);

	*mode = 0644;
	if (k == -ENOENT) {
		*ret = NULL;
		return 0;
	}
	if (k >= 0 && fstatat(r->fd, rel, &st, 0) == 0)
		*mode = st.st_mode & 07777;
	return k < 0 ? k : 0;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

int vfe_changes_set(struct vfe_changes *c, const struct vfe_root *r, const char *rel, const char *text)
{
	struct vfe_change *ch = find(c, rel), *v;
	char *dup = NULL;
	int k;

	if (text && !(dup = strdup(text)))
		return -ENOMEM;
	if (ch) {
		free(ch->new);
		ch->new = dup;
		return !same(ch->old, ch->new);
	}
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return free(dup), -ENOMEM;
	c->v = v;
	ch = &c->v[c->n];
	*ch = (struct vfe_change){ .path = strdup(rel), .new = dup };
	k = ch->path ? read_old(r, rel, &ch->old, &ch->mode) : -ENOMEM;
	if (k < 0) {
		free(ch->path);
		free(dup);
		return k;
	}
	c->n++;
	return !same(ch->old, ch->new);
}

char *vfe_changes_get(const struct vfe_changes *c, const struct vfe_root *r, const char *rel)
{
	struct vfe_change *ch = find(c, rel);
	char *s = NULL;

	if (ch)
		return ch->new ? strdup(ch->new) : NULL;
	return vfe_read_file(r, rel, FILE_MAX, &s) >= 0 ? s : NULL;
}

size_t vfe_changes_count(const struct vfe_changes *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += !same(c->v[i].old, c->v[i].new);
	return n;
}

/* Splits text into lines (in place); returns the count. */
static size_t lines(char *text, char ***ret)
{
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof(*v));

	for (char *p = text; v && p && *p;) {
		char *nl = strchr(p, '\n');
		if (n == cap && !(v = realloc(v, (cap *= 2) * sizeof(*v))))
			break;
		v[n++] = p;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
	}
	*ret = v;
	return v ? n : 0;
}

/* One side's line count and "\\ No newline at end of file" need: text ends without '\n'. */
static bool no_final_newline(const char *text)
{
	size_t l = text ? strlen(text) : 0;

	return l && text[l - 1] != '\n';
}

struct side {
	char **l;
	size_t n;
	bool no_nl; /* its last line has no newline */
};

static void put_line(struct strbuf *out, char mark, const struct side *s, size_t i)
{
	sb_printf(out, "%c%s\n", mark, s->l[i]);
	if (s->no_nl && i + 1 == s->n)
		sb_puts(out, "\\ No newline at end of file\n");
}

/*
 * A longest-common-subsequence line diff in unified order (every removed
 * line of a change before the added ones), as one hunk holding the whole
 * file: the files are small (entries, configs), and patch(1) applies it.
 */
static void diff_lines(const struct side *a, const struct side *b, struct strbuf *out)
{
	size_t *t = calloc((a->n + 1) * (b->n + 1), sizeof(*t)), i = 0, j = 0;

	if (!t)
		return;
#define T(x, y) t[(x) * (b->n + 1) + (y)]
	for (size_t x = a->n; x-- > 0;)
		for (size_t y = b->n; y-- > 0;)
			T(x, y) = streq(a->l[x], b->l[y]) ? T(x + 1, y + 1) + 1
							  : (T(x + 1, y) > T(x, y + 1) ? T(x + 1, y) : T(x, y + 1));
	sb_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", a->n ? (size_t)1 : 0, a->n, b->n ? (size_t)1 : 0, b->n);
	while (i < a->n || j < b->n) {
		size_t i0 = i, j0 = j;
		/* a same line whose newline differs is a change, not context */
		if (i < a->n && j < b->n && streq(a->l[i], b->l[j]) &&
		    (a->no_nl && i + 1 == a->n) == (b->no_nl && j + 1 == b->n)) {
			put_line(out, ' ', a, i++);
			j++;
			continue;
		}
		/* the run of changes up to the next common line: its removals, then its additions */
		while ((i < a->n || j < b->n) && !(i < a->n && j < b->n && streq(a->l[i], b->l[j]) && T(i, j) == T(i + 1, j + 1) + 1)) {
			if (j < b->n && (i == a->n || T(i, j + 1) >= T(i + 1, j)))
				j++;
			else
				i++;
		}
		if (i == i0 && j == j0)
			i++, j++; /* equal text, different final newline */
		for (size_t x = i0; x < i; x++)
			put_line(out, '-', a, x);
		for (size_t y = j0; y < j; y++)
			put_line(out, '+', b, y);
	}
#undef T
	free(t);
}

static void print_one(const struct vfe_change *ch, struct strbuf *out)
{
	_cleanup_free_ char *a = ch->old ? strdup(ch->old) : strdup(""), *b = ch->new ? strdup(ch->new) : strdup("");
	_cleanup_free_ char **la = NULL, **lb = NULL;
	struct side sa, sb;

	if (!a || !b)
		return;
	/* the unified format's headers, as git writes them for new and deleted files; "patch -p1" from the root */
	if (ch->old)
		sb_printf(out, "--- a/%s\n", ch->path);
	else
		sb_puts(out, "--- /dev/null\n");
	if (ch->new)
		sb_printf(out, "+++ b/%s\n", ch->path);
	else
		sb_puts(out, "+++ /dev/null\n");
	sa = (struct side){ .n = lines(a, &la), .no_nl = no_final_newline(ch->old) };
	sb = (struct side){ .n = lines(b, &lb), .no_nl = no_final_newline(ch->new) };
	sa.l = la;
	sb.l = lb;
	diff_lines(&sa, &sb, out);
}

void vfe_changes_print(const struct vfe_changes *c, struct strbuf *out)
{
	for (size_t i = 0; i < c->n; i++)
		if (!same(c->v[i].old, c->v[i].new))
			print_one(&c->v[i], out);
}

/* mkdir -p of rel's parent under the root. */
static int make_parents(const struct vfe_root *r, const char *rel)
{
	_cleanup_free_ char *p = strdup(rel);

	if (!p)
		return -ENOMEM;
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(r->fd, p, 0755) < 0 && errno != EEXIST)
			return negative_errno();
		*s = '/';
	}
	return 0;
}

static int put(const struct vfe_root *r, const char *rel, const char *text, mode_t mode)
{
	int k;

	if (!text)
		return unlinkat(r->fd, rel, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
	k = make_parents(r, rel);
	if (k < 0)
		return k;
	return vfe_write_file_atomic(r, rel, text, strlen(text), mode, 0);
}

/*
 * Keeps the previous version of rel under EFI_PATH_BACKUP/rel, never beside
 * it: systemd-boot lists every file in loader/entries, so a ".bak" there
 * would be one more menu entry (and kernel-install's hooks glob the
 * directory too). Deleted files are kept the same way.
 */
static int backup(const struct vfe_root *r, const struct vfe_change *ch)
{
	_cleanup_free_ char *rel = NULL;

	if (!ch->old)
		return 0;
	if (asprintf(&rel, "%s/%s", EFI_PATH_BACKUP, ch->path) < 0)
		return -ENOMEM;
	return put(r, rel, ch->old, ch->mode);
}

int vfe_changes_apply(const struct vfe_changes *c, const struct vfe_root *r, const char *who)
{
	size_t i;
	int k = 0;

	for (i = 0; i < c->n && k >= 0; i++)
		if (!same(c->v[i].old, c->v[i].new)) {
			k = backup(r, &c->v[i]);
			if (k >= 0)
				k = put(r, c->v[i].path, c->v[i].new, c->v[i].mode);
		}
	if (k >= 0)
		return 0;
	log_error_errno(k, "%s: cannot write %s/%s: %m; the files changed before it were put back", who, r->path,
			c->v[i - 1].path);
	while (--i > 0)
		if (!same(c->v[i - 1].old, c->v[i - 1].new))
			(void)put(r, c->v[i - 1].path, c->v[i - 1].old, c->v[i - 1].mode);
	return k;
}

void vfe_changes_free(struct vfe_changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].old);
		free(c->v[i].new);
	}
	free(c->v);
	*c = (struct vfe_changes){ 0 };
}
