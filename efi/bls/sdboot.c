// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The systemd-boot backend: Type #1 entries on the ESP / XBOOTLDR, the
 * kernel parameters in every entry (and /etc/kernel/cmdline where
 * kernel-install makes the entries), our "(no GPU passthrough)" entry beside
 * the default one, and LoaderEntryOneShot / LoaderEntryDefault /
 * LoaderConfigTimeoutOneShot. On Pop!_OS the entries are kernelstub's
 * (efi/kernelstub.c); the variables are still ours here.
 */
#include <fnmatch.h>
#include <stdio.h>

#include "common/log.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"
#include "efi/kparams.h"

#define WHO "systemd-boot"

static int sdboot_detect(struct vfe_boot_ctx *ctx)
{
	_cleanup_free_ char *info = NULL;
	struct vfe_esp esp;
	const char *why;

	if (vfe_efivar_read_string(ctx->root, "LoaderInfo", EFI_GUID_LOADER, &info) == 0 && startswith(info, "systemd-boot"))
		return 1;
	if (vfe_esp_find(ctx->root, &esp, &why) < 0)
		return 0;
	return vfe_exists(ctx->root, "%s/%s", esp.mount, EFI_SDBOOT_IMAGE) ||
	       vfe_exists(ctx->root, "%s/%s", esp.mount, EFI_LOADER_ENTRIES);
}

static int need_source(const struct vfe_bls_host *h, const struct vfe_bls_entry *src)
{
	if (src && (src->kernel || src->uki))
		return 0;
	return log_nothing_changed(-ENOENT, WHO, "no boot entry with a kernel ('linux' line) in /%s/%s and no unified "
				   "kernel image in /%s/%s to make the recovery entry from", h->esp.mount,
				   EFI_LOADER_ENTRIES, h->esp.mount, EFI_UKI_DIR);
}

static bool has_uki(const struct vfe_bls_host *h)
{
	for (size_t i = 0; i < h->entries.n; i++)
		if (h->entries.v[i].uki)
			return true;
	return false;
}

/*
 * A UKI's command line is built into the image (.cmdline, signed with it
 * under Secure Boot): nothing here can add our parameters to it. Say which
 * images lack them and where they come from next time.
 */
static void explain_ukis(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src)
{
	_cleanup_(strv_freep) struct strv want = { 0 };

	(void)vfe_kparams_wanted(&ctx->params, &want);
	for (size_t i = 0; i < h->entries.n; i++) {
		const struct vfe_bls_entry *e = &h->entries.v[i];
		bool missing = false;
		for (size_t j = 0; e->uki && j < want.n; j++)
			missing |= !vfe_kparams_has(e->options, want.v[j]);
		if (missing)
			sb_printf(ctx->out, "%s: %s is a unified kernel image: its command line is built in and cannot be "
					    "changed here; it lacks the IOMMU parameters until the image is rebuilt from "
					    "/%s (kernel-install's UKI generation reads it)\n", WHO, e->file,
				  EFI_PATH_KERNEL_CMDLINE);
	}
	if (src->uki && vfe_secure_boot(ctx->root))
		sb_printf(ctx->out, "%s: warning: Secure Boot is on: systemd-stub ignores the command line the recovery "
				    "entry passes to %s, so that entry boots with passthrough; see vfio-early-boot(8)\n",
			  WHO, src->file);
}

static int sdboot_install(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *src;
	int k;

	if (vfe_kernelstub_present(ctx->root)) {
		sb_printf(ctx->out, "%s: the entries are kernelstub's (see the kernelstub lines)\n", WHO);
		return 0;
	}
	k = vfe_bls_host_load(ctx, WHO, false, &h);
	if (k < 0)
		return k;
	src = vfe_sdboot_source(ctx->root, &h);
	k = need_source(&h, src);
	if (k < 0)
		return k;
	for (size_t i = 0; k >= 0 && i < h.entries.n; i++)
		if (!h.entries.v[i].ours && h.entries.v[i].kernel) {
			k = vfe_bls_host_add_params(ctx, &h, h.entries.v[i].path, NULL);
			/* seen: remove leaves what it had of ours before alone; refresh adopts only newer entries */
			if (k >= 0)
				k = vfe_efi_state_add(&h.state, "entry", h.entries.v[i].path, NULL, NULL);
		}
	if (k >= 0 && (vfe_exists(ctx->root, "%s", EFI_PATH_KERNEL_INSTALL_BLS) || has_uki(&h)))
		k = vfe_bls_host_add_params(ctx, &h, EFI_PATH_KERNEL_CMDLINE, src->options);
	if (k >= 0)
		k = vfe_bls_host_plan_nopt(ctx, &h, src);
	if (k < 0)
		return log_nothing_changed(k, WHO, "cannot prepare the changes: %m");
	explain_ukis(ctx, &h, src);
	return vfe_bls_host_apply(ctx, &h, WHO, "already installed; nothing to change");
}

/* Does a LoaderEntryDefault / LoaderEntryOneShot value select one of our entries (or our glob)? */
static bool names_ours(const struct vfe_bls_host *h, const char *v)
{
	const struct vfe_bls_entry *e = NULL;

	if (!v || !*v)
		return false;
	if (strcasestr(v, EFI_NOPT_SUFFIX))
		return true;
	for (size_t i = 0; !e && i < h->entries.n; i++)
		if (vfe_bls_id_match(v, h->entries.v[i].id))
			e = &h->entries.v[i];
	return e && e->ours;
}

static int delete_var(struct vfe_boot_ctx *ctx, const char *name, const char *old, const char *why)
{
	int k;

	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would delete EFI variable %s (\"%s\", %s)\n", WHO, name, old, why);
		return 0;
	}
	k = vfe_efivar_delete(ctx->root, name, EFI_GUID_LOADER);
	if (k < 0)
		return log_error_errno(k, "%s: cannot delete EFI variable %s: %m", WHO, name);
	sb_printf(ctx->out, "%s: deleted EFI variable %s (\"%s\", %s)\n", WHO, name, old, why);
	return 1;
}

/* Deletes variable name when it selects one of our entries. */
static int forget_var(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const char *name)
{
	_cleanup_free_ char *v = NULL;

	if (vfe_efivar_read_string(ctx->root, name, EFI_GUID_LOADER, &v) < 0 || !names_ours(h, v))
		return 0;
	return delete_var(ctx, name, v, "it named our entry");
}

static int sdboot_remove(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	int k = vfe_bls_host_load(ctx, WHO, false, &h);

	if (k >= 0)
		k = forget_var(ctx, &h, "LoaderEntryOneShot");
	if (k >= 0)
		k = forget_var(ctx, &h, "LoaderEntryDefault");
	if (k >= 0 && !vfe_kernelstub_present(ctx->root))
		k = vfe_bls_host_remove(ctx, &h, WHO);
	return k;
}

/* Refuses unless the running loader says (LoaderFeatures) it honours the variable. */
static int need_feature(struct vfe_boot_ctx *ctx, uint64_t bit, const char *var)
{
	uint64_t f;
	int k = vfe_efivar_read_uint(ctx->root, "LoaderFeatures", EFI_GUID_LOADER, &f);

	if (k < 0)
		return log_nothing_changed(-EOPNOTSUPP, WHO, "the running boot loader did not set LoaderFeatures (this "
					   "boot did not come through systemd-boot), so %s would be ignored", var);
	if (!(f & bit))
		return log_nothing_changed(-EOPNOTSUPP, WHO, "the running systemd-boot does not support %s "
					   "(LoaderFeatures 0x%llx)", var, (unsigned long long)f);
	return 0;
}

static int set_var(struct vfe_boot_ctx *ctx, const char *name, const char *value)
{
	_cleanup_free_ char *old = NULL;
	int k;

	if (vfe_efivar_read_string(ctx->root, name, EFI_GUID_LOADER, &old) == 0 && streq(old, value)) {
		sb_printf(ctx->out, "%s: %s is already \"%s\"\n", WHO, name, value);
		return 0;
	}
	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would set EFI variable %s-%s = \"%s\" (UTF-16, attributes 0x7)\n", WHO, name,
			  EFI_GUID_LOADER, value);
		return 0;
	}
	k = vfe_efivar_write_string(ctx->root, name, EFI_GUID_LOADER, value);
	if (k < 0)
		return log_error_errno(k, "%s: cannot write EFI variable %s (read back %s): %m", WHO, name,
				       k == -EIO ? "differs" : "failed");
	sb_printf(ctx->out, "%s: set %s = \"%s\" (read back)\n", WHO, name, value);
	return 0;
}

/*
 * After refresh renamed our entry: a one-shot or default naming our old
 * entry names the new one. Ids, not globs: systemd-boot matches a glob in
 * these variables, but bootctl (252) compares them as plain ids and would
 * show another default than the loader boots.
 */
static int repoint_vars(struct vfe_boot_ctx *ctx, const struct vfe_bls_entry *src)
{
	static const char *const names[] = { "LoaderEntryOneShot", "LoaderEntryDefault" };
	_cleanup_free_ char *file = vfe_bls_nopt_file(src), *id = file ? vfe_bls_id(file) : NULL;
	int k = 0;

	if (!id)
		return -ENOMEM;
	for (size_t i = 0; k >= 0 && i < ELEMENTSOF(names); i++) {
		_cleanup_free_ char *v = NULL;
		if (vfe_efivar_read_string(ctx->root, names[i], EFI_GUID_LOADER, &v) < 0 || !strcasestr(v, EFI_NOPT_SUFFIX) ||
		    vfe_bls_id_match(v, id) || strpbrk(v, "*?["))
			continue;
		k = set_var(ctx, names[i], id);
	}
	return k;
}

static int sdboot_refresh(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *src;
	int k;

	if (vfe_kernelstub_present(ctx->root) || vfe_bls_host_load(ctx, WHO, true, &h) < 0)
		return 0;
	if (!vfe_bls_host_ours(&h) && !h.state.n)
		return 0; /* not installed */
	src = vfe_sdboot_source(ctx->root, &h);
	k = need_source(&h, src);
	if (k >= 0)
		k = vfe_bls_host_track(ctx, &h);
	if (k >= 0)
		k = vfe_bls_host_plan_nopt(ctx, &h, src);
	if (k >= 0)
		k = vfe_bls_host_apply(ctx, &h, WHO, "the recovery entry is up to date");
	return k < 0 ? k : repoint_vars(ctx, src);
}

/*
 * Before setting one of the Loader* variables (var, which LoaderFeatures
 * announces with bit): loads the entries, finds ours and checks that the
 * running loader honours var; logs and fails when not.
 */
static int load_for_var(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry **src,
			const struct vfe_bls_entry **ours, uint64_t bit, const char *var)
{
	int k = vfe_bls_host_load(ctx, WHO, false, h);

	if (k < 0)
		return k;
	*src = vfe_sdboot_source(ctx->root, h);
	*ours = vfe_bls_ours_for(&h->entries, *src);
	if (!*ours)
		*ours = vfe_bls_host_ours(h);
	if (!*ours)
		return log_nothing_changed(-ENOENT, WHO, "there is no '(no GPU passthrough)' entry in /%s/%s; run "
					   "'vfio-early boot install' first", h->esp.mount, EFI_LOADER_ENTRIES);
	return need_feature(ctx, bit, var);
}

static int sdboot_recovery_next(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *src, *ours;
	int k = load_for_var(ctx, &h, &src, &ours, EFI_LOADER_FEATURE_ENTRY_ONESHOT, "LoaderEntryOneShot");

	if (k >= 0)
		k = set_var(ctx, "LoaderEntryOneShot", ours->id);
	if (k >= 0 && !ctx->dry_run)
		sb_printf(ctx->out, "%s: the next boot (only) starts \"%s\"\n", WHO, ours->title ? ours->title : ours->id);
	return k;
}

/*
 * passthrough --default: LoaderEntryDefault is deleted when loader.conf's
 * default (or the first entry: kernel-install's newest kernel) is a
 * passthrough entry, so the default follows kernel upgrades by the loader's
 * own rule; else it names the passthrough entry.
 */
static int passthrough_default(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src)
{
	_cleanup_free_ char *conf = vfe_bls_conf_default(ctx->root, h->esp.mount), *v = NULL;
	const struct vfe_bls_entry *d = vfe_bls_default(&h->entries, conf);
	bool has_var = vfe_efivar_read_string(ctx->root, "LoaderEntryDefault", EFI_GUID_LOADER, &v) == 0;
	int k;

	if (d && !d->ours) {
		if (!has_var) {
			sb_printf(ctx->out, "%s: the default is already %s (%s)\n", WHO, d->id, conf ? "loader.conf" : "the newest entry");
			return 0;
		}
		k = delete_var(ctx, "LoaderEntryDefault", v, conf ? "loader.conf's default applies again" :
							     "the newest entry is the default again");
		return k < 0 ? k : 0;
	}
	return set_var(ctx, "LoaderEntryDefault", src->id);
}

static int sdboot_set_default(struct vfe_boot_ctx *ctx, bool recovery)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *src, *ours;
	int k = load_for_var(ctx, &h, &src, &ours, EFI_LOADER_FEATURE_ENTRY_DEFAULT, "LoaderEntryDefault");

	if (k < 0)
		return k;
	if (recovery) {
		k = set_var(ctx, "LoaderEntryDefault", ours->id);
		if (k >= 0 && !ctx->dry_run)
			sb_printf(ctx->out, "%s: every boot starts \"%s\" (refresh keeps it so after kernel upgrades)\n",
				  WHO, ours->title ? ours->title : ours->id);
		return k;
	}
	if (!src)
		return log_nothing_changed(-ENOENT, WHO, "no passthrough entry to make the default");
	return passthrough_default(ctx, &h, src);
}

/*
 * passthrough --next: a pending one-shot to our entry is cancelled; when our
 * entry is the default, the next boot (only) goes to the passthrough entry.
 */
static int sdboot_passthrough_next(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	_cleanup_free_ char *v = NULL;
	const struct vfe_bls_entry *src, *d;
	int k = vfe_bls_host_load(ctx, WHO, false, &h);

	if (k < 0)
		return k;
	src = vfe_sdboot_source(ctx->root, &h);
	d = vfe_bls_default(&h.entries, h.pattern);
	if (vfe_efivar_read_string(ctx->root, "LoaderEntryOneShot", EFI_GUID_LOADER, &v) == 0 && *v &&
	    (names_ours(&h, v) || !(d && d->ours))) {
		if (!names_ours(&h, v)) {
			sb_printf(ctx->out, "%s: the one-shot \"%s\" is not ours; left alone\n", WHO, v);
			return 0;
		}
		k = delete_var(ctx, "LoaderEntryOneShot", v, "the pending one-shot to the recovery entry is cancelled");
		if (k < 0 || !(d && d->ours))
			return k < 0 ? k : 0;
	}
	if (!(d && d->ours)) {
		sb_printf(ctx->out, "%s: no one-shot pending; the next boot starts %s (passthrough)\n", WHO, d ? d->id : "the first entry");
		return 0;
	}
	if (!src)
		return log_nothing_changed(-ENOENT, WHO, "the default is the recovery entry and there is no passthrough entry");
	k = need_feature(ctx, EFI_LOADER_FEATURE_ENTRY_ONESHOT, "LoaderEntryOneShot");
	if (k >= 0)
		k = set_var(ctx, "LoaderEntryOneShot", src->id);
	if (k >= 0 && !ctx->dry_run)
		sb_printf(ctx->out, "%s: the next boot (only) starts \"%s\"; the default stays the recovery entry\n", WHO,
			  src->title ? src->title : src->id);
	return k;
}

static int sdboot_menu_next(struct vfe_boot_ctx *ctx)
{
	int k = need_feature(ctx, EFI_LOADER_FEATURE_TIMEOUT_ONESHOT, "LoaderConfigTimeoutOneShot");

	if (k < 0)
		return k;
	k = set_var(ctx, "LoaderConfigTimeoutOneShot", VFE_MENU_ONESHOT_TIMEOUT);
	if (k >= 0 && !ctx->dry_run)
		sb_printf(ctx->out, "%s: the next boot shows the menu for %s seconds\n", WHO, VFE_MENU_ONESHOT_TIMEOUT);
	return k;
}

static int sdboot_show(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };

	if (vfe_bls_host_load(ctx, WHO, true, &h) < 0)
		sb_printf(ctx->out, ctx->json ? "{\"loader\":\"" WHO "\",\"booted_entry\":null,\"default_entry\":null,"
						"\"oneshot_entry\":null,\"recovery\":{\"state\":\"unknown\",\"detail\":"
						"\"no ESP found\"},\"esp\":null,\"entries\":[]}"
					      : WHO ": no ESP found\n");
	else
		vfe_sdboot_show_entries(ctx, &h);
	return 0;
}

static int sdboot_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };

	*ret = (struct vfe_boot_status){ 0 };
	snprintf(ret->loader, sizeof(ret->loader), "%s", WHO);
	if (vfe_bls_host_load(ctx, WHO, true, &h) < 0)
		snprintf(ret->recovery_health, sizeof(ret->recovery_health), "unknown: no ESP found");
	else
		vfe_sdboot_fill_status(ctx, &h, vfe_sdboot_source(ctx->root, &h), ret);
	return 0;
}

const struct vfe_boot_backend vfe_backend_sdboot = {
	.id = VFE_LOADER_SDBOOT,
	.name = WHO,
	.detect = sdboot_detect,
	.show = sdboot_show,
	.install = sdboot_install,
	.remove = sdboot_remove,
	.recovery_next = sdboot_recovery_next,
	.set_default = sdboot_set_default,
	.passthrough_next = sdboot_passthrough_next,
	.menu_next = sdboot_menu_next,
	.status = sdboot_status,
	.refresh = sdboot_refresh,
	.source = vfe_sdboot_boot_source,
};
