// SPDX-License-Identifier: GPL-2.0-or-later
/* The ESP's Type #1 entries, and planning install / remove / refresh (see bls.h). */
#include <stdio.h>

#include "common/log.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"
#include "efi/kparams.h"
#include "recovery/recovery-cmdline.h"

static int load_state(const struct vfe_root *r, struct vfe_efi_state *s)
{
	_cleanup_free_ char *text = NULL;
	int k = vfe_read_file(r, EFI_PATH_STATE, 1 << 20, &text);

	if (k == -ENOENT)
		return 0;
	return k < 0 ? k : vfe_efi_state_parse(text, s);
}

static bool matches_any(const struct vfe_bls *b, const char *pattern)
{
	for (size_t i = 0; pattern && i < b->n; i++)
		if (vfe_bls_id_match(pattern, b->v[i].id))
			return true;
	return false;
}

/*
 * systemd-boot's order: LoaderEntryDefault when it matches an entry, else
 * loader.conf's default, else the first entry. A LoaderEntryDefault that
 * matches nothing (an entry removed with its kernel) is kept aside in
 * var_missing, so that show and status can say so.
 */
static void load_pattern(const struct vfe_root *r, struct vfe_bls_host *h)
{
	_cleanup_free_ char *v = NULL;

	if (vfe_efivar_read_string(r, "LoaderEntryDefault", EFI_GUID_LOADER, &v) == 0 && *v) {
		if (matches_any(&h->entries, v)) {
			h->pattern = TAKE_PTR(v);
			h->pattern_from_var = true;
			return;
		}
		h->var_missing = TAKE_PTR(v);
	}
	h->pattern = vfe_bls_conf_default(r, h->esp.mount);
	if (!h->pattern && h->has_xbl)
		h->pattern = vfe_bls_conf_default(r, h->xbl.mount);
}

static const struct vfe_bls_entry *rec_entry(const struct vfe_bls_host *h, const char *rel);

/* Moves entry i of b to the end of to. */
static int move_entry(struct vfe_bls *b, size_t i, struct vfe_bls *to)
{
	struct vfe_bls_entry *v = realloc(to->v, (to->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	to->v = v;
	to->v[to->n++] = b->v[i];
	memmove(b->v + i, b->v + i + 1, (b->n - i - 1) * sizeof(*b->v));
	b->n--;
	return 0;
}

/* Of two copies of one entry, the one to keep: the newer file (kernel-install or kernelstub just wrote it). */
static bool fresher(const struct vfe_bls_entry *a, const struct vfe_bls_entry *b)
{
	if (a->mtime != b->mtime)
		return a->mtime > b->mtime;
	return !a->counted && b->counted;
}

/*
 * The entries the state's "armed" records name; of an armed entry written
 * again beside our counted copy (kernel-install on every initramfs update,
 * kernelstub on every kernel), the newer file is the entry and the older
 * ones go to h->stale.
 */
static int mark_armed(struct vfe_bls_host *h)
{
	for (size_t r = 0; r < h->state.n; r++) {
		struct vfe_bls_entry *a = (struct vfe_bls_entry *)rec_entry(h, h->state.v[r].path), *keep;
		if (!streq(h->state.v[r].kind, "armed") || !a)
			continue;
		keep = a;
		for (size_t i = 0; i < h->entries.n; i++)
			if (!h->entries.v[i].ours && vfe_bls_id_equal(h->entries.v[i].id, a->id) &&
			    streq(h->entries.v[i].mount, a->mount) && fresher(&h->entries.v[i], keep))
				keep = &h->entries.v[i];
		keep->armed = true;
		for (size_t i = h->entries.n; i-- > 0;) {
			struct vfe_bls_entry *e = &h->entries.v[i];
			int k;
			if (e == keep || e->ours || !vfe_bls_id_equal(e->id, a->id) || !streq(e->mount, a->mount))
				continue;
			if (e < keep)
				keep--; /* the array shifts down under it */
			k = move_entry(&h->entries, i, &h->stale);
			if (k < 0)
				return k;
		}
	}
	return 0;
}

int vfe_bls_host_load(struct vfe_boot_ctx *ctx, const char *who, bool quiet, struct vfe_bls_host *h)
{
	const char *why;
	int k;

	*h = (struct vfe_bls_host){ 0 };
	if (vfe_esp_find(ctx->root, &h->esp, &why) < 0)
		return quiet ? -ENOENT : log_nothing_changed(-ENOENT, who, "no EFI System Partition: %s", why);
	h->has_xbl = vfe_xbootldr_find(ctx->root, &h->esp, &h->xbl) == 0;
	k = vfe_bls_load(ctx->root, h->esp.mount, &h->entries);
	if (k >= 0)
		k = vfe_uki_load(ctx->root, h->esp.mount, &h->entries);
	if (k >= 0 && h->has_xbl)
		k = vfe_bls_load(ctx->root, h->xbl.mount, &h->entries);
	if (k >= 0 && h->has_xbl)
		k = vfe_uki_load(ctx->root, h->xbl.mount, &h->entries);
	if (k >= 0)
		k = load_state(ctx->root, &h->state);
	if (k < 0) {
		if (!quiet)
			log_error_errno(k, "%s: cannot read the boot entries under %s/%s: %m", who, ctx->root->path,
					h->esp.mount);
		vfe_bls_host_free(h);
		return k;
	}
	vfe_bls_sort(&h->entries);
	k = mark_armed(h);
	if (k < 0) {
		vfe_bls_host_free(h);
		return k;
	}
	load_pattern(ctx->root, h);
	return 0;
}

void vfe_bls_host_free(struct vfe_bls_host *h)
{
	vfe_bls_free(&h->entries);
	free(h->pattern);
	free(h->var_missing);
	vfe_efi_state_free(&h->state);
	vfe_changes_free(&h->ch);
	vfe_bls_free(&h->stale);
	free(h->fallback_var);
	*h = (struct vfe_bls_host){ 0 };
}

/* Applies every wanted parameter to opts; records each one added. */
static int add_all(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *rel, char **opts)
{
	_cleanup_(strv_freep) struct strv want = { 0 };
	int k = vfe_kparams_wanted(&ctx->params, &want);

	for (size_t i = 0; k >= 0 && i < want.n; i++) {
		_cleanup_free_ char *replaced = NULL;
		char *next = NULL;
		k = vfe_kparams_add(*opts, want.v[i], &next, &replaced);
		if (k > 0)
			k = vfe_efi_state_add(&h->state, "param", rel, want.v[i], replaced);
		free(*opts);
		*opts = next;
	}
	return k < 0 ? k : 0;
}

/* The options of an entry's text ("" when it has none), malloc'd. */
static int options_of(const char *text, char **ret)
{
	_cleanup_(vfe_bls_entry_freep) struct vfe_bls_entry e = { 0 };
	int k = vfe_bls_parse(text, &e);

	if (k < 0)
		return k;
	*ret = e.options ? e.options : strdup("");
	e.options = NULL;
	return *ret ? 0 : -ENOMEM;
}

/* The three kinds of file that hold kernel parameters, told apart by their path. */
enum opts_file {
	OPTS_ENTRY, /* a Type #1 entry: its "options" lines */
	OPTS_LINE,  /* /etc/kernel/cmdline: the first line */
	OPTS_KSTUB, /* kernelstub's configuration: "user"."kernel_options" */
};

static enum opts_file opts_file(const char *rel)
{
	if (streq(rel, EFI_PATH_KERNELSTUB_CONF))
		return OPTS_KSTUB;
	return streq(rel, EFI_PATH_KERNEL_CMDLINE) ? OPTS_LINE : OPTS_ENTRY;
}

/* The kernel options in text, a file of kind f (malloc'd). */
static int opts_get(enum opts_file f, const char *text, char **ret)
{
	switch (f) {
	case OPTS_KSTUB:
		return vfe_kstub_get_options(text, ret);
	case OPTS_LINE:
		return (*ret = strndup(text, strcspn(text, "\n"))) ? 0 : -ENOMEM;
	default:
		return options_of(text, ret);
	}
}

/* text, a file of kind f, with its kernel options replaced by opts (malloc'd). */
static int opts_set(enum opts_file f, const char *text, const char *opts, char **ret)
{
	switch (f) {
	case OPTS_KSTUB:
		return vfe_kstub_set_options(text, opts, ret);
	case OPTS_LINE:
		return asprintf(ret, "%s\n", opts) < 0 ? (*ret = NULL, -ENOMEM) : 0;
	default:
		return (*ret = vfe_bls_set_options(text, opts)) ? 0 : -ENOMEM;
	}
}

int vfe_bls_host_add_params(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *rel, const char *base)
{
	_cleanup_free_ char *text = vfe_changes_get(&h->ch, ctx->root, rel), *opts = NULL, *out = NULL;
	enum opts_file f = opts_file(rel);
	int k = 0;

	if (!text && f == OPTS_LINE) {
		k = vfe_efi_state_add(&h->state, "created", rel, NULL, NULL);
		if (!(text = strdup(base ? base : "")))
			return -ENOMEM;
	}
	if (!text)
		return -ENOENT;
	if (k >= 0)
		k = opts_get(f, text, &opts);
	if (k >= 0)
		k = add_all(ctx, h, rel, &opts);
	if (k >= 0)
		k = opts_set(f, text, opts, &out);
	return k < 0 ? k : vfe_changes_set(&h->ch, ctx->root, rel, out);
}

/* The options of the entry at rel as planned so far. */
static char *planned_options(const struct vfe_root *r, struct vfe_bls_host *h, const char *rel)
{
	_cleanup_free_ char *text = vfe_changes_get(&h->ch, r, rel);
	char *o = NULL;

	return text && options_of(text, &o) >= 0 ? o : NULL;
}

int vfe_bls_host_plan_nopt(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *src)
{
	/* a UKI's options are the ones built into it: nothing planned changes them */
	_cleanup_free_ char *opts = src->uki ? strdup(src->options ? src->options : "") : planned_options(ctx->root, h, src->path),
			    *rec = NULL, *file = NULL;
	_cleanup_free_ char *text = NULL;
	char rel[1024];
	int k;

	if (!opts)
		return -ENOMEM;
	k = vfe_recovery_cmdline(opts, &rec);
	if (k < 0)
		return k;
	file = vfe_bls_nopt_file(src);
	text = vfe_bls_nopt_text(src, rec);
	if (!file || !text)
		return -ENOMEM;
	snprintf(rel, sizeof(rel), "%s/%s/%s", src->mount, EFI_LOADER_ENTRIES, file);
	/* any other entry of ours is stale (made from another entry, or another name) */
	for (size_t i = 0; i < h->entries.n; i++)
		if (h->entries.v[i].ours && !streq(h->entries.v[i].path, rel) &&
		    (k = vfe_changes_set(&h->ch, ctx->root, h->entries.v[i].path, NULL)) < 0)
			return k;
	return vfe_changes_set(&h->ch, ctx->root, rel, text);
}

/* Does the state's path rel name entry e, even after a boot-counter rename (same directory, same id)? */
static bool rec_names(const char *rel, const struct vfe_bls_entry *e)
{
	const char *slash = strrchr(rel, '/');
	size_t dir = slash ? (size_t)(slash - rel) : 0;

	if (streq(rel, e->path))
		return true;
	return slash && strncmp(rel, e->path, dir) == 0 && e->path[dir] == '/' && !strchr(e->path + dir + 1, '/') &&
	       vfe_bls_id_equal(slash + 1, e->file);
}

/* The entry a record's path names now, NULL when none does (gone, or not an entry). */
static const struct vfe_bls_entry *rec_entry(const struct vfe_bls_host *h, const char *rel)
{
	for (size_t i = 0; i < h->entries.n; i++)
		if (rec_names(rel, &h->entries.v[i]))
			return &h->entries.v[i];
	return NULL;
}

/* Is entry e in the state: install or refresh saw it (whatever they changed in it)? */
static bool known(const struct vfe_bls_host *h, const struct vfe_bls_entry *e)
{
	for (size_t i = 0; i < h->state.n; i++)
		if (rec_names(h->state.v[i].path, e))
			return true;
	return false;
}

/* Takes param back out of the file rel (put_back in its place), whatever kind of file it is. */
static int undo_one(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *rel, const char *param,
		    const char *put_back)
{
	_cleanup_free_ char *text = vfe_changes_get(&h->ch, ctx->root, rel), *opts = NULL, *next = NULL, *out = NULL;
	enum opts_file f = opts_file(rel);
	int k;

	if (!text)
		return 0; /* the file is gone (a kernel removed): nothing to undo there */
	k = opts_get(f, text, &opts);
	if (k >= 0)
		k = vfe_kparams_remove(opts, param, put_back, &next);
	if (k <= 0)
		return k == -ENOENT ? 0 : k;
	k = opts_set(f, text, next, &out);
	return k < 0 ? k : vfe_changes_set(&h->ch, ctx->root, rel, out);
}

/* Takes one recorded parameter back out of the file it was added to, found again after a rename. */
static int undo_param(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_state_rec *s)
{
	const struct vfe_bls_entry *e = rec_entry(h, s->path);

	return undo_one(ctx, h, e ? e->path : s->path, s->param, s->replaced);
}

/*
 * What entries made after install carry, and what each parameter replaced:
 * the records of /etc/kernel/cmdline (kernel-install makes new entries from
 * it), else those of every entry. Paths are left out.
 */
static int template_params(const struct vfe_bls_host *h, struct vfe_efi_state *ret)
{
	bool cmdline = vfe_efi_state_has(&h->state, "created", EFI_PATH_KERNEL_CMDLINE, NULL);
	int k = 0;

	for (size_t i = 0; !cmdline && i < h->state.n; i++)
		cmdline = streq(h->state.v[i].path, EFI_PATH_KERNEL_CMDLINE);
	for (size_t i = 0; k >= 0 && i < h->state.n; i++) {
		const struct vfe_state_rec *s = &h->state.v[i];
		if (streq(s->kind, "param") && s->param && streq(s->path, EFI_PATH_KERNEL_CMDLINE) == cmdline &&
		    (cmdline || opts_file(s->path) == OPTS_ENTRY))
			k = vfe_efi_state_add(ret, "param", "", s->param, s->replaced);
	}
	return k < 0 ? k : 0;
}

/* Entries install never saw (made later, by kernel-install from /etc/kernel/cmdline): our parameters out. */
static int sweep_unknown(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h)
{
	_cleanup_(vfe_efi_state_freep) struct vfe_efi_state t = { 0 };
	int k = template_params(h, &t);

	for (size_t i = 0; k >= 0 && i < h->entries.n; i++) {
		const struct vfe_bls_entry *e = &h->entries.v[i];
		if (e->ours || known(h, e))
			continue;
		for (size_t j = 0; k >= 0 && j < t.n; j++)
			k = undo_one(ctx, h, e->path, t.v[j].param, t.v[j].replaced);
	}
	return k;
}

int vfe_bls_host_plan_remove(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h)
{
	int k = sweep_unknown(ctx, h);

	for (size_t i = 0; k >= 0 && i < h->state.n; i++) {
		const struct vfe_state_rec *s = &h->state.v[i];
		if (streq(s->kind, "param") && s->param)
			k = undo_param(ctx, h, s);
	}
	for (size_t i = 0; k >= 0 && i < h->state.n; i++)
		if (streq(h->state.v[i].kind, "created"))
			k = vfe_changes_set(&h->ch, ctx->root, h->state.v[i].path, NULL);
	for (size_t i = 0; k >= 0 && i < h->entries.n; i++)
		if (h->entries.v[i].ours)
			k = vfe_changes_set(&h->ch, ctx->root, h->entries.v[i].path, NULL);
	if (k >= 0)
		k = vfe_bls_plan_disarm(ctx, h);
	vfe_efi_state_free(&h->state);
	return k < 0 ? k : 0;
}

/* Records of entries that are gone are dropped; those of renamed ones (boot counting) follow the new name. */
static int track_renames(struct vfe_bls_host *h)
{
	size_t o = 0;

	for (size_t i = 0; i < h->state.n; i++) {
		struct vfe_state_rec *s = &h->state.v[i];
		const struct vfe_bls_entry *e = opts_file(s->path) == OPTS_ENTRY ? rec_entry(h, s->path) : NULL;
		if (opts_file(s->path) == OPTS_ENTRY && !e &&
		    (streq(s->kind, "param") || streq(s->kind, "entry") || streq(s->kind, "armed"))) {
			free(s->kind), free(s->path), free(s->param), free(s->replaced);
			continue;
		}
		if (e && !streq(e->path, s->path)) {
			char *p = strdup(e->path);
			if (!p)
				return -ENOMEM;
			free(s->path);
			s->path = p;
		}
		h->state.v[o++] = *s;
	}
	h->state.n = o;
	return 0;
}

/* A new entry: records the template's parameters it carries, adds (and records) the ones it lacks. */
static int adopt(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *e,
		 const struct vfe_efi_state *t)
{
	_cleanup_free_ char *text = vfe_changes_get(&h->ch, ctx->root, e->path), *opts = NULL, *out = NULL;
	int k = text ? opts_get(OPTS_ENTRY, text, &opts) : -ENOENT;

	for (size_t i = 0; k >= 0 && i < t->n; i++) {
		_cleanup_free_ char *replaced = NULL;
		char *next = NULL;
		k = vfe_kparams_add(opts, t->v[i].param, &next, &replaced);
		if (k >= 0)
			k = vfe_efi_state_add(&h->state, "param", e->path, t->v[i].param,
					      replaced ? replaced : t->v[i].replaced);
		free(opts);
		opts = next;
	}
	if (k >= 0)
		k = vfe_efi_state_add(&h->state, "entry", e->path, NULL, NULL);
	if (k >= 0)
		k = opts_set(OPTS_ENTRY, text, opts, &out);
	return k < 0 ? k : vfe_changes_set(&h->ch, ctx->root, e->path, out);
}

int vfe_bls_host_track(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h)
{
	_cleanup_(vfe_efi_state_freep) struct vfe_efi_state t = { 0 };
	int k = track_renames(h);

	if (k >= 0)
		k = template_params(h, &t);
	for (size_t i = 0; k >= 0 && t.n && i < h->entries.n; i++) {
		const struct vfe_bls_entry *e = &h->entries.v[i];
		if (!e->ours && !known(h, e))
			k = adopt(ctx, h, e, &t);
	}
	return k < 0 ? k : 0;
}

int vfe_bls_host_commit(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who)
{
	_cleanup_free_ char *state = vfe_efi_state_format(&h->state);
	int k = vfe_changes_set(&h->ch, ctx->root, EFI_PATH_STATE, state);
	size_t n;

	if (k < 0)
		return log_nothing_changed(k, who, "cannot prepare /%s: %m", EFI_PATH_STATE);
	n = vfe_changes_count(&h->ch);
	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would change %zu file(s) under %s/:\n", who, n, ctx->root->path);
		vfe_changes_print(&h->ch, ctx->out);
		return (int)n;
	}
	k = vfe_changes_apply(&h->ch, ctx->root, who);
	if (k < 0)
		return k;
	for (size_t i = 0; i < h->ch.n; i++)
		if (!h->ch.v[i].old != !h->ch.v[i].new || (h->ch.v[i].old && !streq(h->ch.v[i].old, h->ch.v[i].new)))
			sb_printf(ctx->out, "%s: %s /%s\n", who,
				  !h->ch.v[i].new ? "removed" : h->ch.v[i].old ? "updated" : "created", h->ch.v[i].path);
	return (int)n;
}

const struct vfe_bls_entry *vfe_bls_host_ours(const struct vfe_bls_host *h)
{
	for (size_t i = 0; i < h->entries.n; i++)
		if (h->entries.v[i].ours)
			return &h->entries.v[i];
	return NULL;
}

bool vfe_bls_host_health(const struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			 char *buf, size_t n)
{
	const struct vfe_bls_entry *o = vfe_bls_ours_for(&h->entries, src);
	_cleanup_free_ char *want = NULL, *text = NULL;
	const char *bin;

	if (!o) {
		snprintf(buf, n, "missing: no '(no GPU passthrough)' entry for %s; run 'vfio-early boot install'",
			 src ? src->id : "the default entry");
		return false;
	}
	bin = o->kernel ? o->kernel : o->efi;
	if (!bin || !vfe_exists(ctx->root, "%s/%s", o->mount, bin + (bin[0] == '/'))) {
		snprintf(buf, n, "stale: its kernel %s does not exist; run 'vfio-early boot install'", bin ? bin : "(none)");
		return false;
	}
	if (vfe_recovery_cmdline(src->options ? src->options : "", &want) < 0 || !(text = vfe_bls_nopt_text(src, want)) ||
	    !o->options || !streq(o->options, want) || !streq(bin, src->kernel ? src->kernel : src->efi ? src->efi : "")) {
		snprintf(buf, n, "stale: it no longer matches %s; run 'vfio-early boot install'", src->id);
		return false;
	}
	if (src->uki && vfe_secure_boot(ctx->root)) {
		snprintf(buf, n, "does not work: %s is a UKI and Secure Boot is on, so systemd-stub ignores the "
			 "recovery entry's command line; see vfio-early-boot(8), UNIFIED KERNEL IMAGES", src->id);
		return false;
	}
	snprintf(buf, n, "ok (%s)", o->file);
	return true;
}

int vfe_bls_host_apply(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who, const char *unchanged)
{
	int k = vfe_bls_host_commit(ctx, h, who);

	if (k == 0)
		sb_printf(ctx->out, "%s: %s\n", who, unchanged);
	return k < 0 ? k : 0;
}

int vfe_bls_host_remove(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who)
{
	int k = vfe_bls_host_plan_remove(ctx, h);

	return k < 0 ? k : vfe_bls_host_apply(ctx, h, who, "not installed; nothing to remove");
}

bool vfe_secure_boot(const struct vfe_root *r)
{
	_cleanup_free_ uint8_t *d = NULL;
	size_t l;

	return vfe_efivar_read(r, "SecureBoot", EFI_GUID_GLOBAL, NULL, &d, &l) == 0 && l >= 1 && d[0] == 1;
}

bool vfe_kernelstub_present(const struct vfe_root *r)
{
	return vfe_exists(r, "%s", EFI_PATH_KERNELSTUB_CONF);
}

const struct vfe_bls_entry *vfe_sdboot_source(const struct vfe_root *r, const struct vfe_bls_host *h)
{
	if (vfe_kernelstub_present(r))
		return vfe_bls_find(&h->entries, EFI_KERNELSTUB_CURRENT);
	return vfe_bls_source(&h->entries, h->pattern);
}

static char *strdup_or_null(const char *s, bool *oom)
{
	char *c = s ? strdup(s) : NULL;

	*oom |= s && !c;
	return c;
}

int vfe_sdboot_boot_source(struct vfe_boot_ctx *ctx, struct vfe_boot_source *ret)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	_cleanup_(vfe_boot_source_freep) struct vfe_boot_source s = { 0 };
	const struct vfe_bls_entry *src;
	const char *bin;
	bool oom = false;

	if (vfe_bls_host_load(ctx, "firmware", true, &h) < 0)
		return -ENOENT;
	src = vfe_sdboot_source(ctx->root, &h);
	if (!src || !vfe_bls_bootable(src))
		return -ENOENT;
	s.title = strdup_or_null(src->title, &oom);
	s.options = strdup_or_null(src->options ? src->options : "", &oom);
	/* a UKI is started the same way: the firmware passes the options, systemd-stub takes them */
	bin = src->kernel ? src->kernel : src->efi;
	if (asprintf(&s.kernel, "%s/%s", src->mount, bin + (bin[0] == '/')) < 0)
		s.kernel = NULL, oom = true;
	for (size_t i = 0; !oom && i < src->initrd.n; i++)
		oom = strv_push(&s.initrd, src->initrd.v[i]) < 0;
	if (oom)
		return -ENOMEM;
	*ret = TAKE_STRUCT(s);
	return 0;
}
