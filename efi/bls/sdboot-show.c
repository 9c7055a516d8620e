// SPDX-License-Identifier: GPL-2.0-or-later
/* `vfio-early boot show` and `status` for systemd-boot entries (see sdboot.h). */
#include <stdio.h>

#include "common/kcmdline.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"
#include "efi/kparams.h"

struct vars {
	char *selected, *oneshot, *dflt, *timeout_oneshot, *info;
	uint64_t features;
	bool has_features;
};

static void read_vars(const struct vfe_root *r, struct vars *v)
{
	(void)vfe_efivar_read_string(r, "LoaderEntrySelected", EFI_GUID_LOADER, &v->selected);
	(void)vfe_efivar_read_string(r, "LoaderEntryOneShot", EFI_GUID_LOADER, &v->oneshot);
	(void)vfe_efivar_read_string(r, "LoaderEntryDefault", EFI_GUID_LOADER, &v->dflt);
	(void)vfe_efivar_read_string(r, "LoaderConfigTimeoutOneShot", EFI_GUID_LOADER, &v->timeout_oneshot);
	(void)vfe_efivar_read_string(r, "LoaderInfo", EFI_GUID_LOADER, &v->info);
	v->has_features = vfe_efivar_read_uint(r, "LoaderFeatures", EFI_GUID_LOADER, &v->features) == 0;
}

static void vars_free(struct vars *v)
{
	free(v->selected);
	free(v->oneshot);
	free(v->dflt);
	free(v->timeout_oneshot);
	free(v->info);
	*v = (struct vars){ 0 };
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vars, vars_free);

static const char *or_none(const char *s)
{
	return s && *s ? s : "none";
}

/* The words of the entry's options that matter to passthrough: "a b" ("none"), or as a JSON list. */
static void put_params(struct strbuf *o, const struct vfe_bls_entry *e, bool json)
{
	_cleanup_(strv_freep) struct strv p = { 0 };

	(void)vfe_kparams_passthrough(e->options, &p);
	if (json)
		sb_putc(o, '[');
	for (size_t i = 0; i < p.n; i++) {
		if (i)
			sb_putc(o, json ? ',' : ' ');
		if (json)
			sb_put_json_string(o, p.v[i]);
		else
			sb_puts(o, p.v[i]);
	}
	sb_puts(o, json ? "]" : p.n ? "" : "none");
}

static void entry_text(struct vfe_boot_ctx *ctx, const struct vfe_bls_entry *e, bool dflt, const struct vars *v)
{
	struct strbuf *o = ctx->out;

	sb_printf(o, "  %s %s  \"%s\"%s%s%s%s\n", dflt ? "*" : " ", e->id, e->title ? e->title : "",
		  e->uki ? "  [unified kernel image]" : "", e->ours ? "  [ours: no GPU passthrough]" : "",
		  vfe_bls_id_equal(v->selected, e->id) ? "  [booted]" : "", e->bad ? "  [bad]" : "");
	if (e->uki)
		sb_printf(o, "      %s, command line built in (cannot be changed here), passthrough parameters: ", e->efi);
	else
		sb_printf(o, "      %s %s, passthrough parameters: ", e->kernel ? "linux" : "efi",
			  e->kernel ? e->kernel : e->efi ? e->efi : "(none)");
	put_params(o, e, false);
	sb_putc(o, '\n');
}

static void entry_json(struct vfe_boot_ctx *ctx, const struct vfe_bls_entry *e, bool dflt, const struct vars *v, bool comma)
{
	struct strbuf *o = ctx->out;

	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/%s", e->path);
	sb_puts(o, comma ? ",{" : "{");
	sb_put_json_member(o, "id", e->id);
	sb_put_json_member(o, "path", path);
	sb_put_json_member(o, "title", e->title);
	sb_put_json_member(o, "linux", e->kernel);
	sb_put_json_member(o, "efi", e->efi);
	sb_printf(o, ",\"type\":\"%s\"", e->uki ? "type2" : "type1");
	sb_put_json_member(o, "options", e->options);
	sb_printf(o, ",\"default\":%s,\"ours\":%s,\"booted\":%s,\"passthrough_params\":", dflt ? "true" : "false",
		  e->ours ? "true" : "false", vfe_bls_id_equal(v->selected, e->id) ? "true" : "false");
	put_params(o, e, true);
	sb_putc(o, '}');
}

static void show_json(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vars *v,
		      const struct vfe_bls_entry *d, const char *health, const struct vfe_fallback *f)
{
	struct strbuf *o = ctx->out;
	char feat[32], esp[300], xbl[300];

	snprintf(feat, sizeof(feat), "0x%llx", (unsigned long long)v->features);
	snprintf(esp, sizeof(esp), "/%s", h->esp.mount);
	snprintf(xbl, sizeof(xbl), "/%s", h->xbl.mount);
	/* the keys every loader has (docs/json.md), then systemd-boot's own */
	sb_putc(o, '{');
	sb_put_json_member(o, "loader", "systemd-boot");
	sb_put_json_member(o, "booted_entry", v->selected);
	sb_put_json_member(o, "default_entry", d ? d->id : NULL);
	sb_put_json_member(o, "oneshot_entry", v->oneshot && *v->oneshot ? v->oneshot : NULL);
	vfe_boot_json_recovery(o, health);
	sb_put_json_member(o, "esp", esp);
	sb_put_json_member(o, "esp_device", h->esp.source);
	sb_put_json_member(o, "xbootldr", h->has_xbl ? xbl : NULL);
	sb_put_json_member(o, "loader_info", v->info);
	sb_put_json_member(o, "loader_features", v->has_features ? feat : NULL);
	sb_put_json_member(o, "loader_entry_default", v->dflt);
	sb_printf(o, ",\"loader_entry_default_missing\":%s", h->var_missing ? "true" : "false");
	sb_put_json_member(o, "menu_timeout_oneshot", v->timeout_oneshot);
	sb_puts(o, ",\"fallback\":");
	vfe_fallback_json(o, f);
	sb_puts(o, ",\"entries\":[");
	for (size_t i = 0; i < h->entries.n; i++)
		entry_json(ctx, &h->entries.v[i], &h->entries.v[i] == d, v, i > 0);
	sb_puts(o, "]}");
}

static void show_text(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vars *v,
		      const struct vfe_bls_entry *d, const char *health, const struct vfe_fallback *f)
{
	struct strbuf *o = ctx->out;
	char fb[512];

	sb_printf(o, "systemd-boot:\n  ESP: /%s (%s, %s%s%s)\n", h->esp.mount, h->esp.source, h->esp.fstype,
		  h->esp.part_type[0] ? ", ESP partition type" : ", partition type not probed",
		  h->esp.read_only ? ", READ-ONLY" : "");
	sb_printf(o, "  XBOOTLDR: %s%s\n", h->has_xbl ? "/" : "", h->has_xbl ? h->xbl.mount : "none");
	sb_printf(o, "  running loader: %s", or_none(v->info));
	if (v->has_features)
		sb_printf(o, " (LoaderFeatures 0x%llx)", (unsigned long long)v->features);
	sb_printf(o, "\n  this boot came from (LoaderEntrySelected): %s\n", or_none(v->selected));
	sb_printf(o, "  default: %s (%s%s%s)\n", d ? d->id : "none",
		  h->pattern ? (h->pattern_from_var ? "LoaderEntryDefault \"" : "loader.conf default \"") : "first entry",
		  h->pattern ? h->pattern : "", h->pattern ? "\"" : "");
	if (h->var_missing)
		sb_printf(o, "  warning: LoaderEntryDefault \"%s\" names no entry (removed with its kernel?): systemd-boot "
			     "ignores it; 'vfio-early boot recovery --default' or 'passthrough --default' sets it again\n",
			  h->var_missing);
	sb_printf(o, "  one-shot (LoaderEntryOneShot): %s%s\n", or_none(v->oneshot),
		  v->oneshot && *v->oneshot && !vfe_bls_find(&h->entries, v->oneshot) && !strpbrk(v->oneshot, "*?[")
			  ? " (names no entry: ignored)" : "");
	sb_printf(o, "  menu one-shot (LoaderConfigTimeoutOneShot): %s\n", or_none(v->timeout_oneshot));
	sb_printf(o, "  entries, in menu order (* = default):\n");
	for (size_t i = 0; i < h->entries.n; i++)
		entry_text(ctx, &h->entries.v[i], &h->entries.v[i] == d, v);
	sb_printf(o, "  recovery entry: %s\n", health);
	vfe_fallback_describe(f, fb, sizeof(fb));
	sb_printf(o, "  automatic fallback: %s\n", fb);
}

void vfe_sdboot_show_entries(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h)
{
	const struct vfe_bls_entry *d = vfe_bls_default(&h->entries, h->pattern);
	_cleanup_(vars_freep) struct vars v = { 0 };
	const struct vfe_bls_entry *src = vfe_sdboot_source(ctx->root, h);
	struct vfe_fallback f;
	char health[256];

	read_vars(ctx->root, &v);
	vfe_bls_host_health(ctx, h, src, health, sizeof(health));
	vfe_bls_fallback(ctx, h, src, &f);
	if (ctx->json)
		show_json(ctx, h, &v, d, health, &f);
	else
		show_text(ctx, h, &v, d, health, &f);
}

void vfe_sdboot_fill_status(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			    struct vfe_boot_status *ret)
{
	const struct vfe_bls_entry *d = vfe_bls_default(&h->entries, h->pattern), *b;
	_cleanup_(vars_freep) struct vars v = { 0 };

	read_vars(ctx->root, &v);
	b = vfe_bls_find(&h->entries, v.selected);
	snprintf(ret->booted_entry, sizeof(ret->booted_entry), "%s", v.selected ? v.selected : "");
	/* without LoaderEntrySelected (the firmware started a kernel itself) only the command line tells */
	if (v.selected && *v.selected)
		ret->booted_recovery = (b && b->ours) || strstr(v.selected, EFI_NOPT_SUFFIX);
	else
		ret->booted_recovery = vfe_kcmdline_booted_off(ctx->root, NULL, 0);
	if (v.oneshot && *v.oneshot)
		snprintf(ret->next_boot, sizeof(ret->next_boot), "once: %s (LoaderEntryOneShot)", v.oneshot);
	else
		snprintf(ret->next_boot, sizeof(ret->next_boot), "default: %s%s%s%s%s", d ? d->id : "none",
			 d && d->ours ? " (no GPU passthrough)" : "",
			 h->var_missing ? "; LoaderEntryDefault \"" : "", h->var_missing ? h->var_missing : "",
			 h->var_missing ? "\" names no entry and is ignored" : "");
	vfe_bls_host_health(ctx, h, src, ret->recovery_health, sizeof(ret->recovery_health));
	vfe_bls_fallback(ctx, h, src, &ret->fallback);
}
