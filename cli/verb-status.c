// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early status: this boot's mode and why, and each device's fate.
 * Works unprivileged. Its exit status answers "are my devices ready?" for
 * scripts, like systemctl's (cli/cli.h, vfio-early(8)).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "cli/pci-names.h"
#include "common/kcmdline.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/strbuf.h"
#include "early/config.h"
#include "early/status.h"
#include "efi/boot.h"

#define MAX_LOADERS 8

static const struct cli_help help = {
	.cmd = "status",
	.usage = "[--json]",
	.text = "This boot's mode (passthrough or recovery) and what chose it, each configured device\n"
		"with its IOMMU group, what the binder did and why, and its driver now; the boot loaders'\n"
		"recovery entries and what the next boot does, and the automatic fallback: how many\n"
		"unconfirmed passthrough boots are left, or why this recovery boot fell back.\n"
		"Works without privileges.\n\n"
		"  --json  machine-readable (docs/json.md)\n\n"
		"Exit status: 0 every configured device is on vfio-pci as configured; 3 one is not (refused,\n"
		"failed, skipped, rebound since, added since boot) or the record lists problems; 4 a\n"
		"recovery boot (vfio_early=off); 5 the binder did not run this boot; 1 the record cannot be read.\n",
};

/* The answer, from best to worst; the exit status and the JSON "state". */
enum state { ST_OK, ST_DEGRADED, ST_RECOVERY, ST_NOT_RUN, ST_ERROR };

static const char *const state_names[] = {
	[ST_OK] = "ok", [ST_DEGRADED] = "degraded", [ST_RECOVERY] = "recovery", [ST_NOT_RUN] = "not_run", [ST_ERROR] = "error",
};

struct dev_view {
	char driver_now[64]; /* "" when none */
	bool gone;           /* no such device now */
	char name[400];      /* as lspci names it, "" when it is gone */
	bool as_configured;  /* on vfio-pci now */
};

struct status_view {
	struct vfe_status st;
	struct dev_view *dv;      /* one per st.devs[] */
	struct vfe_boot_status boot[MAX_LOADERS]; /* one per boot loader found */
	bool in_use[MAX_LOADERS];                 /* ... and whether it started this boot */
	size_t n_boot;
	int st_err;               /* why there is no record (negative errno), 0 when there is */
	struct vfe_config cfg;    /* the config as it is now */
	size_t n_unrecorded;      /* config entries the record does not have */
	bool cmdline_off;         /* the running kernel's command line turns passthrough off */
	char off_reason[VFE_KSWITCH_REASON_MAX]; /* ... with this parameter */
	enum state state;
};

static void driver_now(const struct vfe_cli *cli, const char *bdf, struct dev_view *dv)
{
	int k = vfe_readlink_base(&cli->root, dv->driver_now, sizeof(dv->driver_now), PATH_PCI_DEVICES "/%s/driver", bdf);

	if (k == -ENOENT && !vfe_exists(&cli->root, PATH_PCI_DEVICES "/%s", bdf))
		dv->gone = true;
	if (k < 0)
		dv->driver_now[0] = '\0';
}

/* Asks every boot loader in use which entry this boot came from and what the next one does. */
static void load_boot(struct vfe_cli *cli, struct status_view *v)
{
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = &cli->root, .out = &out, .fallback = vfe_config_fallback(&v->cfg) };
	struct vfe_booted booted;
	int saved = log_get_max_level();

	/* a loader that is absent or unreadable is simply not reported here; 'boot show' says why */
	log_set_max_level(LOG_CRIT);
	vfe_boot_booted(&cli->root, &booted);
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
		v->in_use[v->n_boot] = vfe_boot_in_use(b, &booted);
		v->n_boot++;
	}
	log_set_max_level(saved);
	sb_free(&out);
}

static bool entry_in_record(const struct vfe_status *st, const struct vfe_entry *e)
{
	for (size_t i = 0; i < st->n_devs; i++)
		if (streq(st->devs[i].entry, e->source))
			return true;
	return false;
}

/* Each recorded device's state now, and its name as lspci gives it (the scan is of the running system). */
static int load_devices(struct vfe_cli *cli, struct status_view *v)
{
	struct vfe_names *nm = vfe_names_new(&cli->root);

	v->dv = calloc(v->st.n_devs + 1, sizeof(*v->dv));
	if (!v->dv) {
		vfe_names_free(nm);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->st.n_devs; i++) {
		const struct vfe_status_dev *d = &v->st.devs[i];
		struct dev_view *dv = &v->dv[i];
		struct vfe_dev dev = { .class = d->class };
		if (!d->bdf[0]) {
			dv->gone = true;
			continue;
		}
		driver_now(cli, d->bdf, dv);
		dv->as_configured = streq(dv->driver_now, VFIO_PCI_DRIVER);
		if (!dv->gone && vfe_parse_pci_id(d->id, &dev.id) == 0)
			vfe_names_lspci(nm, &dev, dv->name, sizeof(dv->name));
	}
	vfe_names_free(nm);
	return 0;
}

static enum state judge(const struct status_view *v)
{
	if (v->st_err == -ENOENT)
		return ST_NOT_RUN;
	if (v->st_err < 0)
		return ST_ERROR;
	if (streq(v->st.mode, "recovery"))
		return ST_RECOVERY;
	if (v->n_unrecorded || v->st.problems.n)
		return ST_DEGRADED;
	for (size_t i = 0; i < v->st.n_devs; i++)
		if (!v->dv[i].as_configured)
			return ST_DEGRADED;
	return ST_OK;
}

static int load_view(struct vfe_cli *cli, struct status_view *v)
{
	v->st_err = vfe_status_read(&cli->root, &v->st);
	(void)vfe_config_load(&v->cfg, &cli->root);
	for (size_t i = 0; i < v->cfg.n; i++)
		v->n_unrecorded += v->st_err < 0 || !entry_in_record(&v->st, &v->cfg.entries[i]);
	v->cmdline_off = vfe_kcmdline_booted_off(&cli->root, v->off_reason, sizeof(v->off_reason));
	if (v->st_err == 0 && load_devices(cli, v) < 0)
		return log_error_errno(-ENOMEM, "out of memory");
	load_boot(cli, v);
	v->state = judge(v);
	return 0;
}

/* Is this recovery boot the automatic fallback's (docs/fallback.md)? */
static bool fell_back(const struct status_view *v)
{
	if (v->st_err == 0 && startswith(v->st.reason, "automatic fallback"))
		return true;
	for (size_t i = 0; i < v->n_boot; i++)
		if (v->in_use[i] && v->boot[i].fallback.state == VFE_FALLBACK_FALLEN)
			return v->st_err < 0 || streq(v->st.mode, "recovery") || v->cmdline_off;
	return false;
}

static void print_boot(const struct status_view *v)
{
	for (size_t i = 0; i < v->n_boot; i++) {
		const struct vfe_boot_status *b = &v->boot[i];
		char fb[512];
		printf("\nBoot loader: %s\n", b->loader);
		if (b->booted_entry[0])
			printf("  This boot:       %s%s\n", b->booted_entry, b->booted_recovery ? " (the no-passthrough entry)" : "");
		if (b->next_boot[0])
			printf("  Next boot:       %s\n", b->next_boot);
		if (b->recovery_health[0])
			printf("  Recovery entry:  %s\n", b->recovery_health);
		if (b->fallback.state != VFE_FALLBACK_NONE) {
			vfe_fallback_describe(&b->fallback, fb, sizeof(fb));
			printf("  Fallback:        %s\n", fb);
		}
	}
}

static void print_missing_record(const struct status_view *v)
{
	if (v->st_err == -ENOENT)
		printf("The binder did not run this boot (no /%s).\n"
		       "  Is vfio-early in the initramfs? 'vfio-early check' tells; then run\n"
		       "  'sudo update-initramfs -u' (or 'sudo dracut -f') and reboot.\n", PATH_STATUS);
	else
		printf("The status record /%s cannot be read: %s.\n", PATH_STATUS, strerror(-v->st_err));
}

static enum cli_color action_color(enum vfe_action a)
{
	return a == VFE_ACT_BOUND || a == VFE_ACT_ALREADY ? CLI_GREEN : a == VFE_ACT_SKIP ? CLI_YELLOW : CLI_RED;
}

static void print_device(const struct vfe_cli *cli, const struct vfe_status_dev *d, const struct dev_view *dv)
{
	char group[16] = "-", action[32];

	if (d->group >= 0)
		snprintf(group, sizeof(group), "%d", d->group);
	/* a device added after boot (hotplug, SR-IOV, Thunderbolt): "bound late" */
	snprintf(action, sizeof(action), "%s%s", vfe_action_name(d->action), d->late ? " late" : "");
	printf("  %-12s  %-9s  group %-3s  %s%-13s%s  driver now: %s\n", d->bdf[0] ? d->bdf : "-", d->id[0] ? d->id : "-",
	       group, cli_color(cli, action_color(d->action)), action, cli_color(cli, CLI_RESET),
	       dv->gone && d->bdf[0] ? "(device gone)" : dv->driver_now[0] ? dv->driver_now : "none");
	if (dv->name[0])
		printf("      %s\n", dv->name);
	printf("      %s: %s%s", d->entry, d->late ? "added after boot; " : "", d->reason);
	if (d->before[0] && (d->action == VFE_ACT_BOUND || d->action == VFE_ACT_FAILED || d->action == VFE_ACT_TIMEOUT))
		printf("; had %s before", d->before);
	printf("\n");
	if ((d->action == VFE_ACT_BOUND || d->action == VFE_ACT_ALREADY) && !dv->as_configured && !dv->gone)
		printf("      no longer on vfio-pci: something rebound it after boot ('sudo dmesg | grep %s')\n", d->bdf);
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
					: "\nNot in this boot's record (added after boot? run 'sudo update-initramfs -u' and reboot):\n");
		header = true;
		printf("  %s\n", v->cfg.entries[i].source);
	}
}

/* One line that says what the exit status says. */
static void print_summary(const struct vfe_cli *cli, const struct status_view *v)
{
	size_t bad = 0;

	for (size_t i = 0; v->st_err == 0 && i < v->st.n_devs; i++)
		bad += !v->dv[i].as_configured;
	switch (v->state) {
	case ST_OK:
		printf("\n%sState:   ok%s, every configured device is on vfio-pci\n", cli_color(cli, CLI_GREEN),
		       cli_color(cli, CLI_RESET));
		break;
	case ST_DEGRADED:
		printf("\n%sState:   degraded%s: %zu device%s not on vfio-pci, %zu entr%s not in this boot's record, "
		       "%zu problem%s\n", cli_color(cli, CLI_RED), cli_color(cli, CLI_RESET), bad, bad == 1 ? "" : "s",
		       v->n_unrecorded, v->n_unrecorded == 1 ? "y" : "ies", v->st.problems.n, v->st.problems.n == 1 ? "" : "s");
		break;
	case ST_RECOVERY:
		printf("\n%sState:   recovery%s: passthrough is off for this boot, nothing was bound\n",
		       cli_color(cli, CLI_YELLOW), cli_color(cli, CLI_RESET));
		break;
	case ST_NOT_RUN:
	case ST_ERROR:
		break; /* print_missing_record() said it */
	}
}

static void print_text(const struct vfe_cli *cli, const struct status_view *v)
{
	const struct vfe_status *st = &v->st;

	if (v->st_err < 0) {
		print_missing_record(v);
	} else {
		if (fell_back(v))
			printf("Mode:    recovery: " VFE_FALLBACK_REASON "\n"
			       "         every configured device keeps its own driver. To return: fix the host display and run\n"
			       "         'vfio-early confirm', or run 'vfio-early boot passthrough --default'\n",
			       vfe_config_fallback(&v->cfg));
		else
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
			print_device(cli, &st->devs[i], &v->dv[i]);
	}
	print_unrecorded(v);
	if (v->cmdline_off && (v->st_err < 0 || !streq(st->mode, "recovery")))
		printf("\nThe kernel command line has %s\n", v->off_reason);
	print_boot(v);
	print_summary(cli, v);
}

/* "already-bound" -> "already_bound": JSON values are snake_case */
static void json_enum(struct strbuf *sb, const char *key, const char *value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%s", value);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
	sb_put_json_member(sb, key, buf);
}

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

static void json_device(struct strbuf *sb, const struct vfe_status_dev *d, const struct dev_view *dv)
{
	char cls[8];

	snprintf(cls, sizeof(cls), "%04x", d->class);
	sb_putc(sb, '{');
	sb_put_json_member(sb, "address", or_null(d->bdf));
	sb_put_json_member(sb, "id", or_null(d->id));
	sb_put_json_member(sb, "subsystem", or_null(d->subsys));
	sb_put_json_member(sb, "class", d->bdf[0] ? cls : NULL);
	sb_put_json_member(sb, "name", or_null(dv->name));
	json_int_or_null(sb, "iommu_group", d->group, d->group >= 0);
	sb_put_json_member(sb, "entry", or_null(d->entry));
	sb_put_json_member(sb, "via", or_null(d->via));
	json_enum(sb, "action", vfe_action_name(d->action));
	json_bool(sb, "late", d->late);
	sb_put_json_member(sb, "driver_before", or_null(d->before));
	sb_put_json_member(sb, "driver_now", or_null(dv->driver_now));
	json_bool(sb, "present", !dv->gone);
	json_bool(sb, "as_configured", dv->as_configured);
	sb_put_json_member(sb, "reason", or_null(d->reason));
	sb_putc(sb, '}');
}

static void json_record(struct strbuf *sb, const struct status_view *v)
{
	const struct vfe_status *st = &v->st;
	bool have = v->st_err == 0;

	sb_put_json_member(sb, "mode", have ? st->mode : NULL);
	sb_put_json_member(sb, "reason", have ? or_null(st->reason) : NULL);
	json_bool_or_null(sb, "iommu", st->iommu, have);
	sb_puts(sb, ",\"binder\":{");
	json_bool(sb, "ran", have);
	/* false: the record is the one written before binding, and the binder never came back */
	json_bool_or_null(sb, "finished", !streq(st->state, "binding"), have);
	json_int_or_null(sb, "elapsed_us", (long long)st->elapsed_us, have);
	json_int_or_null(sb, "cpu_us", (long long)st->cpu_us, have);
	json_int_or_null(sb, "started_us", (long long)st->started_us, have);
	json_int_or_null(sb, "finished_us", (long long)st->finished_us, have);
	sb_put_json_member(sb, "error", have ? NULL : v->st_err == -ENOENT ? "no_record" : strerror(-v->st_err));
	sb_puts(sb, "}");
	sb_put_json_member(sb, "vfio_pci_ids", have ? or_null(st->vfio_pci_ids) : NULL);
	sb_puts(sb, ",\"problems\":[");
	for (size_t i = 0; have && i < st->problems.n; i++) {
		json_comma(sb);
		sb_put_json_string(sb, st->problems.v[i]);
	}
	sb_puts(sb, "],\"devices\":[");
	for (size_t i = 0; have && i < st->n_devs; i++) {
		json_comma(sb);
		json_device(sb, &st->devs[i], &v->dv[i]);
	}
	sb_puts(sb, "]");
}

static int print_json(const struct status_view *v)
{
	struct strbuf sb = { 0 };

	json_begin(&sb);
	sb_put_json_member(&sb, "state", state_names[v->state]);
	json_record(&sb, v);
	json_bool(&sb, "cmdline_off", v->cmdline_off);
	sb_put_json_member(&sb, "cmdline_off_by", v->cmdline_off ? or_null(v->off_reason) : NULL);
	sb_printf(&sb, ",\"automatic_fallback\":{\"boots\":%u", vfe_config_fallback(&v->cfg));
	json_bool(&sb, "fell_back", fell_back(v));
	sb_puts(&sb, "},\"not_in_record\":[");
	for (size_t i = 0; i < v->cfg.n; i++) {
		if (v->st_err == 0 && entry_in_record(&v->st, &v->cfg.entries[i]))
			continue;
		json_comma(&sb);
		sb_put_json_string(&sb, v->cfg.entries[i].source);
	}
	sb_puts(&sb, "],\"boot\":[");
	for (size_t i = 0; i < v->n_boot; i++) {
		const struct vfe_boot_status *b = &v->boot[i];
		json_comma(&sb);
		sb_putc(&sb, '{');
		sb_put_json_member(&sb, "loader", b->loader);
		sb_put_json_member(&sb, "booted_entry", or_null(b->booted_entry));
		json_bool(&sb, "booted_recovery", b->booted_recovery);
		sb_put_json_member(&sb, "next_boot", or_null(b->next_boot));
		vfe_boot_json_recovery(&sb, b->recovery_health);
		json_bool(&sb, "in_use", v->in_use[i]);
		sb_puts(&sb, ",\"fallback\":");
		vfe_fallback_json(&sb, &b->fallback);
		sb_putc(&sb, '}');
	}
	sb_puts(&sb, "]}\n");
	return cli_print(&sb);
}

static int exit_for(enum state s)
{
	static const int codes[] = {
		[ST_OK] = 0, [ST_DEGRADED] = CLI_STATUS_DEGRADED, [ST_RECOVERY] = CLI_STATUS_RECOVERY,
		[ST_NOT_RUN] = CLI_STATUS_NOT_RUN, [ST_ERROR] = CLI_REPORT_FAILED,
	};
	return codes[s];
}

int verb_status(struct vfe_cli *cli, int argc, char **argv)
{
	struct status_view v = { 0 };
	int k;

	k = cli_parse_verb_opts(cli, argc, argv, &help, CLI_OPT_JSON, 0, 0);
	if (k <= 0)
		return k;
	k = load_view(cli, &v);
	if (k >= 0) {
		if (cli->json)
			k = print_json(&v);
		else
			print_text(cli, &v), k = 0;
	}
	if (k >= 0 && v.state == ST_ERROR)
		log_error("cannot read the status record /%s: %s", PATH_STATUS, strerror(-v.st_err));
	if (k >= 0)
		k = exit_for(v.state);
	free(v.dv);
	vfe_status_free(&v.st);
	vfe_config_free(&v.cfg);
	return k;
}
