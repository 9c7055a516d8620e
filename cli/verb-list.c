// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early list: the devices worth passing through, their IOMMU groups, drivers and config state. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/pci-names.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "early/config.h"
#include "early/pci.h"

static bool is_candidate(const struct vfe_dev *d)
{
	unsigned base = d->class >> 8;

	return base == 0x03 || d->class == 0x0401 || d->class == 0x0403 || d->class == 0x0c03 || d->class == 0x0c80;
}

/* The config entry that names this device, or NULL. */
static const struct vfe_entry *configured(const struct vfe_config *c, const struct vfe_dev *d)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct vfe_entry *e = &c->entries[i];
		if (e->has_addr && !vfe_pci_addr_eq(&e->addr, &d->addr))
			continue;
		if (e->has_id && (e->id.vendor != d->id.vendor || e->id.device != d->id.device))
			continue;
		return e;
	}
	return NULL;
}

static void print_member(struct vfe_names *nm, const struct vfe_dev *m, const struct vfe_config *c)
{
	char name[256], cls[128];

	vfe_names_device(nm, m, name, sizeof(name));
	vfe_names_class(nm, m, cls, sizeof(cls));
	printf("      %s  %04x:%04x  %s%s%s  driver: %s%s\n", m->name, m->id.vendor, m->id.device, cls,
	       name[0] ? ": " : "", name, m->driver[0] ? m->driver : "none", configured(c, m) ? "  [configured]" : "");
}

static void print_text(const struct vfe_pci *pci, const struct vfe_config *c, struct vfe_names *nm)
{
	char name[256], cls[128];

	for (size_t i = 0; i < pci->n; i++) {
		const struct vfe_dev *d = &pci->devs[i];
		const struct vfe_entry *e;
		if (!is_candidate(d))
			continue;
		e = configured(c, d);
		vfe_names_device(nm, d, name, sizeof(name));
		vfe_names_class(nm, d, cls, sizeof(cls));
		printf("%s  %04x:%04x  %s%s%s\n", d->name, d->id.vendor, d->id.device, cls, name[0] ? ": " : "", name);
		printf("    driver: %s%s%s\n", d->driver[0] ? d->driver : "none", d->boot_vga ? "  boot VGA (host display)" : "",
		       e ? "  configured" : "");
		if (e)
			printf("    config: %s\n", e->source);
		if (d->group < 0) {
			printf("    IOMMU group: none (is the IOMMU on?)\n");
			continue;
		}
		printf("    IOMMU group %d:\n", d->group);
		for (size_t j = 0; j < pci->n; j++)
			if (pci->devs[j].group == d->group)
				print_member(nm, &pci->devs[j], c);
	}
}

static void json_dev(struct strbuf *sb, const struct vfe_pci *pci, const struct vfe_dev *d, const struct vfe_config *c,
		     struct vfe_names *nm)
{
	char name[256], cls[128];
	const struct vfe_entry *e = configured(c, d);
	bool first = true;

	vfe_names_device(nm, d, name, sizeof(name));
	vfe_names_class(nm, d, cls, sizeof(cls));
	sb_printf(sb, "{\"address\":\"%s\",\"id\":\"%04x:%04x\",\"class\":\"%04x\",\"class_name\":", d->name,
		  d->id.vendor, d->id.device, d->class);
	sb_put_json_string(sb, cls);
	sb_puts(sb, ",\"name\":");
	sb_put_json_string(sb, name);
	sb_puts(sb, ",\"driver\":");
	if (d->driver[0])
		sb_put_json_string(sb, d->driver);
	else
		sb_puts(sb, "null");
	sb_printf(sb, ",\"boot_vga\":%s,\"configured\":", d->boot_vga ? "true" : "false");
	if (e)
		sb_put_json_string(sb, e->source);
	else
		sb_puts(sb, "null");
	if (d->group < 0) {
		sb_puts(sb, ",\"iommu_group\":null,\"group_members\":[]}");
		return;
	}
	sb_printf(sb, ",\"iommu_group\":%d,\"group_members\":[", d->group);
	for (size_t j = 0; j < pci->n; j++) {
		if (pci->devs[j].group != d->group)
			continue;
		sb_printf(sb, "%s{\"address\":\"%s\",\"id\":\"%04x:%04x\",\"class\":\"%04x\",\"driver\":", first ? "" : ",",
			  pci->devs[j].name, pci->devs[j].id.vendor, pci->devs[j].id.device, pci->devs[j].class);
		first = false;
		if (pci->devs[j].driver[0])
			sb_put_json_string(sb, pci->devs[j].driver);
		else
			sb_puts(sb, "null");
		sb_putc(sb, '}');
	}
	sb_puts(sb, "]}");
}

static int print_json(const struct vfe_pci *pci, const struct vfe_config *c, struct vfe_names *nm)
{
	struct strbuf sb = { 0 };
	bool first = true;

	sb_puts(&sb, "{\"devices\":[");
	for (size_t i = 0; i < pci->n; i++) {
		if (!is_candidate(&pci->devs[i]))
			continue;
		if (!first)
			sb_putc(&sb, ',');
		first = false;
		json_dev(&sb, pci, &pci->devs[i], c, nm);
	}
	sb_puts(&sb, "]}\n");
	return cli_print(&sb);
}

int verb_list(struct vfe_cli *cli, int argc, char **argv)
{
	struct vfe_pci pci;
	struct vfe_config cfg = { 0 };
	struct vfe_names *nm;
	int k;

	k = cli_parse_verb_opts(cli, argc, argv, "list [--json]", false);
	if (k <= 0)
		return k;
	if (k < argc)
		return cli_usage_error("list [--json]");
	k = vfe_pci_scan(&cli->root, &pci);
	if (k < 0)
		return log_error_errno(k, "cannot enumerate PCI devices under %s/sys/bus/pci: %m", cli->root.path);
	vfe_pci_fill_all(&pci);
	(void)vfe_config_load(&cfg, &cli->root);
	nm = vfe_names_new(&cli->root);
	if (cli->json)
		k = print_json(&pci, &cfg, nm);
	else
		print_text(&pci, &cfg, nm), k = 0;
	vfe_names_free(nm);
	vfe_config_free(&cfg);
	vfe_pci_free(&pci);
	return k;
}
