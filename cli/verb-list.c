// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early list: the devices worth passing through, their IOMMU groups, drivers and config state. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/devices.h"
#include "cli/json.h"
#include "cli/pci-names.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "early/config.h"
#include "early/pci.h"

static const struct cli_help help = {
	.cmd = "list",
	.usage = "[-v] [--all] [--json]",
	.text = "The display, audio and USB controllers (every PCI function with --all), one line each:\n"
		"address, vendor:device id, IOMMU group, driver, and the name lspci gives it, marked\n"
		"[boot VGA] and [configured] (also a member of a group=whole entry's group).\n\n"
		"  -v, --verbose  the details: the config line, and every member of each IOMMU group\n"
		"  --all          every PCI function, bridges and storage too\n"
		"  --json         machine-readable (docs/json.md)\n",
};

struct list_opts {
	bool verbose, all;
};

struct list_ctx {
	const struct vfe_cli *cli;
	const struct vfe_pci *pci;
	const struct vfe_config *cfg;
	struct vfe_names *nm;
	struct list_opts o;
};

/* Display, audio (HDA, and the older multimedia audio class), USB and USB-C (UCSI) controllers. */
static bool is_candidate(const struct vfe_dev *d)
{
	unsigned base = d->class >> 8;

	return base == 0x03 || d->class == 0x0401 || d->class == 0x0403 || d->class == 0x0c03 || d->class == 0x0c80;
}

static bool listed(const struct list_ctx *c, const struct vfe_dev *d)
{
	return c->o.all || is_candidate(d);
}

/* "[boot VGA, configured]", or "" */
static void marks(const struct list_ctx *c, const struct vfe_dev *d, char *buf, size_t n)
{
	const struct vfe_dev *via;
	const struct vfe_entry *e = cli_entry_for(c->cfg, c->pci, d, &via);
	size_t l = 0;

	buf[0] = '\0';
	if (d->boot_vga)
		l += (size_t)snprintf(buf + l, n - l, "boot VGA");
	if (e && l < n)
		l += (size_t)snprintf(buf + l, n - l, "%sconfigured%s", l ? ", " : "", via ? " with its group" : "");
	if (buf[0] && l + 3 < n) {
		memmove(buf + 1, buf, l + 1);
		buf[0] = '[';
		strcat(buf, "]");
	}
}

static void print_compact(const struct list_ctx *c)
{
	char name[400], m[128], group[12];

	printf("%s%-12s  %-9s  %-5s  %-14s  %s%s\n", cli_color(c->cli, CLI_BOLD), "ADDRESS", "ID", "GROUP", "DRIVER",
	       "DEVICE", cli_color(c->cli, CLI_RESET));
	for (size_t i = 0; i < c->pci->n; i++) {
		const struct vfe_dev *d = &c->pci->devs[i];
		if (!listed(c, d))
			continue;
		vfe_names_lspci(c->nm, d, name, sizeof(name));
		marks(c, d, m, sizeof(m));
		snprintf(group, sizeof(group), d->group >= 0 ? "%d" : "none", d->group);
		printf("%-12s  %04x:%04x  %-5s  %-14s  %s%s%s\n", d->name, d->id.vendor, d->id.device, group,
		       d->driver[0] ? d->driver : "-", name, m[0] ? "  " : "", m);
	}
}

static void print_member(const struct list_ctx *c, const struct vfe_dev *m)
{
	char name[400], mk[128];

	vfe_names_lspci(c->nm, m, name, sizeof(name));
	marks(c, m, mk, sizeof(mk));
	printf("      %s  %04x:%04x  %s  driver: %s%s%s\n", m->name, m->id.vendor, m->id.device, name,
	       m->driver[0] ? m->driver : "none", mk[0] ? "  " : "", mk);
}

static void print_verbose(const struct list_ctx *c)
{
	char name[400], m[128];

	for (size_t i = 0; i < c->pci->n; i++) {
		const struct vfe_dev *d = &c->pci->devs[i], *via;
		const struct vfe_entry *e;
		if (!listed(c, d))
			continue;
		e = cli_entry_for(c->cfg, c->pci, d, &via);
		vfe_names_lspci(c->nm, d, name, sizeof(name));
		marks(c, d, m, sizeof(m));
		printf("%s%s%s  %04x:%04x  %s%s%s\n", cli_color(c->cli, CLI_BOLD), d->name, cli_color(c->cli, CLI_RESET),
		       d->id.vendor, d->id.device, name, m[0] ? "  " : "", m);
		printf("    driver: %s\n", d->driver[0] ? d->driver : "none");
		if (e)
			printf("    config: %s%s%s\n", e->source, via ? ", group=whole of " : "", via ? via->name : "");
		if (d->group < 0) {
			printf("    IOMMU group: none (is the IOMMU on? 'vfio-early check' tells)\n");
			continue;
		}
		printf("    IOMMU group %d:\n", d->group);
		for (size_t j = 0; j < c->pci->n; j++)
			if (c->pci->devs[j].group == d->group)
				print_member(c, &c->pci->devs[j]);
	}
}

/* The keys every device object has, listed or group member (docs/json.md). */
static void json_dev_keys(struct strbuf *sb, const struct list_ctx *c, const struct vfe_dev *d)
{
	char name[256], cls[128], id[VFE_ID_STRLEN], sub[VFE_ID_STRLEN], cl[8];
	const struct vfe_dev *via;
	const struct vfe_entry *e = cli_entry_for(c->cfg, c->pci, d, &via);

	vfe_names_device(c->nm, d, name, sizeof(name));
	vfe_names_class(c->nm, d, cls, sizeof(cls));
	vfe_format_pci_id(&d->id, id);
	vfe_format_pci_id(&d->subsys, sub);
	snprintf(cl, sizeof(cl), "%04x", d->class);
	sb_put_json_member(sb, "address", d->name);
	sb_put_json_member(sb, "id", id);
	sb_put_json_member(sb, "subsystem", d->has_subsys ? sub : NULL);
	sb_put_json_member(sb, "class", cl);
	sb_put_json_member(sb, "class_name", cls);
	sb_put_json_member(sb, "name", name);
	sb_put_json_member(sb, "driver", d->driver[0] ? d->driver : NULL);
	json_bool(sb, "boot_vga", d->boot_vga);
	json_int_or_null(sb, "iommu_group", d->group, d->group >= 0);
	json_bool(sb, "configured", e != NULL);
	sb_put_json_member(sb, "entry", e ? e->source : NULL);
	sb_put_json_member(sb, "via", via ? via->name : NULL);
}

static void json_dev(struct strbuf *sb, const struct list_ctx *c, const struct vfe_dev *d)
{
	sb_putc(sb, '{');
	json_dev_keys(sb, c, d);
	sb_puts(sb, ",\"group_members\":[");
	for (size_t j = 0; d->group >= 0 && j < c->pci->n; j++) {
		const struct vfe_dev *m = &c->pci->devs[j];
		if (m->group != d->group)
			continue;
		json_comma(sb);
		sb_putc(sb, '{');
		json_dev_keys(sb, c, m);
		sb_putc(sb, '}');
	}
	sb_puts(sb, "]}");
}

static int print_json(const struct list_ctx *c)
{
	struct strbuf sb = { 0 };

	json_begin(&sb);
	sb_puts(&sb, ",\"devices\":[");
	for (size_t i = 0; i < c->pci->n; i++) {
		if (!listed(c, &c->pci->devs[i]))
			continue;
		json_comma(&sb);
		json_dev(&sb, c, &c->pci->devs[i]);
	}
	sb_puts(&sb, "]}\n");
	return cli_print(&sb);
}

static int parse_opts(struct vfe_cli *cli, int argc, char **argv, struct list_opts *o)
{
	enum { ARG_ALL = 0x100 };
	static const struct option options[] = {
		{ "verbose", no_argument, NULL, 'v' }, { "all", no_argument, NULL, ARG_ALL },
		{ "json", no_argument, NULL, 'j' },    { "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = cli_getopt(argc, argv, "vh", options, &help)) > 0) {
		switch (c) {
		case 'v':
			o->verbose = true;
			break;
		case ARG_ALL:
			o->all = true;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'h':
			return cli_help(&help);
		}
	}
	return c < 0 ? c : cli_check_args(&help, argc, argv, optind, 0, 0);
}

int verb_list(struct vfe_cli *cli, int argc, char **argv)
{
	struct vfe_pci pci;
	struct vfe_config cfg = { 0 };
	struct list_ctx c = { .cli = cli, .pci = &pci, .cfg = &cfg };
	size_t shown = 0;
	int k;

	k = parse_opts(cli, argc, argv, &c.o);
	if (k <= 0)
		return k;
	k = vfe_pci_scan(&cli->root, &pci);
	if (k < 0)
		return log_error_errno(k, "cannot enumerate PCI devices under %s/sys/bus/pci: %m", cli->root.path);
	vfe_pci_fill_all(&pci);
	(void)vfe_config_load(&cfg, &cli->root);
	c.nm = vfe_names_new(&cli->root);
	for (size_t i = 0; i < pci.n; i++)
		shown += listed(&c, &pci.devs[i]);
	if (cli->json)
		k = print_json(&c);
	else if (!shown)
		printf("No display, audio or USB controller found%s. 'vfio-early list --all' lists every PCI function.\n",
		       c.o.all ? " (no PCI function at all)" : "");
	else if (c.o.verbose)
		print_verbose(&c);
	else
		print_compact(&c);
	vfe_names_free(c.nm);
	vfe_config_free(&cfg);
	vfe_pci_free(&pci);
	return k;
}
