// SPDX-License-Identifier: GPL-2.0-or-later
/* boot show / status for GRUB: our entries, saved/next entry, parameters, this boot. */
#include <stdio.h>

#include "common/kcmdline.h"
#include "efi/grub/grub.h"

struct grub_view {
	struct vfe_grub_cfg cfg;
	bool have_cfg;
	struct vfe_grubenv env, vars;
	struct vfe_grub_fs fs;
	bool have_fs;
	char *dropin_params; /* NULL: not installed */
	bool booted_recovery;
	char off_param[128]; /* the parameter that made it so, as written */
};

static int view_load(struct vfe_boot_ctx *ctx, struct grub_view *v)
{
	_cleanup_free_ char *dropin = NULL;
	int k;

	*v = (struct grub_view){ 0 };
	v->have_cfg = vfe_grub_cfg_load(ctx->root, &v->cfg) >= 0;
	k = vfe_grubenv_load(ctx->root, GRUB_PATH_ENV, &v->env);
	if (k >= 0)
		k = vfe_grub_defaults_load(ctx->root, NULL, &v->vars);
	if (k < 0)
		return k;
	v->have_fs = vfe_grub_fs_probe(ctx->root, GRUB_PATH_DIR, &v->fs) >= 0;
	if (vfe_read_file(ctx->root, GRUB_PATH_DROPIN, 1 << 20, &dropin) >= 0)
		v->dropin_params = vfe_grub_dropin_params(dropin);
	v->booted_recovery = vfe_kcmdline_booted_off(ctx->root, v->off_param, sizeof(v->off_param));
	return 0;
}

static void view_free(struct grub_view *v)
{
	vfe_grub_cfg_free(&v->cfg);
	vfe_grubenv_free(&v->env);
	vfe_grubenv_free(&v->vars);
	free(v->dropin_params);
	*v = (struct grub_view){ 0 };
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct grub_view, view_free);

static const char *var(const struct vfe_grubenv *e, const char *name, const char *dflt)
{
	const char *s = vfe_grubenv_get(e, name);
	return s ? s : dflt;
}

/*
 * Ubuntu's 00_header, before it looks at next_entry: when grubenv holds
 * initrdfail=1 (an initrd-less boot that did not reach grub-initrd-fallback
 * .service), it sets next_entry to prev_entry, saves prev_entry empty, and
 * goes on. A next_entry other than prev_entry is then not booted: with a
 * prev_entry GRUB boots that one and clears next_entry, with none it boots
 * the default and the next_entry stays in grubenv for a later boot.
 */
static bool initrdfail_overrides(const struct grub_view *v)
{
	return v->have_cfg && v->cfg.has_initrdfail_hook && streq(var(&v->env, "initrdfail", ""), "1") &&
	       !streq(var(&v->env, "prev_entry", ""), var(&v->env, "next_entry", ""));
}

/* What the next boot picks, in words, into buf. */
static void next_boot(const struct grub_view *v, char *buf, size_t n)
{
	const char *next = var(&v->env, "next_entry", "");
	const char *prev = var(&v->env, "prev_entry", "");
	const char *def = var(&v->vars, "GRUB_DEFAULT", "0");
	char why[160] = "";

	if (initrdfail_overrides(v)) {
		if (*prev) {
			snprintf(buf, n, "%s (prev_entry: Ubuntu's initrdfail=1 in grubenv replaces next_entry=%s)", prev, next);
			return;
		}
		snprintf(why, sizeof(why), "; Ubuntu's initrdfail=1 in grubenv sets next_entry aside, so next_entry=%s "
					   "waits for a later boot", next);
		next = "";
	}
	if (*next)
		snprintf(buf, n, "%s (one-shot next_entry)", next);
	else if (streq(var(&v->env, GRUB_ENV_TRIES, ""), "0") && v->have_cfg && v->cfg.has_count_hook)
		snprintf(buf, n, GRUB_ID_RECOVERY " (the automatic fallback: grubenv " GRUB_ENV_TRIES "=0%s)", why);
	else if (streq(def, "saved"))
		snprintf(buf, n, "%s (saved_entry, GRUB_DEFAULT=saved%s)", var(&v->env, "saved_entry", "0"), why);
	else
		snprintf(buf, n, "%s (GRUB_DEFAULT%s)", def, why);
}

static void show_text(struct vfe_boot_ctx *ctx, const struct grub_view *v)
{
	struct strbuf *o = ctx->out;
	struct vfe_fallback f;
	char nb[300], fb[512];
	size_t ours = 0;

	sb_printf(o, GRUB_WHO ":\n  kernel parameters: %s\n", v->dropin_params ? v->dropin_params : "(not installed)");
	sb_printf(o, "  GRUB_CMDLINE_LINUX=\"%s\"\n  GRUB_CMDLINE_LINUX_DEFAULT=\"%s\"\n",
		  var(&v->vars, "GRUB_CMDLINE_LINUX", ""), var(&v->vars, "GRUB_CMDLINE_LINUX_DEFAULT", ""));
	for (size_t i = 0; v->have_cfg && i < v->cfg.n; i++)
		if (v->cfg.e[i].ours && !v->cfg.e[i].submenu) {
			sb_printf(o, "  entry: %s  [%s]\n", v->cfg.e[i].title, v->cfg.e[i].id);
			ours++;
		}
	if (!ours)
		sb_printf(o, "  entry: none in /%s\n", GRUB_PATH_CFG);
	sb_printf(o, "  GRUB_DEFAULT=%s%s\n", var(&v->vars, "GRUB_DEFAULT", "0"),
		  streq(var(&v->vars, "GRUB_DEFAULT", "0"), "saved") ? "" : " (saved_entry is used only with GRUB_DEFAULT=saved; next_entry always)");
	sb_printf(o, "  saved_entry=%s\n  next_entry=%s\n", var(&v->env, "saved_entry", ""), var(&v->env, "next_entry", ""));
	if (vfe_grubenv_get(&v->env, "initrdfail"))
		sb_printf(o, "  initrdfail=%s prev_entry=%s (Ubuntu's fallback after an initrd-less boot)%s\n",
			  var(&v->env, "initrdfail", ""), var(&v->env, "prev_entry", ""),
			  initrdfail_overrides(v) ? ": it overrides next_entry at the next boot" : "");
	if (v->have_fs)
		sb_printf(o, "  grubenv: %s\n", v->fs.read_only ? "read-only mount" :
						 v->fs.grub_can_write ? "GRUB can write it (one-shots allowed)" : v->fs.why);
	next_boot(v, nb, sizeof(nb));
	sb_printf(o, "  next boot: %s\n", nb);
	vfe_grub_fallback(ctx, &f);
	vfe_fallback_describe(&f, fb, sizeof(fb));
	sb_printf(o, "  automatic fallback: %s\n", fb);
	if (v->booted_recovery)
		sb_printf(o, "  this boot: recovery (%s on the kernel command line)\n",
			  v->off_param[0] ? v->off_param : "vfio_early=off");
	else
		sb_printf(o, "  this boot: passthrough (no vfio_early=off on the kernel command line)\n");
}

static void health(const struct grub_view *v, char *buf, size_t n);

static void show_json(struct vfe_boot_ctx *ctx, const struct grub_view *v)
{
	struct strbuf *o = ctx->out;
	const char *def = var(&v->vars, "GRUB_DEFAULT", "0"), *next = var(&v->env, "next_entry", "");
	struct vfe_fallback f;
	char nb[300], h[256];
	bool first = true;

	next_boot(v, nb, sizeof(nb));
	health(v, h, sizeof(h));
	/* the keys every loader has (docs/json.md), then GRUB's own */
	sb_puts(o, "{\"loader\":\"grub\"");
	sb_put_json_member(o, "booted_entry", v->booted_recovery ? GRUB_ID_RECOVERY : NULL);
	sb_put_json_member(o, "default_entry", streq(def, "saved") ? var(&v->env, "saved_entry", "0") : def);
	sb_put_json_member(o, "oneshot_entry", *next ? next : NULL);
	vfe_boot_json_recovery(o, h);
	sb_puts(o, ",\"parameters\":");
	v->dropin_params ? sb_put_json_string(o, v->dropin_params) : sb_puts(o, "null");
	sb_puts(o, ",\"entries\":[");
	for (size_t i = 0; v->have_cfg && i < v->cfg.n; i++)
		if (v->cfg.e[i].ours && !v->cfg.e[i].submenu) {
			sb_puts(o, first ? "{\"id\":" : ",{\"id\":");
			sb_put_json_string(o, v->cfg.e[i].id);
			sb_puts(o, ",\"title\":");
			sb_put_json_string(o, v->cfg.e[i].title);
			sb_putc(o, '}');
			first = false;
		}
	sb_puts(o, "],\"grub_default\":");
	sb_put_json_string(o, var(&v->vars, "GRUB_DEFAULT", "0"));
	sb_puts(o, ",\"saved_entry\":");
	sb_put_json_string(o, var(&v->env, "saved_entry", ""));
	sb_puts(o, ",\"next_entry\":");
	sb_put_json_string(o, var(&v->env, "next_entry", ""));
	sb_printf(o, ",\"grub_can_write_env\":%s,\"booted_recovery\":%s,\"initrdfail_overrides_next_entry\":%s,"
		  "\"next_boot\":", !v->have_fs || v->fs.grub_can_write ? "true" : "false",
		  v->booted_recovery ? "true" : "false", initrdfail_overrides(v) ? "true" : "false");
	sb_put_json_string(o, nb);
	vfe_grub_fallback(ctx, &f);
	sb_puts(o, ",\"fallback\":");
	vfe_fallback_json(o, &f);
	sb_puts(o, "}");
}

int vfe_grub_show(struct vfe_boot_ctx *ctx)
{
	_cleanup_(view_freep) struct grub_view v = { 0 };
	int k = view_load(ctx, &v);

	if (k >= 0)
		(ctx->json ? show_json : show_text)(ctx, &v);
	return k;
}

static void health(const struct grub_view *v, char *buf, size_t n)
{
	if (!v->dropin_params)
		snprintf(buf, n, "not installed ('vfio-early boot install')");
	else if (!v->have_cfg || !vfe_grub_cfg_find(&v->cfg, GRUB_ID_RECOVERY))
		snprintf(buf, n, "missing from /%s: run update-grub", GRUB_PATH_CFG);
	else
		snprintf(buf, n, "ok");
}

int vfe_grub_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret)
{
	_cleanup_(view_freep) struct grub_view v = { 0 };
	int k = view_load(ctx, &v);

	if (k >= 0) {
		*ret = (struct vfe_boot_status){ 0 };
		snprintf(ret->loader, sizeof(ret->loader), GRUB_WHO);
		if (v.booted_recovery)
			snprintf(ret->booted_entry, sizeof(ret->booted_entry), "%s", GRUB_ID_RECOVERY);
		ret->booted_recovery = v.booted_recovery;
		next_boot(&v, ret->next_boot, sizeof(ret->next_boot));
		health(&v, ret->recovery_health, sizeof(ret->recovery_health));
		vfe_grub_fallback(ctx, &ret->fallback);
	}
	return k;
}
