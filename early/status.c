// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/atomic.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/strbuf.h"
#include "common/words.h"
#include "early/status.h"

/* One device line: who the target is comes from the plan, what became of it from the result. */
static void fill_dev(struct vfe_status_dev *sd, const struct vfe_target *t, const struct vfe_bind_result *r)
{
	const struct vfe_dev *d = t->dev;

	*sd = (struct vfe_status_dev){ .group = -1, .action = r->action };
	if (d) {
		strcpy_fit(sd->bdf, sizeof(sd->bdf), d->name);
		vfe_format_pci_id(&d->id, sd->id);
		if (d->has_subsys)
			vfe_format_pci_id(&d->subsys, sd->subsys);
		sd->group = d->group;
		sd->class = d->class;
	}
	strcpy_fit(sd->entry, sizeof(sd->entry), t->entry->source);
	if (t->via)
		strcpy_fit(sd->via, sizeof(sd->via), t->via->name);
	strcpy_fit(sd->before, sizeof(sd->before), r->driver_before);
	/* a bind still in the kernel has no "after" yet; a tried one has the driver it was left on */
	if (r->action == VFE_ACT_BOUND || r->action == VFE_ACT_ALREADY)
		strcpy_fit(sd->after, sizeof(sd->after), "vfio-pci");
	else if (r->action != VFE_ACT_TIMEOUT)
		strcpy_fit(sd->after, sizeof(sd->after), r->driver_after);
	strcpy_fit(sd->reason, sizeof(sd->reason), r->reason);
}

int vfe_status_add_results(struct vfe_status *s, const struct vfe_plan *p, const struct vfe_bind_result *res)
{
	struct vfe_status_dev *n = realloc(s->devs, (s->n_devs + p->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->devs = n;
	for (size_t i = 0; i < p->n; i++)
		fill_dev(&s->devs[s->n_devs++], &p->t[i], &res[i]);
	return 0;
}

/* No printf: the record is formatted twice per boot (provisional, final), ~12 keys a device. */
static void put_kv(struct strbuf *sb, const char *k, const char *v)
{
	sb_putc(sb, ' ');
	sb_puts(sb, k);
	sb_putc(sb, '=');
	sb_put_word(sb, v && *v ? v : "-");
}

static void format_dev(struct strbuf *sb, const struct vfe_status_dev *d)
{
	char num[16];

	sb_puts(sb, "device");
	put_kv(sb, "bdf", d->bdf);
	put_kv(sb, "id", d->id);
	put_kv(sb, "subsystem", d->subsys);
	snprintf(num, sizeof(num), "%04x", d->class);
	put_kv(sb, "class", d->bdf[0] ? num : "");
	snprintf(num, sizeof(num), "%d", d->group);
	put_kv(sb, "group", d->group >= 0 ? num : "");
	put_kv(sb, "entry", d->entry);
	put_kv(sb, "via", d->via);
	put_kv(sb, "action", vfe_action_name(d->action));
	put_kv(sb, "before", d->before);
	put_kv(sb, "after", d->after);
	put_kv(sb, "reason", d->reason);
	if (d->late)
		put_kv(sb, "late", "yes");
	sb_putc(sb, '\n');
}

char *vfe_status_format(const struct vfe_status *s)
{
	struct strbuf sb = { 0 };

	sb_printf(&sb, "vfio-early-status %d\n", VFE_STATUS_VERSION);
	sb_puts(&sb, "boot");
	put_kv(&sb, "mode", s->mode);
	put_kv(&sb, "reason", s->reason);
	put_kv(&sb, "iommu", s->iommu ? "yes" : "no");
	sb_printf(&sb, " started_us=%" PRIu64 " finished_us=%" PRIu64 " elapsed_us=%" PRIu64 " cpu_us=%" PRIu64,
		  s->started_us, s->finished_us, s->elapsed_us, s->cpu_us);
	put_kv(&sb, "vfio_pci_ids", s->vfio_pci_ids);
	put_kv(&sb, "state", s->state);
	sb_putc(&sb, '\n');
	for (size_t i = 0; i < s->problems.n; i++) {
		sb_puts(&sb, "problem");
		put_kv(&sb, "message", s->problems.v[i]);
		sb_putc(&sb, '\n');
	}
	for (size_t i = 0; i < s->n_devs; i++)
		format_dev(&sb, &s->devs[i]);
	return sb_steal(&sb);
}

/* The record's directory. */
static int make_dir(const struct vfe_root *r)
{
	if (mkdirat(r->fd, PATH_STATUS_DIR, 0755) == 0) {
		/* whatever the umask: status runs unprivileged. A failure only hides
		 * the record from other users, which is no reason to lose it. (A
		 * test of the result, not a (void) cast: glibc's _FORTIFY_SOURCE
		 * marks fchmodat warn_unused_result, and gcc ignores such casts.) */
		if (fchmodat(r->fd, PATH_STATUS_DIR, 0755, 0) < 0)
			log_debug("/%s: chmod 0755 failed: %m", PATH_STATUS_DIR);
	} else if (errno != EEXIST)
		return negative_errno();
	return 0;
}

static int write_at(const struct vfe_root *at, const char *rel, const struct vfe_status *s)
{
	_cleanup_free_ char *text = vfe_status_format(s);

	if (!text)
		return -ENOMEM;
	/* /run is a tmpfs: fsync would only cost time at boot */
	return vfe_write_file_atomic(at, rel, text, strlen(text), 0644, VFE_ATOMIC_NO_SYNC);
}

int vfe_status_write(const struct vfe_root *r, const struct vfe_status *s)
{
	int k = make_dir(r);

	return k < 0 ? k : write_at(r, PATH_STATUS, s);
}

int vfe_status_dir_open(const struct vfe_root *r, struct vfe_root *ret)
{
	int k = make_dir(r);

	*ret = (struct vfe_root){ .fd = -1 };
	if (k < 0)
		return k;
	ret->path = vfe_root_abspath(r, PATH_STATUS_DIR);
	if (!ret->path)
		return -ENOMEM;
	ret->fd = openat(r->fd, PATH_STATUS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ret->fd < 0) {
		k = negative_errno();
		vfe_root_close(ret);
		return k;
	}
	return 0;
}

int vfe_status_lock(const struct vfe_root *dir)
{
	while (flock(dir->fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return negative_errno();
	return 0;
}

/* Is old the line that d replaces: the same device, or its entry's "matched nothing" line? */
static bool replaces(const struct vfe_status_dev *d, const struct vfe_status_dev *old)
{
	if (old->bdf[0])
		return streq(old->bdf, d->bdf);
	return streq(old->entry, d->entry);
}

static int put_dev(struct vfe_status *st, const struct vfe_status_dev *d)
{
	struct vfe_status_dev *nv;
	bool put = false;
	size_t w = 0;

	for (size_t i = 0; i < st->n_devs; i++) {
		/* "already on vfio-pci" says less than the line that tells how it got there */
		if (d->action == VFE_ACT_ALREADY && d->bdf[0] && streq(st->devs[i].bdf, d->bdf))
			return 0;
	}
	for (size_t i = 0; i < st->n_devs; i++) {
		if (!replaces(d, &st->devs[i]))
			st->devs[w++] = st->devs[i];
		else if (!put) /* the first line it replaces keeps its place */
			st->devs[w++] = *d, put = true;
	}
	st->n_devs = w;
	if (put)
		return 0;
	nv = realloc(st->devs, (st->n_devs + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	st->devs = nv;
	st->devs[st->n_devs++] = *d;
	return 0;
}

int vfe_status_update(const struct vfe_root *dir, const struct vfe_status_dev *devs, size_t n,
		      const struct vfe_status *fresh)
{
	_cleanup_free_ char *text = NULL;
	struct vfe_status st;
	const char *err;
	unsigned line;
	int k;

	k = vfe_read_file(dir, PATH_STATUS_NAME, 1 << 20, &text);
	if (k >= 0)
		k = vfe_status_parse(text, &st, &err, &line);
	if (k < 0) {
		/* no record (or one that cannot be read back): start one from fresh */
		st = *fresh;
		st.devs = NULL, st.n_devs = 0;
		st.problems = (struct strv){ 0 };
		st.version = VFE_STATUS_VERSION;
	}
	k = 0;
	for (size_t i = 0; k >= 0 && i < n; i++)
		k = put_dev(&st, &devs[i]);
	if (k >= 0)
		k = write_at(dir, PATH_STATUS_NAME, &st);
	vfe_status_free(&st);
	return k;
}

static void copy_val(char *dst, size_t n, const char *v)
{
	snprintf(dst, n, "%s", streq(v, "-") ? "" : v);
}

static uint64_t to_u64(const char *v)
{
	return strtoull(v, NULL, 10);
}

static int parse_boot(struct vfe_status *s, struct vfe_word *w, int n)
{
	for (int i = 1; i < n; i++) {
		const char *k = w[i].key, *v = w[i].value;
		if (!v)
			continue;
		if (streq(k, "mode"))
			copy_val(s->mode, sizeof(s->mode), v);
		else if (streq(k, "reason"))
			copy_val(s->reason, sizeof(s->reason), v);
		else if (streq(k, "iommu"))
			s->iommu = streq(v, "yes");
		else if (streq(k, "started_us"))
			s->started_us = to_u64(v);
		else if (streq(k, "finished_us"))
			s->finished_us = to_u64(v);
		else if (streq(k, "elapsed_us"))
			s->elapsed_us = to_u64(v);
		else if (streq(k, "cpu_us"))
			s->cpu_us = to_u64(v);
		else if (streq(k, "vfio_pci_ids"))
			copy_val(s->vfio_pci_ids, sizeof(s->vfio_pci_ids), v);
		else if (streq(k, "state"))
			copy_val(s->state, sizeof(s->state), v);
	}
	return 0;
}

static int parse_dev_kv(struct vfe_status_dev *d, const char *k, const char *v)
{
	if (streq(k, "bdf"))
		copy_val(d->bdf, sizeof(d->bdf), v);
	else if (streq(k, "id"))
		copy_val(d->id, sizeof(d->id), v);
	else if (streq(k, "subsystem"))
		copy_val(d->subsys, sizeof(d->subsys), v);
	else if (streq(k, "class"))
		d->class = (uint16_t)strtoul(v, NULL, 16);
	else if (streq(k, "group"))
		d->group = streq(v, "-") ? -1 : atoi(v);
	else if (streq(k, "entry"))
		copy_val(d->entry, sizeof(d->entry), v);
	else if (streq(k, "via"))
		copy_val(d->via, sizeof(d->via), v);
	else if (streq(k, "action"))
		return vfe_action_from_name(v, &d->action);
	else if (streq(k, "before"))
		copy_val(d->before, sizeof(d->before), v);
	else if (streq(k, "after"))
		copy_val(d->after, sizeof(d->after), v);
	else if (streq(k, "reason"))
		copy_val(d->reason, sizeof(d->reason), v);
	else if (streq(k, "late"))
		d->late = streq(v, "yes");
	return 0;
}

static int parse_dev(struct vfe_status *s, struct vfe_word *w, int n)
{
	struct vfe_status_dev d = { .group = -1, .action = VFE_ACT_SKIP }, *nd;

	for (int i = 1; i < n; i++)
		if (w[i].value && parse_dev_kv(&d, w[i].key, w[i].value) < 0)
			return -EINVAL;
	nd = realloc(s->devs, (s->n_devs + 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	s->devs = nd;
	s->devs[s->n_devs++] = d;
	return 0;
}

static int parse_line(struct vfe_status *s, char *line, const char **err)
{
	struct vfe_word w[VFE_WORDS_MAX];
	int n = vfe_split_words(line, w, ELEMENTSOF(w), err);

	if (n <= 0)
		return n;
	if (streq(w[0].key, "vfio-early-status")) {
		s->version = n > 1 ? atoi(w[1].key) : 0;
		return 0;
	}
	if (streq(w[0].key, "boot"))
		return parse_boot(s, w, n);
	if (streq(w[0].key, "problem"))
		return n > 1 && w[1].value ? strv_push(&s->problems, w[1].value) : 0;
	if (streq(w[0].key, "device")) {
		int k = parse_dev(s, w, n);
		if (k == -EINVAL)
			*err = "unknown action";
		return k;
	}
	return 0;
}

int vfe_status_parse(char *text, struct vfe_status *ret, const char **err, unsigned *err_line)
{
	unsigned lineno = 0;
	char *line = text;

	*ret = (struct vfe_status){ 0 };
	*err = NULL;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		int k;
		if (nl)
			*nl = '\0';
		lineno++;
		k = parse_line(ret, line, err);
		if (k < 0) {
			*err_line = lineno;
			if (!*err)
				*err = "out of memory";
			vfe_status_free(ret);
			return k;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (ret->version != VFE_STATUS_VERSION) {
		*err = "not a vfio-early status record of a known version";
		*err_line = 1;
		vfe_status_free(ret);
		return -EINVAL;
	}
	return 0;
}

int vfe_status_read(const struct vfe_root *r, struct vfe_status *ret)
{
	_cleanup_free_ char *text = NULL;
	const char *err;
	unsigned line;
	int l;

	l = vfe_read_file(r, PATH_STATUS, 1 << 20, &text);
	if (l < 0)
		return l;
	return vfe_status_parse(text, ret, &err, &line);
}

void vfe_status_free(struct vfe_status *s)
{
	strv_free(&s->problems);
	free(s->devs);
	*s = (struct vfe_status){ 0 };
}
