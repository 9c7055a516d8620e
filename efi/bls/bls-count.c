// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The automatic fallback on systemd-boot and kernelstub (see bls.h,
 * bls-count, and docs/fallback.md): the passthrough entry counted by the
 * loader's own boot counting, its state, and what install, refresh and
 * passthrough --default plan for it.
 */
#include <stdio.h>

#include "common/log.h"
#include "early/fallback.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"

char *vfe_bls_counted_file(const char *file, int tries)
{
	const char *dot = strrchr(file, '.'), *plus = strrchr(file, '+');
	unsigned l, d;
	size_t stem;
	char *s;

	if (!dot)
		dot = file + strlen(file);
	stem = plus && plus < dot && vfe_boot_counter_parse(file, &l, &d) == 0 ? (size_t)(plus - file) : (size_t)(dot - file);
	if (tries < 0)
		return asprintf(&s, "%.*s%s", (int)stem, file, dot) < 0 ? NULL : s;
	return asprintf(&s, "%.*s+%d%s", (int)stem, file, tries, dot) < 0 ? NULL : s;
}

static const struct vfe_bls_entry *out_in(const struct vfe_bls *b, bool armed_only)
{
	for (size_t i = 0; i < b->n; i++)
		if ((b->v[i].armed || !armed_only) && b->v[i].counted && b->v[i].tries_left == 0)
			return &b->v[i];
	return NULL;
}

/* The armed entry that ran out of tries, also when a newer copy of it was written beside it (then stale). */
static const struct vfe_bls_entry *counted_out(const struct vfe_bls_host *h)
{
	const struct vfe_bls_entry *e = out_in(&h->entries, true);

	return e ? e : out_in(&h->stale, false);
}

static bool installed(const struct vfe_bls_host *h)
{
	for (size_t i = 0; i < h->entries.n; i++)
		if (h->entries.v[i].ours)
			return true;
	return h->state.n > 0;
}

void vfe_bls_fallback(const struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
		      struct vfe_fallback *ret)
{
	const struct vfe_bls_entry *out = counted_out(h);

	*ret = (struct vfe_fallback){ .state = VFE_FALLBACK_NONE };
	if (!installed(h))
		return;
	if (!ctx->fallback) {
		ret->state = VFE_FALLBACK_OFF;
		return;
	}
	if (out || vfe_efi_state_find(&h->state, "fallback")) {
		ret->state = VFE_FALLBACK_FALLEN;
		snprintf(ret->counter, sizeof(ret->counter), "%s%s", out ? out->file : "LoaderEntryDefault names the "
			 "'(no GPU passthrough)' entry", out ? " has no tries left" : "");
		return;
	}
	if (!src) {
		snprintf(ret->why, sizeof(ret->why), "no passthrough entry to count");
		return;
	}
	snprintf(ret->counter, sizeof(ret->counter), "%s", src->file);
	if (src->uki) {
		ret->state = VFE_FALLBACK_UNAVAILABLE;
		snprintf(ret->why, sizeof(ret->why), "the default entry %s is a unified kernel image, which our recovery "
			 "entry starts by its name: it cannot be renamed for boot counting", src->file);
	} else if (src->armed && src->counted) {
		ret->state = VFE_FALLBACK_ARMED;
		ret->left = src->tries_left ? src->tries_left - 1 : 0;
	} else if (src->armed) {
		ret->state = VFE_FALLBACK_CONFIRMED;
	} else {
		snprintf(ret->why, sizeof(ret->why), "%s came after the last install or refresh; 'vfio-early boot "
			 "refresh' arms it", src->file);
	}
}

/* Plans the rename of e's file (with its planned text) to name; the new path in *ret (malloc'd). */
static int plan_rename(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *e,
		       const char *name, char **ret)
{
	_cleanup_free_ char *text = vfe_changes_get(&h->ch, ctx->root, e->path), *to = NULL;
	const char *slash = strrchr(e->path, '/');
	int k;

	if (!text)
		return -ENOENT;
	if (asprintf(&to, "%.*s/%s", (int)(slash - e->path), e->path, name) < 0)
		return -ENOMEM;
	if (!streq(to, e->path)) {
		k = vfe_changes_set(&h->ch, ctx->root, to, text);
		if (k >= 0)
			k = vfe_changes_set(&h->ch, ctx->root, e->path, NULL);
		if (k < 0)
			return k;
	}
	*ret = TAKE_PTR(to);
	return 0;
}

/* Takes the counter off every armed entry but keep (NULL: all of them) and forgets them. */
static int disarm_others(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *keep)
{
	int k = 0;

	for (size_t i = 0; k >= 0 && i < h->entries.n; i++) {
		const struct vfe_bls_entry *e = &h->entries.v[i];
		_cleanup_free_ char *name = NULL, *to = NULL;
		if (!e->armed || e == keep)
			continue;
		if (e->counted) {
			name = vfe_bls_counted_file(e->file, -1);
			k = name ? plan_rename(ctx, h, e, name, &to) : -ENOMEM;
		}
	}
	for (size_t i = 0; k >= 0 && i < h->state.n;) {
		const struct vfe_state_rec *s = &h->state.v[i];
		const char *f = strrchr(s->path, '/');
		_cleanup_free_ char *path = NULL;
		if (!streq(s->kind, "armed") || (keep && vfe_bls_id_equal(f ? f + 1 : s->path, keep->file))) {
			i++;
			continue;
		}
		path = strdup(s->path); /* the record, and its path, go */
		if (!path)
			return -ENOMEM;
		vfe_efi_state_drop(&h->state, "armed", path);
	}
	return k;
}

/* "<name of src without counter and .conf>*.conf": matches src counted or not, and our entry after it. */
static char *glob_for(const struct vfe_bls_entry *src)
{
	_cleanup_free_ char *plain = vfe_bls_counted_file(src->file, -1);
	char *dot = plain ? strrchr(plain, '.') : NULL, *g;

	if (!plain)
		return NULL;
	if (dot)
		*dot = '\0';
	return asprintf(&g, "%s*.conf", plain) < 0 ? NULL : g;
}

/*
 * Will systemd-boot still choose src once its file is named file? A pattern
 * that named the entry before it was counted may no longer match (the
 * loader matches the whole name, counter included): then LoaderEntryDefault
 * gets a glob that matches the counted name, and our entry after it once
 * the count runs out. Recorded, so that remove takes it away again.
 */
static int plan_default(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			const char *file)
{
	_cleanup_free_ char *var = NULL, *conf = vfe_bls_conf_default(ctx->root, h->esp.mount);
	const struct vfe_state_rec *old = vfe_efi_state_find(&h->state, "defaultvar");
	char *g;

	(void)vfe_efivar_read_string(ctx->root, "LoaderEntryDefault", EFI_GUID_LOADER, &var);
	/*
	 * Only where src is meant to be the default: kernelstub's current entry
	 * (Pop's loader.conf names it in a form only Pop's patched loader
	 * matches), else what the pattern selects now; never after recovery
	 * --default, never over another system's entry.
	 */
	if ((!vfe_exists(ctx->root, "%s", EFI_PATH_KERNELSTUB_CONF) && vfe_bls_default(&h->entries, h->pattern) != src) ||
	    vfe_bls_loader_default(&h->entries, var, conf, src, file) == src)
		return 0;
	g = glob_for(src);
	if (!g)
		return -ENOMEM;
	sb_printf(ctx->out, "systemd-boot: the default (%s) would not choose the counted entry %s: LoaderEntryDefault "
		  "becomes \"%s\"\n", var ? var : conf ? conf : "the first entry", file, g);
	free(h->fallback_var);
	h->fallback_var = g;
	if (old && var && streq(old->param, var))
		return 0; /* ours already: remove restores what was there before it */
	vfe_efi_state_drop(&h->state, "defaultvar", NULL);
	return vfe_efi_state_add(&h->state, "defaultvar", "LoaderEntryDefault", g, var);
}

int vfe_bls_plan_fallback(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			  bool rearm)
{
	struct vfe_fallback f;
	_cleanup_free_ char *name = NULL, *to = NULL;
	int k = 0;

	/* older copies of the armed entry: the one written last is the entry */
	for (size_t i = 0; k >= 0 && i < h->stale.n; i++)
		k = vfe_changes_set(&h->ch, ctx->root, h->stale.v[i].path, NULL);
	if (k < 0)
		return k;
	vfe_bls_fallback(ctx, h, src, &f);
	if (f.state == VFE_FALLBACK_FALLEN && !rearm) {
		/*
		 * The user has not acted: recovery stays. A kernel change may have
		 * added an entry the loader would choose first, or a new copy of
		 * the counted one: the recovery entry becomes the default.
		 */
		_cleanup_free_ char *nopt = src ? vfe_bls_nopt_file(src) : NULL;
		if (!src)
			return 0;
		free(h->fallback_var);
		h->fallback_var = nopt ? vfe_bls_id(nopt) : NULL;
		k = h->fallback_var ? vfe_efi_state_add(&h->state, "fallback", src->path, NULL, NULL) : -ENOMEM;
		return k < 0 ? k : 0;
	}
	vfe_efi_state_drop(&h->state, "fallback", NULL);
	if (!src || !ctx->fallback || src->uki)
		return disarm_others(ctx, h, NULL);
	k = disarm_others(ctx, h, src);
	name = vfe_bls_counted_file(src->file, (int)ctx->fallback + 1);
	if (k >= 0)
		k = name ? plan_rename(ctx, h, src, name, &to) : -ENOMEM;
	if (k >= 0) {
		vfe_efi_state_drop(&h->state, "armed", NULL);
		k = vfe_efi_state_add(&h->state, "armed", to, NULL, NULL);
	}
	if (k >= 0)
		sb_printf(ctx->out, "systemd-boot: automatic fallback: %s is counted by systemd-boot: %u passthrough boots "
				    "without a confirmed host display, then the '(no GPU passthrough)' entry\n", name,
			  ctx->fallback);
	return k < 0 ? k : plan_default(ctx, h, src, name);
}

int vfe_bls_plan_disarm(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h)
{
	int k = 0;

	for (size_t i = 0; k >= 0 && i < h->stale.n; i++)
		k = vfe_changes_set(&h->ch, ctx->root, h->stale.v[i].path, NULL);
	return k < 0 ? k : disarm_others(ctx, h, NULL);
}

int vfe_bls_fallback_vars(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h)
{
	return h->fallback_var ? vfe_sdboot_set_var(ctx, "LoaderEntryDefault", h->fallback_var) : 0;
}

int vfe_bls_forget_default(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h)
{
	const struct vfe_state_rec *r = vfe_efi_state_find(&h->state, "defaultvar");
	_cleanup_free_ char *var = NULL;

	if (!r || vfe_efivar_read_string(ctx->root, "LoaderEntryDefault", EFI_GUID_LOADER, &var) < 0 ||
	    !streq(var, r->param))
		return 0; /* not ours (any more) */
	if (r->replaced)
		return vfe_sdboot_set_var(ctx, "LoaderEntryDefault", r->replaced);
	return vfe_sdboot_delete_var(ctx, "LoaderEntryDefault", var, "the automatic fallback set it");
}
