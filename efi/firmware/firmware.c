// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The firmware backend: a Boot#### load option "<title> (no GPU passthrough)"
 * that starts the kernel's EFI stub on the ESP directly, with the recovery
 * command line and initrd, so the firmware's own boot menu reaches it with
 * the boot loader bypassed; `recovery --next --firmware` sets BootNext.
 * BootOrder is never changed, except that `remove` drops our number from it.
 */
#include <ctype.h>
#include <stdio.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "efi/boot.h"
#include "efi/efi-paths.h"
#include "efi/efivars.h"
#include "efi/firmware/firmware.h"
#include "recovery/recovery-cmdline.h"

#define WHO "firmware"

static int fw_detect(struct vfe_boot_ctx *ctx)
{
	return vfe_efivars_available(ctx->root);
}

static bool is_boot_name(const char *n)
{
	return strlen(n) == 8 && startswith(n, "Boot") && isxdigit((unsigned char)n[4]) && isxdigit((unsigned char)n[5]) &&
	       isxdigit((unsigned char)n[6]) && isxdigit((unsigned char)n[7]);
}

static bool desc_is_ours(const char *d)
{
	size_t l = d ? strlen(d) : 0, s = strlen(EFI_NOPT_TITLE_SUFFIX);

	return l > s && streq(d + l - s, EFI_NOPT_TITLE_SUFFIX);
}

/* The numbers of our Boot#### options, and the lowest free number. */
static int find_ours(const struct vfe_root *r, int *ours, size_t max, size_t *n, int *free_num)
{
	struct strv names = { 0 };
	bool used[0x10000 / 8 * 8] = { false };
	int k = vfe_efivar_list(r, EFI_GUID_GLOBAL, &names);

	*n = 0;
	*free_num = -1;
	for (size_t i = 0; k >= 0 && i < names.n; i++) {
		_cleanup_free_ uint8_t *d = NULL;
		_cleanup_free_ char *desc = NULL;
		size_t l;
		int num;
		if (!is_boot_name(names.v[i]) || vfe_efivar_read(r, names.v[i], EFI_GUID_GLOBAL, NULL, &d, &l) < 0)
			continue;
		num = (int)strtol(names.v[i] + 4, NULL, 16);
		used[num] = true;
		desc = vfe_loadopt_desc(d, l);
		if (desc_is_ours(desc) && *n < max)
			ours[(*n)++] = num;
	}
	strv_free(&names);
	for (int i = 0; i < 0x10000 && *free_num < 0; i++)
		if (!used[i])
			*free_num = i;
	return k;
}

/* The option for our recovery entry: the kernel on the ESP, "initrd=\\..." plus the recovery options. */
static int build(struct vfe_boot_ctx *ctx, char **ret_desc, uint8_t **opt, size_t *len)
{
	_cleanup_free_ char *rec = NULL, *abs = NULL;
	struct vfe_boot_source src;
	struct strbuf cl = { 0 };
	int k;

	if (vfe_boot_find_source(ctx, &src) < 0)
		return -ENOENT;
	k = vfe_recovery_cmdline(src.options ? src.options : "", &rec);
	for (size_t i = 0; k >= 0 && i < src.initrd.n; i++) {
		sb_puts(&cl, "initrd=");
		for (const char *p = src.initrd.v[i]; *p; p++)
			sb_putc(&cl, *p == '/' ? '\\' : *p);
		sb_putc(&cl, ' ');
	}
	if (k >= 0) {
		sb_puts(&cl, rec);
		abs = vfe_root_abspath(ctx->root, src.kernel);
		k = asprintf(ret_desc, "%s" EFI_NOPT_TITLE_SUFFIX, src.title ? src.title : "Linux") < 0 || !abs || !cl.s
			    ? -ENOMEM
			    : vfe_loadopt_build(abs, *ret_desc, cl.s, opt, len);
	}
	sb_free(&cl);
	vfe_boot_source_free(&src);
	return k;
}

static int write_option(struct vfe_boot_ctx *ctx, int num, const char *desc, const uint8_t *opt, size_t len)
{
	char name[16];
	int k;

	snprintf(name, sizeof(name), "Boot%04X", num);
	if (ctx->dry_run) {
		_cleanup_free_ char *cl = vfe_loadopt_cmdline(opt, len);
		sb_printf(ctx->out, "%s: would write EFI variable %s-%s (%zu bytes): \"%s\", command line \"%s\"\n",
			  WHO, name, EFI_GUID_GLOBAL, len, desc, cl ? cl : "");
		return 0;
	}
	k = vfe_efivar_write(ctx->root, name, EFI_GUID_GLOBAL, EFI_ATTR_NV_BS_RT, opt, len);
	if (k < 0)
		return log_error_errno(k, "%s: cannot write %s: %m (the firmware's variable store may be full)", WHO, name);
	sb_printf(ctx->out, "%s: wrote %s \"%s\" (read back); BootOrder unchanged\n", WHO, name, desc);
	return 0;
}

static int fw_install(struct vfe_boot_ctx *ctx)
{
	_cleanup_free_ uint8_t *opt = NULL, *old = NULL;
	_cleanup_free_ char *desc = NULL;
	int ours[8], free_num, k;
	size_t n, len, old_len;
	char name[16];

	k = build(ctx, &desc, &opt, &len);
	if (k == -ENOENT) {
		sb_printf(ctx->out, "%s: no kernel on the ESP to start directly (no systemd-boot or kernelstub entry); "
				    "no Boot#### entry\n", WHO);
		return 0;
	}
	/* The firmware entry is a second way back; the loader's own recovery entry, already written, is the first. */
	if (k < 0) {
		log_warning_errno(k, "%s: cannot build the load option (device path of the kernel): %m; no Boot#### "
				     "entry, the boot loader's recovery entry still works", WHO);
		return 0;
	}
	k = find_ours(ctx->root, ours, ELEMENTSOF(ours), &n, &free_num);
	if (k < 0)
		return log_error_errno(k, "%s: cannot list the EFI variables: %m", WHO);
	snprintf(name, sizeof(name), "Boot%04X", n ? ours[0] : free_num);
	if (n && vfe_efivar_read(ctx->root, name, EFI_GUID_GLOBAL, NULL, &old, &old_len) == 0 && old_len == len &&
	    !memcmp(old, opt, len)) {
		sb_printf(ctx->out, "%s: %s \"%s\" is up to date\n", WHO, name, desc);
		return 0;
	}
	return write_option(ctx, n ? ours[0] : free_num, desc, opt, len);
}

/* BootOrder without num; 1 when it was there. */
static int drop_from_order(struct vfe_boot_ctx *ctx, int num)
{
	_cleanup_free_ uint8_t *d = NULL;
	size_t l, o = 0;
	uint32_t attrs;

	if (vfe_efivar_read(ctx->root, "BootOrder", EFI_GUID_GLOBAL, &attrs, &d, &l) < 0)
		return 0;
	for (size_t i = 0; i + 1 < l; i += 2)
		if ((d[i] | d[i + 1] << 8) != num)
			d[o++] = d[i], d[o++] = d[i + 1];
	if (o == l)
		return 0;
	sb_printf(ctx->out, "%s: %s Boot%04X from BootOrder\n", WHO, ctx->dry_run ? "would drop" : "dropped", num);
	return ctx->dry_run ? 0 : vfe_efivar_write(ctx->root, "BootOrder", EFI_GUID_GLOBAL, attrs, d, o);
}

static int remove_one(struct vfe_boot_ctx *ctx, int num)
{
	uint64_t next;
	char name[16];
	int k = 0;

	snprintf(name, sizeof(name), "Boot%04X", num);
	if (vfe_efivar_read_uint(ctx->root, "BootNext", EFI_GUID_GLOBAL, &next) == 0 && (int)next == num) {
		sb_printf(ctx->out, "%s: %s BootNext\n", WHO, ctx->dry_run ? "would delete" : "deleted");
		k = ctx->dry_run ? 0 : vfe_efivar_delete(ctx->root, "BootNext", EFI_GUID_GLOBAL);
	}
	if (k >= 0)
		k = drop_from_order(ctx, num);
	if (k >= 0 && !ctx->dry_run)
		k = vfe_efivar_delete(ctx->root, name, EFI_GUID_GLOBAL);
	if (k < 0)
		return log_error_errno(k, "%s: cannot delete %s: %m", WHO, name);
	sb_printf(ctx->out, "%s: %s %s\n", WHO, ctx->dry_run ? "would delete" : "deleted", name);
	return 0;
}

static int fw_remove(struct vfe_boot_ctx *ctx)
{
	int ours[8], free_num, k;
	size_t n;

	k = find_ours(ctx->root, ours, ELEMENTSOF(ours), &n, &free_num);
	if (k < 0)
		return log_error_errno(k, "%s: cannot list the EFI variables: %m", WHO);
	if (!n)
		sb_printf(ctx->out, "%s: no Boot#### entry of ours; nothing to remove\n", WHO);
	for (size_t i = 0; k >= 0 && i < n; i++)
		k = remove_one(ctx, ours[i]);
	return k;
}

static int fw_recovery_next(struct vfe_boot_ctx *ctx)
{
	int ours[8], free_num, k;
	uint8_t v[2];
	size_t n;

	k = find_ours(ctx->root, ours, ELEMENTSOF(ours), &n, &free_num);
	if (k < 0 || !n)
		return log_error_errno(k < 0 ? k : -ENOENT, "%s: there is no '(no GPU passthrough)' Boot#### entry; run "
							    "'vfio-early boot install' first; nothing changed", WHO);
	v[0] = (uint8_t)ours[0];
	v[1] = (uint8_t)(ours[0] >> 8);
	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would set BootNext = %04X\n", WHO, ours[0]);
		return 0;
	}
	k = vfe_efivar_write(ctx->root, "BootNext", EFI_GUID_GLOBAL, EFI_ATTR_NV_BS_RT, v, 2);
	if (k < 0)
		return log_error_errno(k, "%s: cannot set BootNext: %m", WHO);
	sb_printf(ctx->out, "%s: set BootNext = %04X (read back): the next boot starts it, bypassing the boot loader\n",
		  WHO, ours[0]);
	return 0;
}

static void show_option(struct vfe_boot_ctx *ctx, const char *name, bool first)
{
	_cleanup_free_ uint8_t *d = NULL;
	_cleanup_free_ char *desc = NULL;
	size_t l;

	if (vfe_efivar_read(ctx->root, name, EFI_GUID_GLOBAL, NULL, &d, &l) < 0)
		return;
	desc = vfe_loadopt_desc(d, l);
	if (ctx->json) {
		sb_printf(ctx->out, "%s{\"name\":\"%s\",\"description\":", first ? "" : ",", name);
		sb_put_json_string(ctx->out, desc ? desc : "");
		sb_printf(ctx->out, ",\"ours\":%s}", desc_is_ours(desc) ? "true" : "false");
	} else {
		sb_printf(ctx->out, "  %s  %s%s\n", name, desc ? desc : "(malformed)", desc_is_ours(desc) ? "  [ours]" : "");
	}
}

static void show_vars(struct vfe_boot_ctx *ctx)
{
	_cleanup_free_ uint8_t *order = NULL;
	uint64_t cur, next;
	bool has_cur = vfe_efivar_read_uint(ctx->root, "BootCurrent", EFI_GUID_GLOBAL, &cur) == 0;
	bool has_next = vfe_efivar_read_uint(ctx->root, "BootNext", EFI_GUID_GLOBAL, &next) == 0;
	size_t l = 0;

	(void)vfe_efivar_read(ctx->root, "BootOrder", EFI_GUID_GLOBAL, NULL, &order, &l);
	if (ctx->json) {
		sb_printf(ctx->out, has_cur ? "\"BootCurrent\":\"%04X\"," : "\"BootCurrent\":null,", (unsigned)cur);
		sb_printf(ctx->out, has_next ? "\"BootNext\":\"%04X\",\"BootOrder\":[" : "\"BootNext\":null,\"BootOrder\":[",
			  (unsigned)next);
	} else {
		sb_printf(ctx->out, has_cur ? "  BootCurrent: %04X\n" : "  BootCurrent: none\n", (unsigned)cur);
		sb_printf(ctx->out, has_next ? "  BootNext: %04X\n  BootOrder:" : "  BootNext: none\n  BootOrder:",
			  (unsigned)next);
	}
	for (size_t i = 0; order && i + 1 < l; i += 2)
		sb_printf(ctx->out, ctx->json ? "%s\"%04X\"" : "%s%04X", ctx->json && i ? "," : " ",
			  order[i] | order[i + 1] << 8);
	sb_puts(ctx->out, ctx->json ? "]," : "\n");
}

static int fw_show(struct vfe_boot_ctx *ctx)
{
	struct strv names = { 0 };
	bool first = true;

	sb_puts(ctx->out, ctx->json ? "{\"name\":\"firmware\"," : "firmware (EFI boot manager):\n");
	show_vars(ctx);
	(void)vfe_efivar_list(ctx->root, EFI_GUID_GLOBAL, &names);
	sb_puts(ctx->out, ctx->json ? "\"options\":[" : "");
	for (size_t i = 0; i < names.n; i++)
		if (is_boot_name(names.v[i])) {
			show_option(ctx, names.v[i], first);
			first = false;
		}
	sb_puts(ctx->out, ctx->json ? "]}" : "");
	strv_free(&names);
	return 0;
}

static int fw_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret)
{
	int ours[8], free_num;
	uint64_t cur, next;
	size_t n = 0;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->loader, sizeof(ret->loader), WHO);
	(void)find_ours(ctx->root, ours, ELEMENTSOF(ours), &n, &free_num);
	if (vfe_efivar_read_uint(ctx->root, "BootCurrent", EFI_GUID_GLOBAL, &cur) == 0) {
		snprintf(ret->booted_entry, sizeof(ret->booted_entry), "Boot%04X", (unsigned)cur);
		ret->booted_recovery = n && (int)cur == ours[0];
	}
	if (vfe_efivar_read_uint(ctx->root, "BootNext", EFI_GUID_GLOBAL, &next) == 0)
		snprintf(ret->next_boot, sizeof(ret->next_boot), "once: Boot%04X (BootNext)%s", (unsigned)next,
			 n && (int)next == ours[0] ? ", no GPU passthrough" : "");
	else
		snprintf(ret->next_boot, sizeof(ret->next_boot), "BootOrder");
	if (n)
		snprintf(ret->recovery_health, sizeof(ret->recovery_health), "ok (Boot%04X)", ours[0]);
	else
		snprintf(ret->recovery_health, sizeof(ret->recovery_health), "missing: no Boot#### entry of ours");
	return 0;
}

static int fw_refresh(struct vfe_boot_ctx *ctx)
{
	int ours[8], free_num;
	size_t n = 0;

	if (find_ours(ctx->root, ours, ELEMENTSOF(ours), &n, &free_num) < 0 || !n)
		return 0;
	return fw_install(ctx);
}

const struct vfe_boot_backend vfe_backend_firmware = {
	.id = VFE_LOADER_FIRMWARE,
	.name = WHO,
	.flags = VFE_BACKEND_FIRMWARE_MENU,
	.detect = fw_detect,
	.show = fw_show,
	.install = fw_install,
	.remove = fw_remove,
	.recovery_next = fw_recovery_next,
	.status = fw_status,
	.refresh = fw_refresh,
};
