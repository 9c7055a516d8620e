// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The systemd-boot backend: Type #1 entries on the ESP / XBOOTLDR, the
 * kernel parameters in every entry (and /etc/kernel/cmdline where
 * kernel-install makes the entries), our "(no GPU passthrough)" entry beside
 * the default one, and LoaderEntryOneShot / LoaderEntryDefault /
 * LoaderConfigTimeoutOneShot. On Pop!_OS the entries are kernelstub's
 * (efi/kernelstub.c); the variables are still ours here.
 */
#include <fcntl.h>
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
	if (k >= 0)
		k = vfe_bls_plan_fallback(ctx, &h, src, true);
	if (k < 0)
		return log_nothing_changed(k, WHO, "cannot prepare the changes: %m");
	explain_ukis(ctx, &h, src);
	k = vfe_bls_host_apply(ctx, &h, WHO, "already installed; nothing to change");
	return k < 0 ? k : vfe_bls_fallback_vars(ctx, &h);
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


/* Deletes variable name when it selects one of our entries. */
static int forget_var(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const char *name)
{
	_cleanup_free_ char *v = NULL;

	if (vfe_efivar_read_string(ctx->root, name, EFI_GUID_LOADER, &v) < 0 || !names_ours(h, v))
		return 0;
	return vfe_sdboot_delete_var(ctx, name, v, "it named our entry");
}

static int sdboot_remove(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	int k = vfe_bls_host_load(ctx, WHO, false, &h);

	if (k >= 0)
		k = forget_var(ctx, &h, "LoaderEntryOneShot");
	if (k >= 0)
		k = forget_var(ctx, &h, "LoaderEntryDefault");
	if (k >= 0)
		k = vfe_bls_forget_default(ctx, &h);
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
		k = vfe_sdboot_set_var(ctx, names[i], id);
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
		k = vfe_bls_plan_fallback(ctx, &h, src, false);
	if (k >= 0)
		k = vfe_bls_host_apply(ctx, &h, WHO, "the recovery entry is up to date");
	if (k >= 0)
		k = vfe_bls_fallback_vars(ctx, &h);
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
		k = vfe_sdboot_set_var(ctx, "LoaderEntryOneShot", ours->id);
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
		k = vfe_sdboot_delete_var(ctx, "LoaderEntryDefault", v, conf ? "loader.conf's default applies again" :
							     "the newest entry is the default again");
		return k < 0 ? k : 0;
	}
	/* a counted entry's id, as systemd-boot matches it, carries the counter: name it by a glob */
	if (src->counted) {
		_cleanup_free_ char *plain = vfe_bls_counted_file(src->file, -1), *g = NULL;
		char *dot = plain ? strrchr(plain, '.') : NULL;
		if (dot)
			*dot = '\0';
		if (!plain || asprintf(&g, "%s*.conf", plain) < 0)
			return -ENOMEM;
		return vfe_sdboot_set_var(ctx, "LoaderEntryDefault", g);
	}
	return vfe_sdboot_set_var(ctx, "LoaderEntryDefault", src->id);
}

/* The count starts again on the entry the loader boots now (passthrough --default, a confirm after the fallback). */
static int rearm(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *src;
	int k = vfe_bls_host_load(ctx, WHO, false, &h);

	if (k < 0)
		return k;
	src = vfe_sdboot_source(ctx->root, &h);
	k = vfe_bls_plan_fallback(ctx, &h, src, true);
	if (k < 0)
		return log_nothing_changed(k, WHO, "cannot prepare the changes: %m");
	k = vfe_bls_host_apply(ctx, &h, WHO, "the automatic fallback is armed already");
	return k < 0 ? k : vfe_bls_fallback_vars(ctx, &h);
}

static int sdboot_set_default(struct vfe_boot_ctx *ctx, bool recovery)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *src, *ours;
	int k = load_for_var(ctx, &h, &src, &ours, EFI_LOADER_FEATURE_ENTRY_DEFAULT, "LoaderEntryDefault");

	if (k < 0)
		return k;
	if (recovery) {
		k = vfe_sdboot_set_var(ctx, "LoaderEntryDefault", ours->id);
		if (k >= 0 && !ctx->dry_run)
			sb_printf(ctx->out, "%s: every boot starts \"%s\" (refresh keeps it so after kernel upgrades)\n",
				  WHO, ours->title ? ours->title : ours->id);
		return k;
	}
	if (!src)
		return log_nothing_changed(-ENOENT, WHO, "no passthrough entry to make the default");
	/* counting again first: an entry that ran out is bad and the loader would pass it over */
	k = rearm(ctx);
	vfe_bls_host_free(&h);
	if (k >= 0)
		k = load_for_var(ctx, &h, &src, &ours, EFI_LOADER_FEATURE_ENTRY_DEFAULT, "LoaderEntryDefault");
	if (k >= 0 && !src)
		k = log_nothing_changed(-ENOENT, WHO, "no passthrough entry to make the default");
	return k < 0 ? k : passthrough_default(ctx, &h, src);
}

/* The entry LoaderBootCountPath ("\loader\entries\x+1-2.conf") names, NULL when none of ours. */
static const struct vfe_bls_entry *counted_entry(const struct vfe_bls_host *h, const char *count_path)
{
	const char *base = strrchr(count_path, '\\');

	base = base ? base + 1 : count_path;
	for (size_t i = 0; i < h->entries.n; i++)
		if (strcasecmp(h->entries.v[i].file, base) == 0)
			return &h->entries.v[i];
	return NULL;
}

/* Renames e's file without its counter, as systemd-bless-boot does with a good boot. */
static int uncount(struct vfe_boot_ctx *ctx, const struct vfe_bls_entry *e)
{
	_cleanup_free_ char *name = vfe_bls_counted_file(e->file, -1), *to = NULL;
	const char *slash = strrchr(e->path, '/');
	_cleanup_close_ int dir = -1;

	if (!name || asprintf(&to, "%.*s/%s", (int)(slash - e->path), e->path, name) < 0)
		return -ENOMEM;
	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would rename /%s to %s\n", WHO, e->path, name);
		return 0;
	}
	if (renameat2(ctx->root->fd, e->path, ctx->root->fd, to, RENAME_NOREPLACE) < 0)
		return log_error_errno(negative_errno(), "%s: cannot rename /%s to %s: %m%s", WHO, e->path, name,
				       errno == EEXIST ? " (a copy exists: run 'vfio-early boot refresh')" : "");
	/* as systemd-bless-boot: the directory, then the whole file system, on disk now */
	*strrchr(to, '/') = '\0';
	dir = openat(ctx->root->fd, to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		(void)fsync(dir);
		(void)syncfs(dir);
	}
	sb_printf(ctx->out, "%s: confirmed: renamed %s to %s (as systemd-bless-boot marks a good boot); not counting "
			    "until the next kernel or config change\n", WHO, e->file, name);
	return 0;
}

static int sdboot_confirm(struct vfe_boot_ctx *ctx, enum vfe_confirm_how how, bool recovery)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	_cleanup_free_ char *cp = NULL;
	const struct vfe_bls_entry *src, *ce = NULL;
	struct vfe_fallback f;
	char what[512];

	if (vfe_bls_host_load(ctx, WHO, true, &h) < 0)
		return 0; /* no ESP: nothing counts */
	src = vfe_sdboot_source(ctx->root, &h);
	vfe_bls_fallback(ctx, &h, src, &f);
	vfe_fallback_describe(&f, what, sizeof(what));
	if (vfe_efivar_read_string(ctx->root, "LoaderBootCountPath", EFI_GUID_LOADER, &cp) == 0)
		ce = counted_entry(&h, cp);
	if (f.state == VFE_FALLBACK_FALLEN && how == VFE_CONFIRM_AUTO) {
		if (ce && ce->armed && ce->tries_left == 0) {
			sb_printf(ctx->out, "%s: this boot is the automatic fallback (%s has no tries left): not marked "
					    "good\n", WHO, ce->file);
			return -EBUSY;
		}
		sb_printf(ctx->out, "%s: recovery after the automatic fallback; nothing to confirm\n", WHO);
		return 0;
	}
	if (f.state == VFE_FALLBACK_FALLEN) {
		sb_printf(ctx->out, "%s: the host display is confirmed by hand: back to passthrough, counting again\n", WHO);
		return sdboot_set_default(ctx, false);
	}
	if (f.state != VFE_FALLBACK_ARMED || recovery) {
		sb_printf(ctx->out, "%s: %s; nothing to confirm%s\n", WHO, what, recovery ? " in a recovery boot" : "");
		return 0;
	}
	if (!(ce && ce->armed) && how == VFE_CONFIRM_AUTO) {
		sb_printf(ctx->out, "%s: this boot did not come through the counted entry %s; nothing to confirm\n", WHO,
			  src->file);
		return 0;
	}
	return uncount(ctx, ce && ce->armed ? ce : src);
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
		k = vfe_sdboot_delete_var(ctx, "LoaderEntryOneShot", v, "the pending one-shot to the recovery entry is cancelled");
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
		k = vfe_sdboot_set_var(ctx, "LoaderEntryOneShot", src->id);
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
	k = vfe_sdboot_set_var(ctx, "LoaderConfigTimeoutOneShot", VFE_MENU_ONESHOT_TIMEOUT);
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
	.confirm = sdboot_confirm,
};
