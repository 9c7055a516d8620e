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

/* The numbers of our Boot#### options, and the lowest number neither a Boot#### nor named in BootOrder. */
struct ours {
	int num[8];
	size_t n;
	int free_num;
};

/*
 * A number BootOrder names is taken even when its Boot#### is gone (a stale
 * entry another tool left): an option written there would join the boot
 * order at once, while we promise to leave the boot order alone.
 */
static void mark_boot_order(const struct vfe_root *r, bool *used)
{
	_cleanup_free_ uint8_t *d = NULL;
	size_t l = 0;

	if (vfe_efivar_read(r, "BootOrder", EFI_GUID_GLOBAL, NULL, &d, &l) < 0)
		return;
	for (size_t i = 0; i + 1 < l; i += 2)
		used[d[i] | d[i + 1] << 8] = true;
}

static int find_ours(const struct vfe_root *r, struct ours *o)
{
	_cleanup_(strv_freep) struct strv names = { 0 };
	bool used[0x10000 / 8 * 8] = { false };
	int k = vfe_efivar_list(r, EFI_GUID_GLOBAL, &names);

	*o = (struct ours){ .free_num = -1 };
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
		if (desc_is_ours(desc) && o->n < ELEMENTSOF(o->num))
			o->num[o->n++] = num;
	}
	mark_boot_order(r, used);
	for (int i = 0; i < 0x10000 && o->free_num < 0; i++)
		if (!used[i])
			o->free_num = i;
	return k;
}

/* The option for our recovery entry: the kernel on the ESP, "initrd=\\..." plus the recovery options. */
static int build(struct vfe_boot_ctx *ctx, char **ret_desc, uint8_t **opt, size_t *len)
{
	_cleanup_free_ char *rec = NULL, *abs = NULL, *desc = NULL;
	_cleanup_(vfe_boot_source_freep) struct vfe_boot_source src = { 0 };
	_cleanup_(sb_freep) struct strbuf cl = { 0 };
	int k;

	if (vfe_boot_find_source(ctx, &src) < 0)
		return -ENOENT;
	k = vfe_recovery_cmdline(src.options ? src.options : "", &rec);
	if (k < 0)
		return k;
	for (size_t i = 0; i < src.initrd.n; i++) {
		sb_puts(&cl, "initrd=");
		for (const char *p = src.initrd.v[i]; *p; p++)
			sb_putc(&cl, *p == '/' ? '\\' : *p);
		sb_putc(&cl, ' ');
	}
	sb_puts(&cl, rec);
	abs = vfe_root_abspath(ctx->root, src.kernel);
	if (asprintf(&desc, "%s" EFI_NOPT_TITLE_SUFFIX, src.title ? src.title : "Linux") < 0)
		desc = NULL;
	if (!desc || !abs || !cl.s)
		return -ENOMEM;
	k = vfe_loadopt_build(abs, desc, cl.s, opt, len);
	if (k >= 0)
		*ret_desc = TAKE_PTR(desc);
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
	struct ours o;
	size_t len, old_len;
	char name[16];
	int k, num;

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
	k = find_ours(ctx->root, &o);
	if (k < 0)
		return log_error_errno(k, "%s: cannot list the EFI variables: %m", WHO);
	num = o.n ? o.num[0] : o.free_num;
	snprintf(name, sizeof(name), "Boot%04X", num);
	if (o.n && vfe_efivar_read(ctx->root, name, EFI_GUID_GLOBAL, NULL, &old, &old_len) == 0 && old_len == len &&
	    !memcmp(old, opt, len)) {
		sb_printf(ctx->out, "%s: %s \"%s\" is up to date\n", WHO, name, desc);
		return 0;
	}
	return write_option(ctx, num, desc, opt, len);
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
	struct ours o;
	int k = find_ours(ctx->root, &o);

	if (k < 0)
		return log_error_errno(k, "%s: cannot list the EFI variables: %m", WHO);
	if (!o.n)
		sb_printf(ctx->out, "%s: no Boot#### entry of ours; nothing to remove\n", WHO);
	for (size_t i = 0; k >= 0 && i < o.n; i++)
		k = remove_one(ctx, o.num[i]);
	return k;
}

static int fw_recovery_next(struct vfe_boot_ctx *ctx)
{
	struct ours o;
	int k = find_ours(ctx->root, &o);
	uint8_t v[2];

	if (k < 0 || !o.n)
		return log_nothing_changed(k < 0 ? k : -ENOENT, WHO, "there is no '(no GPU passthrough)' Boot#### entry; "
					   "run 'vfio-early boot install' first");
	v[0] = (uint8_t)o.num[0];
	v[1] = (uint8_t)(o.num[0] >> 8);
	if (ctx->dry_run) {
		sb_printf(ctx->out, "%s: would set BootNext = %04X\n", WHO, o.num[0]);
		return 0;
	}
	k = vfe_efivar_write(ctx->root, "BootNext", EFI_GUID_GLOBAL, EFI_ATTR_NV_BS_RT, v, 2);
	if (k < 0)
		return log_error_errno(k, "%s: cannot set BootNext: %m", WHO);
	sb_printf(ctx->out, "%s: set BootNext = %04X (read back): the next boot starts it, bypassing the boot loader\n",
		  WHO, o.num[0]);
	return 0;
}

/* passthrough --next: a BootNext to our option is cancelled; any other BootNext is someone else's. */
static int fw_passthrough_next(struct vfe_boot_ctx *ctx)
{
	struct ours o;
	uint64_t next;
	int k = find_ours(ctx->root, &o);

	if (k < 0)
		return log_nothing_changed(k, WHO, "cannot list the EFI variables: %m");
	if (vfe_efivar_read_uint(ctx->root, "BootNext", EFI_GUID_GLOBAL, &next) < 0)
		return 0; /* nothing pending: say nothing, the boot loaders speak for the next boot */
	for (size_t i = 0; i < o.n; i++)
		if ((int)next == o.num[i]) {
			k = ctx->dry_run ? 0 : vfe_efivar_delete(ctx->root, "BootNext", EFI_GUID_GLOBAL);
			if (k < 0)
				return log_nothing_changed(k, WHO, "cannot delete BootNext: %m");
			sb_printf(ctx->out, "%s: %s BootNext (Boot%04X, ours): the pending one-shot is cancelled\n", WHO,
				  ctx->dry_run ? "would delete" : "deleted", o.num[i]);
			return 0;
		}
	sb_printf(ctx->out, "%s: BootNext = %04X is not ours; left alone\n", WHO, (unsigned)next);
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
		sb_puts(ctx->out, first ? "{" : ",{");
		sb_put_json_member(ctx->out, "id", name);
		sb_put_json_member(ctx->out, "title", desc ? desc : "");
		sb_printf(ctx->out, ",\"ours\":%s}", desc_is_ours(desc) ? "true" : "false");
	} else {
		sb_printf(ctx->out, "  %s  %s%s\n", name, desc ? desc : "(malformed)", desc_is_ours(desc) ? "  [ours]" : "");
	}
}

static int fw_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret);

static void show_vars(struct vfe_boot_ctx *ctx)
{
	_cleanup_free_ uint8_t *order = NULL;
	uint64_t cur, next;
	bool has_cur = vfe_efivar_read_uint(ctx->root, "BootCurrent", EFI_GUID_GLOBAL, &cur) == 0;
	bool has_next = vfe_efivar_read_uint(ctx->root, "BootNext", EFI_GUID_GLOBAL, &next) == 0;
	size_t l = 0;

	(void)vfe_efivar_read(ctx->root, "BootOrder", EFI_GUID_GLOBAL, NULL, &order, &l);
	if (ctx->json) {
		struct vfe_boot_status st;
		(void)fw_status(ctx, &st);
		sb_printf(ctx->out, has_cur ? "\"booted_entry\":\"Boot%04X\"," : "\"booted_entry\":null,", (unsigned)cur);
		if (order && l >= 2)
			sb_printf(ctx->out, "\"default_entry\":\"Boot%04X\",", order[0] | order[1] << 8);
		else
			sb_puts(ctx->out, "\"default_entry\":null,");
		sb_printf(ctx->out, has_next ? "\"oneshot_entry\":\"Boot%04X\"," : "\"oneshot_entry\":null,",
			  (unsigned)next);
		vfe_boot_json_recovery(ctx->out, st.recovery_health);
		sb_puts(ctx->out, ",\"boot_order\":[");
	} else {
		sb_printf(ctx->out, has_cur ? "  BootCurrent: %04X\n" : "  BootCurrent: none\n", (unsigned)cur);
		sb_printf(ctx->out, has_next ? "  BootNext: %04X\n  BootOrder:" : "  BootNext: none\n  BootOrder:",
			  (unsigned)next);
	}
	for (size_t i = 0; order && i + 1 < l; i += 2)
		sb_printf(ctx->out, ctx->json ? "%s\"Boot%04X\"" : "%s%04X", ctx->json && i ? "," : " ",
			  order[i] | order[i + 1] << 8);
	sb_puts(ctx->out, ctx->json ? "]," : "\n");
}

static int fw_show(struct vfe_boot_ctx *ctx)
{
	_cleanup_(strv_freep) struct strv names = { 0 };
	bool first = true;

	sb_puts(ctx->out, ctx->json ? "{\"loader\":\"firmware\"," : "firmware (EFI boot manager):\n");
	show_vars(ctx);
	(void)vfe_efivar_list(ctx->root, EFI_GUID_GLOBAL, &names);
	sb_puts(ctx->out, ctx->json ? "\"entries\":[" : "");
	for (size_t i = 0; i < names.n; i++)
		if (is_boot_name(names.v[i])) {
			show_option(ctx, names.v[i], first);
			first = false;
		}
	sb_puts(ctx->out, ctx->json ? "]}" : "");
	return 0;
}

static int fw_status(struct vfe_boot_ctx *ctx, struct vfe_boot_status *ret)
{
	struct ours o;
	uint64_t cur, next;

	*ret = (struct vfe_boot_status){ 0 };
	snprintf(ret->loader, sizeof(ret->loader), WHO);
	(void)find_ours(ctx->root, &o);
	if (vfe_efivar_read_uint(ctx->root, "BootCurrent", EFI_GUID_GLOBAL, &cur) == 0) {
		snprintf(ret->booted_entry, sizeof(ret->booted_entry), "Boot%04X", (unsigned)cur);
		ret->booted_recovery = o.n && (int)cur == o.num[0];
	}
	if (vfe_efivar_read_uint(ctx->root, "BootNext", EFI_GUID_GLOBAL, &next) == 0)
		snprintf(ret->next_boot, sizeof(ret->next_boot), "once: Boot%04X (BootNext)%s", (unsigned)next,
			 o.n && (int)next == o.num[0] ? ", no GPU passthrough" : "");
	else
		snprintf(ret->next_boot, sizeof(ret->next_boot), "BootOrder");
	if (o.n)
		snprintf(ret->recovery_health, sizeof(ret->recovery_health), "ok (Boot%04X)", o.num[0]);
	else
		snprintf(ret->recovery_health, sizeof(ret->recovery_health), "missing: no Boot#### entry of ours");
	return 0;
}

static int fw_refresh(struct vfe_boot_ctx *ctx)
{
	struct ours o;

	if (find_ours(ctx->root, &o) < 0 || !o.n)
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
	.passthrough_next = fw_passthrough_next,
	.status = fw_status,
	.refresh = fw_refresh,
};
