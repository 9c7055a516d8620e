// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early status: this boot's mode and why, and each device's fate. Works unprivileged. */
#include <stdio.h>

#include "cli/cli.h"
#include "common/kcmdline.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/strbuf.h"
#include "early/config.h"
#include "early/status.h"
#include "efi/boot.h"

#define MAX_LOADERS 8

struct status_view {
	struct vfe_status st;
	struct vfe_boot_status boot[MAX_LOADERS]; /* one per boot loader in use */
	size_t n_boot;
	int st_err;              /* why there is no record (negative errno), 0 when there is */
	struct vfe_config cfg;   /* the config as it is now */
	bool cmdline_off;        /* the running kernel's command line turns passthrough off */
	char off_reason[VFE_KSWITCH_REASON_MAX]; /* ... with this parameter */
};

static void driver_now(const struct vfe_cli *cli, const char *bdf, char *buf, size_t n)
{
	int k = vfe_readlink_base(&cli->root, buf, n, PATH_PCI_DEVICES "/%s/driver", bdf);

	if (k == -ENOENT && !vfe_exists(&cli->root, PATH_PCI_DEVICES "/%s", bdf))
		snprintf(buf, n, "(device gone)");
	else if (k < 0)
		buf[0] = '\0';
}

/* Asks every boot loader in use which entry this boot came from and what the next one does. */
static void load_boot(struct vfe_cli *cli, struct status_view *v)
{
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = &cli->root, .out = &out };
	int saved = log_get_max_level();

	/* a loader that is absent or unreadable is simply not reported here; 'boot show' says why */
	log_set_max_level(LOG_CRIT);
	for (size_t i = 0; vfe_boot_backends[i] && v->n_boot < MAX_LOADERS; i++) {
		const struct vfe_boot_backend *b = vfe_boot_backends[i];
		struct vfe_boot_status *bs = &v->boot[v->n_boot];
		if (!b->detect || !b->status || b->detect(&ctx) <= 0)
			continue;
		*bs = (struct vfe_boot_status){ 0 };
		if (b->status(&ctx, bs) < 0)
			continue;
		if (!bs->loader[0])
			snprintf(bs->loader, sizeof(bs->loader), "%s", b->name);
		v->n_boot++;
	}
	log_set_max_level(saved);
	sb_free(&out);
}

static void load_view(struct vfe_cli *cli, struct status_view *v)
{
	v->st_err = vfe_status_read(&cli->root, &v->st);
	(void)vfe_config_load(&v->cfg, &cli->root);
	v->cmdline_off = vfe_kcmdline_booted_off(&cli->root, v->off_reason, sizeof(v->off_reason));
	load_boot(cli, v);
}

static void print_boot(const struct status_view *v)
{
	for (size_t i = 0; i < v->n_boot; i++) {
		const struct vfe_boot_status *b = &v->boot[i];
		printf("\nBoot loader: %s\n", b->loader);
		if (b->booted_entry[0])
			printf("  This boot:       %s%s\n", b->booted_entry, b->booted_recovery ? " (the no-passthrough entry)" : "");
		if (b->next_boot[0])
			printf("  Next boot:       %s\n", b->next_boot);
		if (b->recovery_health[0])
			printf("  Recovery entry:  %s\n", b->recovery_health);
	}
}

static bool entry_in_record(const struct vfe_status *st, const struct vfe_entry *e)
{
	for (size_t i = 0; i < st->n_devs; i++)
		if (streq(st->devs[i].entry, e->source))
			return true;
	return false;
}

static void print_missing_record(const struct status_view *v)
{
	if (v->st_err == -ENOENT)
		printf("The binder did not run this boot (no /%s).\n"
		       "  Is vfio-early in the initramfs? Check 'vfio-early list', then run\n"
		       "  'update-initramfs -u' (or 'dracut -f') and reboot.\n", PATH_STATUS);
	else
		printf("The status record /%s cannot be read: %s.\n", PATH_STATUS, strerror(-v->st_err));
}

static void print_device(const struct vfe_cli *cli, const struct vfe_status_dev *d)
{
	char now[64] = "", group[16] = "-", action[32];

	if (d->bdf[0])
		driver_now(cli, d->bdf, now, sizeof(now));
	if (d->group >= 0)
		snprintf(group, sizeof(group), "%d", d->group);
	snprintf(action, sizeof(action), "%s%s", vfe_action_name(d->action), d->late ? " late" : "");
	printf("  %-12s  %-9s  group %-3s  %-13s  driver now: %s\n", d->bdf[0] ? d->bdf : "-", d->id[0] ? d->id : "-",
	       group, action, now[0] ? now : "none");
	printf("      %s: %s%s", d->entry, d->late ? "added after boot; " : "", d->reason);
	if (d->before[0] && (d->action == VFE_ACT_BOUND || d->action == VFE_ACT_FAILED || d->action == VFE_ACT_TIMEOUT))
		printf("; had %s before", d->before);
	printf("\n");
}

/* Config entries the binder did not act on this boot, and why not. */
static void print_unrecorded(const struct status_view *v)
{
	bool recovery = v->st_err == 0 && streq(v->st.mode, "recovery");
	bool header = false;

	for (size_t i = 0; v->st_err == 0 && i < v->cfg.n; i++) {
		if (entry_in_record(&v->st, &v->cfg.entries[i]))
			continue;
		if (!header)
			printf(recovery ? "\nNot bound, this is a recovery boot:\n"
					: "\nNot in this boot's record (added after boot? run update-initramfs -u and reboot):\n");
		header = true;
		printf("  %s\n", v->cfg.entries[i].source);
	}
}

static void print_text(const struct vfe_cli *cli, const struct status_view *v)
{
	const struct vfe_status *st = &v->st;

	if (v->st_err < 0) {
		print_missing_record(v);
	} else {
		printf("Mode:    %s (%s)\n", st->mode, st->reason);
		printf("IOMMU:   %s\n", st->iommu ? "active" : "not active");
		if (streq(st->state, "binding"))
			printf("Binder:  did not finish: this is the record it wrote before binding (see the kernel log)\n");
		else
			printf("Binder:  %llu us at boot (%llu us CPU)\n", (unsigned long long)st->elapsed_us,
			       (unsigned long long)st->cpu_us);
		if (st->vfio_pci_ids[0])
			printf("Note:    vfio-pci.ids=%s is also on the kernel command line; vfio-pci binds those "
			       "ids by itself, whatever the guards say\n", st->vfio_pci_ids);
		for (size_t i = 0; i < st->problems.n; i++)
			printf("Problem: %s\n", st->problems.v[i]);
		if (st->n_devs)
			printf("\nDevices:\n");
		for (size_t i = 0; i < st->n_devs; i++)
			print_device(cli, &st->devs[i]);
	}
	print_unrecorded(v);
	if (v->cmdline_off && (v->st_err < 0 || !streq(st->mode, "recovery")))
		printf("\nThe kernel command line has %s\n", v->off_reason);
	print_boot(v);
}

static void json_kv_str(struct strbuf *sb, const char *k, const char *v, bool comma)
{
	sb_put_json_string(sb, k);
	sb_putc(sb, ':');
	if (v && *v)
		sb_put_json_string(sb, v);
	else
		sb_puts(sb, "null");
	if (comma)
		sb_putc(sb, ',');
}

static void json_device(const struct vfe_cli *cli, struct strbuf *sb, const struct vfe_status_dev *d)
{
	char now[64] = "", cls[8];

	if (d->bdf[0])
		driver_now(cli, d->bdf, now, sizeof(now));
	snprintf(cls, sizeof(cls), "%04x", d->class);
	sb_putc(sb, '{');
	json_kv_str(sb, "address", d->bdf, true);
	json_kv_str(sb, "id", d->id, true);
	json_kv_str(sb, "subsystem", d->subsys, true);
	json_kv_str(sb, "class", d->bdf[0] ? cls : NULL, true);
	if (d->group >= 0)
		sb_printf(sb, "\"iommu_group\":%d,", d->group);
	else
		sb_puts(sb, "\"iommu_group\":null,");
	json_kv_str(sb, "entry", d->entry, true);
	json_kv_str(sb, "via", d->via, true);
	json_kv_str(sb, "action", vfe_action_name(d->action), true);
	sb_printf(sb, "\"late\":%s,", d->late ? "true" : "false");
	json_kv_str(sb, "driver_before", d->before, true);
	json_kv_str(sb, "driver_now", now, true);
	json_kv_str(sb, "reason", d->reason, false);
	sb_putc(sb, '}');
}

static void json_record(const struct vfe_cli *cli, struct strbuf *sb, const struct vfe_status *st)
{
	json_kv_str(sb, "mode", st->mode, true);
	json_kv_str(sb, "reason", st->reason, true);
	sb_printf(sb, "\"iommu\":%s,\"binder\":{\"ran\":true,\"finished\":%s,\"elapsed_us\":%llu,\"cpu_us\":%llu,"
		  "\"started_us\":%llu,\"finished_us\":%llu},", st->iommu ? "true" : "false",
		  streq(st->state, "binding") ? "false" : "true",
		  (unsigned long long)st->elapsed_us, (unsigned long long)st->cpu_us,
		  (unsigned long long)st->started_us, (unsigned long long)st->finished_us);
	json_kv_str(sb, "vfio_pci_ids", st->vfio_pci_ids, true);
	sb_puts(sb, "\"problems\":[");
	for (size_t i = 0; i < st->problems.n; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_put_json_string(sb, st->problems.v[i]);
	}
	sb_puts(sb, "],\"devices\":[");
	for (size_t i = 0; i < st->n_devs; i++) {
		if (i)
			sb_putc(sb, ',');
		json_device(cli, sb, &st->devs[i]);
	}
	sb_puts(sb, "]");
}

static int print_json(const struct vfe_cli *cli, const struct status_view *v)
{
	struct strbuf sb = { 0 };
	bool first = true;

	sb_putc(&sb, '{');
	if (v->st_err < 0)
		sb_printf(&sb, "\"mode\":null,\"binder\":{\"ran\":false,\"error\":\"%s\"},\"devices\":[]",
			  v->st_err == -ENOENT ? "no status record" : strerror(-v->st_err));
	else
		json_record(cli, &sb, &v->st);
	sb_printf(&sb, ",\"cmdline_off\":%s,\"not_in_record\":[", v->cmdline_off ? "true" : "false");
	for (size_t i = 0; i < v->cfg.n; i++) {
		if (v->st_err == 0 && entry_in_record(&v->st, &v->cfg.entries[i]))
			continue;
		if (!first)
			sb_putc(&sb, ',');
		first = false;
		sb_put_json_string(&sb, v->cfg.entries[i].source);
	}
	sb_puts(&sb, "],\"boot\":[");
	for (size_t i = 0; i < v->n_boot; i++) {
		const struct vfe_boot_status *b = &v->boot[i];
		sb_puts(&sb, i ? ",{" : "{");
		json_kv_str(&sb, "loader", b->loader, true);
		json_kv_str(&sb, "booted_entry", b->booted_entry, true);
		sb_printf(&sb, "\"booted_recovery\":%s,", b->booted_recovery ? "true" : "false");
		json_kv_str(&sb, "next_boot", b->next_boot, true);
		json_kv_str(&sb, "recovery_entry", b->recovery_health, false);
		sb_putc(&sb, '}');
	}
	sb_puts(&sb, "]}\n");
	return cli_print(&sb);
}

int verb_status(struct vfe_cli *cli, int argc, char **argv)
{
	struct status_view v = { 0 };
	int k;

	k = cli_parse_verb_opts(cli, argc, argv, "status [--json]", false);
	if (k <= 0)
		return k;
	if (k < argc)
		return cli_usage_error("status [--json]");
	load_view(cli, &v);
	if (cli->json)
		k = print_json(cli, &v);
	else
		print_text(cli, &v), k = 0;
	vfe_status_free(&v.st);
	vfe_config_free(&v.cfg);
	return k;
}
