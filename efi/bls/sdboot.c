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
	if (src && src->kernel)
		return 0;
	log_error("%s: no boot entry with a kernel ('linux' line) in /%s/%s to make the recovery entry from; "
		  "nothing changed", WHO, h->esp.mount, EFI_LOADER_ENTRIES);
	return -ENOENT;
}

static int sdboot_install(struct vfe_boot_ctx *ctx)
{
	struct vfe_bls_host h;
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
	for (size_t i = 0; k >= 0 && i < h.entries.n; i++)
		if (!h.entries.v[i].ours && h.entries.v[i].kernel)
			k = vfe_bls_host_add_params(ctx, &h, h.entries.v[i].path);
	if (k >= 0 && vfe_exists(ctx->root, "%s", EFI_PATH_KERNEL_INSTALL_BLS))
		k = vfe_bls_host_add_params_line(ctx, &h, EFI_PATH_KERNEL_CMDLINE, src->options);
	if (k >= 0)
		k = vfe_bls_host_plan_nopt(ctx, &h, src);
	if (k >= 0)
		k = vfe_bls_host_commit(ctx, &h, WHO);
	else
		log_error_errno(k, "%s: %m; nothing changed", WHO);
	if (k == 0)
		sb_printf(ctx->out, "%s: already installed; nothing to change\n", WHO);
	vfe_bls_host_free(&h);
	return k < 0 ? k : 0;
}

/* Deletes variable name when it names one of our entries. */
static int forget_var(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const char *name)
{
	_cleanup_free_ char *v = NULL;
	const struct vfe_bls_entry *e;
	int k;

	if (vfe_efivar_read_string(ctx->root, name, EFI_GUID_LOADER, &v) < 0 || !(e = vfe_bls_find(&h->entries, v)) ||
	    !e->ours)
		return 0;
	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would delete EFI variable %s (\"%s\", our entry)\n", WHO, name, v);
		return 0;
	}
	k = vfe_efivar_delete(ctx->root, name, EFI_GUID_LOADER);
	if (k < 0)
		return log_error_errno(k, "%s: cannot delete EFI variable %s: %m", WHO, name);
	sb_printf(ctx->out, "%s: deleted EFI variable %s (it named our entry)\n", WHO, name);
	return 0;
}

static int sdboot_remove(struct vfe_boot_ctx *ctx)
{
	struct vfe_bls_host h;
	int k = vfe_bls_host_load(ctx, WHO, false, &h);

	if (k < 0)
		return k;
	k = forget_var(ctx, &h, "LoaderEntryOneShot");
	if (k >= 0)
		k = forget_var(ctx, &h, "LoaderEntryDefault");
	if (k >= 0 && !vfe_kernelstub_present(ctx->root))
		k = vfe_bls_host_remove(ctx, &h, WHO);
	vfe_bls_host_free(&h);
	return k < 0 ? k : 0;
}

static int sdboot_refresh(struct vfe_boot_ctx *ctx)
{
	struct vfe_bls_host h;
	const struct vfe_bls_entry *src;
	int k;

	if (vfe_kernelstub_present(ctx->root) || vfe_bls_host_load(ctx, WHO, true, &h) < 0)
		return 0;
	src = vfe_sdboot_source(ctx->root, &h);
	if (!vfe_bls_host_ours(&h) && !h.state.n) {
		vfe_bls_host_free(&h);
		return 0; /* not installed */
	}
	k = need_source(&h, src);
	if (k >= 0)
		k = vfe_bls_host_plan_nopt(ctx, &h, src);
	if (k >= 0)
		k = vfe_bls_host_commit(ctx, &h, WHO);
	if (k == 0)
		sb_printf(ctx->out, "%s: the recovery entry is up to date\n", WHO);
	vfe_bls_host_free(&h);
	return k < 0 ? k : 0;
}

/* Refuses unless the running loader says (LoaderFeatures) it honours the variable. */
static int need_feature(struct vfe_boot_ctx *ctx, uint64_t bit, const char *var)
{
	uint64_t f;
	int k = vfe_efivar_read_uint(ctx->root, "LoaderFeatures", EFI_GUID_LOADER, &f);

	if (k < 0)
		return log_error_errno(-EOPNOTSUPP, "%s: the running boot loader did not set LoaderFeatures (this boot "
						    "did not come through systemd-boot), so %s would be ignored; "
						    "nothing changed", WHO, var);
	if (!(f & bit))
		return log_error_errno(-EOPNOTSUPP, "%s: the running systemd-boot does not support %s "
						    "(LoaderFeatures 0x%llx); nothing changed", WHO, var,
				       (unsigned long long)f);
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

/* Loads the entries and finds ours; logs and fails when there is none. */
static int load_with_ours(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry **src,
			  const struct vfe_bls_entry **ours)
{
	int k = vfe_bls_host_load(ctx, WHO, false, h);

	if (k < 0)
		return k;
	*src = vfe_sdboot_source(ctx->root, h);
	*ours = vfe_bls_ours_for(&h->entries, *src);
	if (!*ours)
		*ours = vfe_bls_host_ours(h);
	if (*ours)
		return 0;
	vfe_bls_host_free(h);
	return log_error_errno(-ENOENT, "%s: there is no '(no GPU passthrough)' entry in /%s/%s; run 'vfio-early "
					"boot install' first; nothing changed", WHO, h->esp.mount, EFI_LOADER_ENTRIES);
}

static int sdboot_recovery_next(struct vfe_boot_ctx *ctx)
{
	const struct vfe_bls_entry *src, *ours;
	struct vfe_bls_host h;
	int k = load_with_ours(ctx, &h, &src, &ours);

	if (k < 0)
		return k;
	k = need_feature(ctx, EFI_LOADER_FEATURE_ENTRY_ONESHOT, "LoaderEntryOneShot");
	if (k >= 0)
		k = set_var(ctx, "LoaderEntryOneShot", ours->id);
	if (k >= 0 && !ctx->dry_run)
		sb_printf(ctx->out, "%s: the next boot (only) starts \"%s\"\n", WHO, ours->title ? ours->title : ours->id);
	vfe_bls_host_free(&h);
	return k;
}

static int sdboot_set_default(struct vfe_boot_ctx *ctx, bool recovery)
{
	const struct vfe_bls_entry *src, *ours;
	struct vfe_bls_host h;
	int k = load_with_ours(ctx, &h, &src, &ours);

	if (k < 0)
		return k;
	k = need_feature(ctx, EFI_LOADER_FEATURE_ENTRY_DEFAULT, "LoaderEntryDefault");
	if (k >= 0 && !recovery && !src)
		k = log_error_errno(-ENOENT, "%s: no passthrough entry to make the default", WHO);
	if (k >= 0)
		k = set_var(ctx, "LoaderEntryDefault", recovery ? ours->id : src->id);
	vfe_bls_host_free(&h);
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
	struct vfe_bls_host h;
	int k = vfe_bls_host_load(ctx, WHO, true, &h);

	if (k < 0) {
		sb_printf(ctx->out, ctx->json ? "{\"name\":\"" WHO "\",\"esp\":null}" : WHO ": no ESP found\n");
		return 0;
	}
	vfe_sdboot_show_entries(ctx, &h);
	vfe_bls_host_free(&h);
	return 0;
}

static int sdboot_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret)
{
	struct vfe_bls_host h;
	int k = vfe_bls_host_load(ctx, WHO, true, &h);

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->loader, sizeof(ret->loader), "%s", WHO);
	if (k < 0) {
		snprintf(ret->recovery_health, sizeof(ret->recovery_health), "unknown: no ESP found");
		return 0;
	}
	vfe_sdboot_fill_status(ctx, &h, vfe_sdboot_source(ctx->root, &h), ret);
	vfe_bls_host_free(&h);
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
	.menu_next = sdboot_menu_next,
	.status = sdboot_status,
	.refresh = sdboot_refresh,
	.source = vfe_sdboot_boot_source,
};
