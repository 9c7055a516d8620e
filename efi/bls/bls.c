// SPDX-License-Identifier: GPL-2.0-or-later
/* Boot Loader Specification Type #1 entries (see bls.h). */
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/strbuf.h"
#include "early/fallback.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"

static char **field(struct vfe_bls_entry *e, const char *key)
{
	static const char *const keys[] = { "title", "version", "machine-id", "sort-key", "linux", "efi" };
	char **slots[] = { &e->title, &e->version, &e->machine_id, &e->sort_key, &e->kernel, &e->efi };

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (streq(key, keys[i]))
			return slots[i];
	return NULL;
}

static int append_options(struct vfe_bls_entry *e, const char *val)
{
	char *n;

	if (!e->options)
		return (e->options = strdup(val)) ? 0 : -ENOMEM;
	if (asprintf(&n, "%s %s", e->options, val) < 0)
		return -ENOMEM;
	free(e->options);
	e->options = n;
	return 0;
}

static int parse_line(struct vfe_bls_entry *e, char *line)
{
	const char *src;
	char *key = line, *val, **slot;

	if (streq(line, EFI_NOPT_MARK) || startswith(line, EFI_NOPT_MARK))
		return e->ours = true, 0;
	if ((src = startswith(line, "# vfio-early-source: "))) {
		free(e->source); /* twice: the last one counts, like every other key */
		return (e->source = strdup(src)) ? 0 : -ENOMEM;
	}
	while (isspace((unsigned char)*key))
		key++;
	if (!*key || *key == '#')
		return 0;
	for (val = key; *val && !isspace((unsigned char)*val); val++)
		;
	if (*val)
		*val++ = '\0';
	while (isspace((unsigned char)*val))
		val++;
	for (size_t l = strlen(val); l && isspace((unsigned char)val[l - 1]); l--)
		val[l - 1] = '\0';
	if (streq(key, "options"))
		return append_options(e, val);
	if (streq(key, "initrd"))
		return strv_push(&e->initrd, val);
	slot = field(e, key);
	if (!slot)
		return 0;
	free(*slot);
	return (*slot = strdup(val)) ? 0 : -ENOMEM;
}

int vfe_bls_parse(const char *text, struct vfe_bls_entry *e)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;
	int k = 0;

	if (!copy)
		return -ENOMEM;
	for (char *l = strtok_r(copy, "\n", &save); l && k >= 0; l = strtok_r(NULL, "\n", &save))
		k = parse_line(e, l);
	return k;
}

char *vfe_bls_id(const char *file)
{
	char *id = strdup(file), *plus, *dot;

	if (!id)
		return NULL;
	for (char *p = id; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	dot = strrchr(id, '.');
	plus = strrchr(id, '+');
	if (plus && dot && plus < dot && strspn(plus + 1, "0123456789-") == (size_t)(dot - plus - 1))
		memmove(plus, dot, strlen(dot) + 1);
	return id;
}

bool vfe_bls_id_equal(const char *a, const char *b)
{
	_cleanup_free_ char *x = a ? vfe_bls_id(a) : NULL, *y = b ? vfe_bls_id(b) : NULL;

	return x && y && streq(x, y);
}

bool vfe_bls_bootable(const struct vfe_bls_entry *e)
{
	return e->kernel || e->efi;
}

bool vfe_bls_is_bad(const char *file)
{
	const char *plus = strrchr(file, '+');

	return plus && plus[1] == '0' && (plus[2] == '-' || plus[2] == '.');
}

static int add_entry(const struct vfe_root *r, const char *mount, const char *file, struct vfe_bls *b)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_(vfe_bls_entry_freep) struct vfe_bls_entry e = { 0 };
	struct vfe_bls_entry *v;
	char rel[1024];
	int k;

	snprintf(rel, sizeof(rel), "%s/%s/%s", mount, EFI_LOADER_ENTRIES, file);
	k = vfe_read_file(r, rel, 1 << 20, &text);
	if (k < 0)
		return k == -ENOENT ? 0 : k;
	k = vfe_bls_parse(text, &e);
	if (k < 0)
		return k;
	e.id = vfe_bls_id(file);
	e.file = strdup(file);
	e.path = strdup(rel);
	e.mount = strdup(mount);
	e.bad = vfe_bls_is_bad(file);
	e.counted = vfe_boot_counter_parse(file, &e.tries_left, &e.tries_done) == 0;
	{
		struct stat st;
		if (fstatat(r->fd, rel, &st, 0) == 0)
			e.mtime = st.st_mtime;
	}
	if (!e.id || !e.file || !e.path || !e.mount || !(v = realloc(b->v, (b->n + 1) * sizeof(*v))))
		return -ENOMEM;
	b->v = v;
	b->v[b->n++] = TAKE_STRUCT(e);
	return 0;
}

int vfe_bls_load(const struct vfe_root *r, const char *mount, struct vfe_bls *b)
{
	char rel[512];
	struct dirent *de;
	DIR *d;
	int k = 0;

	snprintf(rel, sizeof(rel), "%s/%s", mount, EFI_LOADER_ENTRIES);
	d = vfe_opendir(r, rel);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while (k >= 0 && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		/* systemd-boot skips hidden files and auto-*; only *.conf are entries */
		if (de->d_name[0] == '.' || startswith(de->d_name, "auto-") || l < 6 ||
		    strcasecmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		k = add_entry(r, mount, de->d_name, b);
	}
	closedir(d);
	return k;
}

static bool valid_char(char c)
{
	return isalnum((unsigned char)c) || strchr("~-^.", c);
}

/* systemd's strverscmp_improved(): the UAPI version format comparison. */
int vfe_verscmp(const char *a, const char *b)
{
	for (;;) {
		while (*a && !valid_char(*a))
			a++;
		while (*b && !valid_char(*b))
			b++;
		if (*a == '~' || *b == '~') {
			if (*a != '~')
				return 1;
			if (*b != '~')
				return -1;
			a++, b++;
			continue;
		}
		if (!*a || !*b)
			return (*a > *b) - (*a < *b);
		if (*a == '-' || *b == '-') {
			if ((*a != '-') != (*b != '-'))
				return *a != '-' ? 1 : -1;
			a++, b++;
			continue;
		}
		if (*a == '^' || *b == '^') {
			if (*a != '^')
				return 1; /* only b has '^': a (which goes on otherwise) is newer */
			if (*b != '^')
				return -1;
			a++, b++;
			continue;
		}
		if (*a == '.' || *b == '.') {
			if ((*a != '.') != (*b != '.'))
				return *a != '.' ? 1 : -1;
			a++, b++;
			continue;
		}
		if (isdigit((unsigned char)*a) || isdigit((unsigned char)*b)) {
			size_t la, lb;
			int c;
			if (!isdigit((unsigned char)*a))
				return -1;
			if (!isdigit((unsigned char)*b))
				return 1;
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			la = strspn(a, "0123456789");
			lb = strspn(b, "0123456789");
			if (la != lb)
				return la > lb ? 1 : -1;
			c = strncmp(a, b, la);
			if (c)
				return c > 0 ? 1 : -1;
			a += la, b += lb;
			continue;
		}
		{
			size_t la = 0, lb = 0;
			int c;
			while (isalpha((unsigned char)a[la]))
				la++;
			while (isalpha((unsigned char)b[lb]))
				lb++;
			c = strncmp(a, b, la < lb ? la : lb);
			if (c)
				return c > 0 ? 1 : -1;
			if (la != lb)
				return la > lb ? 1 : -1;
			a += la, b += lb;
		}
	}
}

static int cmp_opt(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* The menu order without the bad-last rule: by sort-key, machine-id, version, id. */
static int entry_cmp_keys(const struct vfe_bls_entry *a, const struct vfe_bls_entry *b)
{
	int c;

	if (a->sort_key && b->sort_key) {
		if ((c = strcmp(a->sort_key, b->sort_key)))
			return c;
		if ((c = cmp_opt(a->machine_id, b->machine_id)))
			return c;
		if (a->version && b->version && (c = vfe_verscmp(a->version, b->version)))
			return -c;
	} else if (a->sort_key || b->sort_key) {
		return a->sort_key ? -1 : 1;
	}
	return -vfe_verscmp(a->id, b->id);
}

/* systemd-boot's boot_entry_compare(): negative when a comes first in the menu. */
static int entry_cmp(const void *pa, const void *pb)
{
	const struct vfe_bls_entry *a = pa, *b = pb;

	if (a->bad != b->bad)
		return a->bad ? 1 : -1;
	return entry_cmp_keys(a, b);
}

void vfe_bls_sort(struct vfe_bls *b)
{
	if (b->n > 1)
		qsort(b->v, b->n, sizeof(*b->v), entry_cmp);
}

void vfe_bls_entry_free(struct vfe_bls_entry *e)
{
	char *fields[] = { e->id,	  e->file,     e->path,	  e->mount,   e->title,	 e->version,
			   e->machine_id, e->sort_key, e->kernel, e->options, e->source, e->efi };

	for (size_t i = 0; i < ELEMENTSOF(fields); i++)
		free(fields[i]);
	strv_free(&e->initrd);
	*e = (struct vfe_bls_entry){ 0 };
}

void vfe_bls_free(struct vfe_bls *b)
{
	for (size_t i = 0; i < b->n; i++)
		vfe_bls_entry_free(&b->v[i]);
	free(b->v);
	*b = (struct vfe_bls){ 0 };
}

const struct vfe_bls_entry *vfe_bls_find(const struct vfe_bls *b, const char *id)
{
	for (size_t i = 0; id && i < b->n; i++)
		if (vfe_bls_id_equal(b->v[i].id, id))
			return &b->v[i];
	return NULL;
}

bool vfe_bls_id_match(const char *pattern, const char *id)
{
	_cleanup_free_ char *low = pattern ? strdup(pattern) : NULL, *clean = id ? vfe_bls_id(id) : NULL;

	if (!low || !clean)
		return false;
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return fnmatch(low, clean, 0) == 0;
}

const struct vfe_bls_entry *vfe_bls_default(const struct vfe_bls *b, const char *pattern)
{
	for (size_t i = 0; pattern && *pattern && i < b->n; i++)
		if (vfe_bls_id_match(pattern, b->v[i].id))
			return &b->v[i];
	return b->n ? &b->v[0] : NULL;
}

const struct vfe_bls_entry *vfe_bls_source(const struct vfe_bls *b, const char *pattern)
{
	const struct vfe_bls_entry *d = vfe_bls_default(b, pattern);

	if (d && !d->ours)
		return d;
	/*
	 * The default is ours (recovery --default, or the loader's own choice
	 * once our counted entry ran out): the newest passthrough entry, so
	 * that refresh follows kernel upgrades instead of keeping the kernel
	 * ours was made from. The entry the fallback counted out is bad only
	 * because of us: it still counts, where it would be.
	 */
	d = NULL;
	for (size_t i = 0; i < b->n; i++)
		if (!b->v[i].ours && (!b->v[i].bad || b->v[i].armed) && (!d || entry_cmp_keys(&b->v[i], d) < 0))
			d = &b->v[i];
	return d;
}

/* The pattern matched as systemd-boot does: lower-cased, against the whole file name. */
static bool loader_match(const char *pattern, const char *file)
{
	_cleanup_free_ char *p = strdup(pattern), *f = strdup(file);

	if (!p || !f)
		return false;
	for (char *c = p; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = f; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return fnmatch(p, f, 0) == 0;
}

/* Is e bad, judged by the file name it has, or would have after the rename? */
static bool bad_as(const struct vfe_bls_entry *e, const struct vfe_bls_entry *from, const char *to)
{
	return e == from && to ? vfe_bls_is_bad(to) : e->bad;
}

const struct vfe_bls_entry *vfe_bls_loader_default(const struct vfe_bls *b, const char *var, const char *conf,
						   const struct vfe_bls_entry *rename_from, const char *rename_to)
{
	const char *pats[] = { var, conf, "*" };

	/* the first match in menu order: bad entries last, then sort-key, machine-id, version, id */
	for (size_t j = 0; j < ELEMENTSOF(pats); j++) {
		const struct vfe_bls_entry *best = NULL;
		for (size_t i = 0; pats[j] && *pats[j] && i < b->n; i++) {
			const struct vfe_bls_entry *e = &b->v[i];
			bool eb = bad_as(e, rename_from, rename_to);
			if (!loader_match(pats[j], e == rename_from && rename_to ? rename_to : e->file))
				continue;
			if (!best || eb < bad_as(best, rename_from, rename_to) ||
			    (eb == bad_as(best, rename_from, rename_to) && entry_cmp_keys(e, best) < 0))
				best = e;
		}
		if (best)
			return best;
	}
	return NULL;
}

const struct vfe_bls_entry *vfe_bls_ours_for(const struct vfe_bls *b, const struct vfe_bls_entry *src)
{
	for (size_t i = 0; src && i < b->n; i++)
		if (b->v[i].ours && vfe_bls_id_equal(b->v[i].source, src->id))
			return &b->v[i];
	return NULL;
}

char *vfe_bls_nopt_file(const struct vfe_bls_entry *src)
{
	const char *plus = strrchr(src->file, '+'), *dot = strrchr(src->file, '.');
	size_t stem = (size_t)((plus && plus < dot ? plus : dot) - src->file);
	char *s;

	return asprintf(&s, "%.*s" EFI_NOPT_SUFFIX ".conf", (int)stem, src->file) < 0 ? NULL : s;
}

char *vfe_bls_nopt_text(const struct vfe_bls_entry *src, const char *options)
{
	struct strbuf sb = { 0 };

	sb_printf(&sb, "%s\n# vfio-early-source: %s\n", EFI_NOPT_MARK, src->id);
	sb_printf(&sb, "title %s" EFI_NOPT_TITLE_SUFFIX "\n", src->title ? src->title : src->id);
	/* the same sort keys as the source: with an id that compares lower, it sorts right after it */
	if (src->version)
		sb_printf(&sb, "version %s\n", src->version);
	if (src->machine_id)
		sb_printf(&sb, "machine-id %s\n", src->machine_id);
	if (src->sort_key)
		sb_printf(&sb, "sort-key %s\n", src->sort_key);
	/*
	 * A UKI is started as an EFI program with our options: systemd-stub uses
	 * them instead of its built-in .cmdline, except under Secure Boot.
	 */
	if (src->kernel)
		sb_printf(&sb, "linux %s\n", src->kernel);
	else
		sb_printf(&sb, "efi %s\n", src->efi ? src->efi : "");
	for (size_t i = 0; src->kernel && i < src->initrd.n; i++)
		sb_printf(&sb, "initrd %s\n", src->initrd.v[i]);
	sb_printf(&sb, "options %s\n", options);
	return sb_steal(&sb);
}

char *vfe_bls_set_options(const char *text, const char *opts)
{
	struct strbuf sb = { 0 };
	bool done = false;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n'), *k = p;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		while (k < p + len && isspace((unsigned char)*k))
			k++;
		if (startswith(k, "options") && (k + 7 == p + len || isspace((unsigned char)k[7]))) {
			if (!done)
				sb_printf(&sb, "options %s\n", opts);
			done = true;
		} else {
			sb_putn(&sb, p, len);
			sb_putc(&sb, '\n');
		}
		p += len + (nl ? 1 : 0);
	}
	if (!done)
		sb_printf(&sb, "options %s\n", opts);
	return sb_steal(&sb);
}

char *vfe_bls_conf_default(const struct vfe_root *r, const char *mount)
{
	_cleanup_free_ char *text = NULL;
	char rel[512], *save = NULL;

	snprintf(rel, sizeof(rel), "%s/%s", mount, EFI_LOADER_CONF);
	if (vfe_read_file(r, rel, 1 << 20, &text) < 0)
		return NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *v;
		while (isspace((unsigned char)*l))
			l++;
		if (!(v = (char *)startswith(l, "default")) || !isspace((unsigned char)*v))
			continue;
		while (isspace((unsigned char)*v))
			v++;
		for (size_t n = strlen(v); n && isspace((unsigned char)v[n - 1]); n--)
			v[n - 1] = '\0';
		return strdup(v);
	}
	return NULL;
}
