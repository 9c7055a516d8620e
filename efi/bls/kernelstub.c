// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernelstub backend (Pop!_OS): the kernel parameters go into
 * "user"."kernel_options" of /etc/kernelstub/configuration, so kernelstub's
 * next run keeps them, and into its Pop_OS-current / Pop_OS-oldkern entries
 * now (the same options kernelstub would write). The recovery entry sits
 * beside Pop_OS-current.conf and points at the same vmlinuz.efi and
 * initrd.img on the ESP, which kernelstub rewrites in place; the hooks
 * after zz-kernelstub refresh its options.
 */
#include <stdio.h>

#include "common/log.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"

#define WHO "kernelstub"
#define OLDKERN "Pop_OS-oldkern.conf"

static int ks_detect(struct vfe_boot_ctx *ctx)
{
	return vfe_kernelstub_present(ctx->root);
}

static int load(struct vfe_boot_ctx *ctx, bool quiet, struct vfe_bls_host *h, const struct vfe_bls_entry **cur)
{
	int k = vfe_bls_host_load(ctx, WHO, quiet, h);

	if (k < 0)
		return k;
	*cur = vfe_bls_find(&h->entries, EFI_KERNELSTUB_CURRENT);
	if (*cur && (*cur)->kernel)
		return 0;
	if (quiet)
		return -ENOENT;
	return log_nothing_changed(-ENOENT, WHO, "there is no %s with a kernel in /%s/%s; run 'sudo kernelstub' first",
				   EFI_KERNELSTUB_CURRENT, h->esp.mount, EFI_LOADER_ENTRIES);
}

static int config_error(int k)
{
	if (k == -EBADMSG)
		return log_nothing_changed(k, WHO, "/%s: \"kernel_options\" of \"user\" is not a list of strings; run "
					   "'sudo kernelstub' once to update the file", EFI_PATH_KERNELSTUB_CONF);
	if (k == -ENOENT)
		return log_nothing_changed(k, WHO, "/%s has no \"user\" settings with \"kernel_options\"; run 'sudo "
					   "kernelstub' once to create them", EFI_PATH_KERNELSTUB_CONF);
	return log_nothing_changed(k, WHO, "cannot prepare the changes: %m");
}

static int ks_install(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *cur, *old;
	int k = load(ctx, false, &h, &cur);

	if (k < 0)
		return k;
	k = vfe_bls_host_add_params(ctx, &h, EFI_PATH_KERNELSTUB_CONF, NULL);
	if (k >= 0)
		k = vfe_bls_host_add_params(ctx, &h, cur->path, NULL);
	old = vfe_bls_find(&h.entries, OLDKERN);
	if (k >= 0 && old)
		k = vfe_bls_host_add_params(ctx, &h, old->path, NULL);
	if (k >= 0)
		k = vfe_bls_host_plan_nopt(ctx, &h, cur);
	if (k >= 0)
		k = vfe_bls_plan_fallback(ctx, &h, cur, true);
	if (k < 0)
		return config_error(k);
	k = vfe_bls_host_apply(ctx, &h, WHO, "already installed; nothing to change");
	return k < 0 ? k : vfe_bls_fallback_vars(ctx, &h);
}

static int ks_remove(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	int k = vfe_bls_host_load(ctx, WHO, false, &h);

	if (k >= 0)
		k = vfe_bls_forget_default(ctx, &h); /* before the state that records it goes */
	return k < 0 ? k : vfe_bls_host_remove(ctx, &h, WHO);
}

static int ks_refresh(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *cur;
	int k;

	if (load(ctx, true, &h, &cur) < 0)
		return 0;
	if (!vfe_bls_host_ours(&h) && !h.state.n)
		return 0; /* not installed */
	k = vfe_bls_host_plan_nopt(ctx, &h, cur);
	if (k >= 0)
		k = vfe_bls_plan_fallback(ctx, &h, cur, false);
	if (k >= 0)
		k = vfe_bls_host_apply(ctx, &h, WHO, "the recovery entry is up to date");
	return k < 0 ? k : vfe_bls_fallback_vars(ctx, &h);
}

static int ks_show(struct vfe_boot_ctx *ctx)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *cur;
	struct vfe_fallback f;
	char health[256], fb[512];

	if (load(ctx, true, &h, &cur) < 0) {
		sb_printf(ctx->out, ctx->json ? "{\"loader\":\"" WHO "\",\"booted_entry\":null,\"default_entry\":null,"
						"\"oneshot_entry\":null,\"recovery\":{\"state\":\"unknown\",\"detail\":"
						"\"no " EFI_KERNELSTUB_CURRENT "\"},\"entries\":[]}"
					      : WHO ": /%s present, but no " EFI_KERNELSTUB_CURRENT " on an ESP\n",
			  EFI_PATH_KERNELSTUB_CONF);
		return 0;
	}
	vfe_bls_host_health(ctx, &h, cur, health, sizeof(health));
	vfe_bls_fallback(ctx, &h, cur, &f);
	if (ctx->json) {
		/* kernelstub writes the entries systemd-boot boots: the booted and one-shot entries are systemd-boot's */
		sb_putc(ctx->out, '{');
		sb_put_json_member(ctx->out, "loader", WHO);
		sb_put_json_member(ctx->out, "booted_entry", NULL);
		sb_put_json_member(ctx->out, "default_entry", cur->id);
		sb_put_json_member(ctx->out, "oneshot_entry", NULL);
		vfe_boot_json_recovery(ctx->out, health);
		sb_puts(ctx->out, ",\"fallback\":");
		vfe_fallback_json(ctx->out, &f);
		sb_puts(ctx->out, ",\"entries\":[{");
		sb_put_json_member(ctx->out, "id", cur->id);
		sb_put_json_member(ctx->out, "title", cur->title);
		sb_put_json_member(ctx->out, "linux", cur->kernel);
		sb_put_json_member(ctx->out, "options", cur->options);
		sb_puts(ctx->out, "}]}");
	} else {
		vfe_fallback_describe(&f, fb, sizeof(fb));
		sb_printf(ctx->out, "kernelstub:\n  configuration: /%s\n  entry: %s (linux %s)\n  options: %s\n"
				    "  recovery entry: %s\n  automatic fallback: %s\n", EFI_PATH_KERNELSTUB_CONF, cur->id,
			  cur->kernel, cur->options ? cur->options : "", health, fb);
	}
	return 0;
}

static int ks_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret)
{
	_cleanup_(vfe_bls_host_freep) struct vfe_bls_host h = { 0 };
	const struct vfe_bls_entry *cur;

	*ret = (struct vfe_boot_status){ 0 };
	snprintf(ret->loader, sizeof(ret->loader), WHO);
	if (load(ctx, true, &h, &cur) < 0)
		snprintf(ret->recovery_health, sizeof(ret->recovery_health), "unknown: no %s", EFI_KERNELSTUB_CURRENT);
	else
		vfe_sdboot_fill_status(ctx, &h, cur, ret);
	return 0;
}

const struct vfe_boot_backend vfe_backend_kernelstub = {
	.id = VFE_LOADER_KERNELSTUB,
	.name = WHO,
	.detect = ks_detect,
	.show = ks_show,
	.install = ks_install,
	.remove = ks_remove,
	.status = ks_status,
	.refresh = ks_refresh,
	.source = vfe_sdboot_boot_source,
};
