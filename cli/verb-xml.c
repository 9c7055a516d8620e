// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early xml [DEVICE]: libvirt <hostdev> elements for the devices the
 * guest gets (the configured ones, or DEVICE; always every endpoint of
 * their IOMMU groups), the equivalent QEMU -device arguments, and for
 * NVIDIA cards the <hyperv>/<kvm> hints that keep Windows' driver from
 * stopping with Code 43.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/config.h"
#include "early/host-driver.h"
#include "early/pci.h"
#include "early/plan.h"

struct pick {
	const struct vfe_dev **d;
	size_t n;
};

static int pick_add(struct pick *p, const struct vfe_dev *d)
{
	const struct vfe_dev **n;

	for (size_t i = 0; i < p->n; i++)
		if (p->d[i] == d)
			return 0;
	n = realloc(p->d, (p->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->d = n;
	p->d[p->n++] = d;
	return 0;
}

/* d and every other endpoint of its IOMMU group: the guest must get the whole group. */
static int pick_with_group(struct pick *p, const struct vfe_pci *pci, const struct vfe_dev *d)
{
	struct vfe_dev **m = NULL;
	int n, k = 0;

	if (vfe_dev_is_bridge(d))
		return 0;
	if (d->group < 0)
		return pick_add(p, d);
	n = vfe_pci_group_members(pci, d->group, &m);
	if (n < 0)
		return pick_add(p, d);
	for (int j = 0; j < n && k >= 0; j++)
		if (!vfe_dev_is_bridge(m[j]))
			k = pick_add(p, m[j]);
	free(m);
	return k;
}

static int pick_device(struct pick *p, const struct vfe_pci *pci, const char *spec)
{
	struct vfe_pci_addr a;
	struct vfe_pci_id id;
	int k = 0, found = 0;

	if (vfe_parse_pci_addr(spec, &a) == 0) {
		struct vfe_dev *d = vfe_pci_find(pci, &a);
		if (!d)
			return log_error_errno(-ENODEV, "no PCI device at %s: see 'vfio-early list'", spec);
		return pick_with_group(p, pci, d);
	}
	if (vfe_parse_pci_id(spec, &id) < 0)
		return log_error_errno(-EINVAL, "'%s' is neither a PCI address (0000:05:00.0) nor an id (10de:2684)", spec);
	for (size_t i = 0; i < pci->n && k >= 0; i++)
		if (pci->devs[i].id.vendor == id.vendor && pci->devs[i].id.device == id.device)
			found++, k = pick_with_group(p, pci, &pci->devs[i]);
	if (k >= 0 && !found)
		return log_error_errno(-ENODEV, "no PCI device with id %s: see 'vfio-early list'", spec);
	return k;
}

/* The config's targets that pass the guards, and whatever is on vfio-pci now. */
static int pick_configured(struct pick *p, const struct vfe_pci *pci, const struct vfe_root *r)
{
	struct vfe_config cfg = { 0 };
	struct vfe_plan plan = { 0 };
	struct vfe_host_drivers *hosts = NULL;
	struct vfe_plan_ops ops;
	int k;

	(void)vfe_config_load(&cfg, r);
	(void)vfe_host_drivers_new(r, NULL, &hosts);
	ops = vfe_host_drivers_ops(hosts);
	k = vfe_plan_build(pci, cfg.entries, cfg.n, true, &ops, &plan);
	vfe_host_drivers_free(hosts);
	for (size_t i = 0; k >= 0 && i < plan.n; i++)
		if (plan.t[i].dev && plan.t[i].action == VFE_ACT_BIND)
			k = pick_with_group(p, pci, plan.t[i].dev);
	for (size_t i = 0; k >= 0 && i < pci->n; i++)
		if (streq(pci->devs[i].driver, VFIO_PCI_DRIVER))
			k = pick_with_group(p, pci, &pci->devs[i]);
	vfe_plan_free(&plan);
	vfe_config_free(&cfg);
	if (k >= 0 && p->n == 0)
		return log_error_errno(-ENODEV, "no configured device passes the guards and none is on vfio-pci: "
				       "see 'vfio-early check', or name one: vfio-early xml 0000:05:00.0");
	return k;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct vfe_dev *x = *(const struct vfe_dev *const *)a, *y = *(const struct vfe_dev *const *)b;

	return strcmp(x->name, y->name);
}

static bool is_nvidia_gpu(const struct vfe_dev *d)
{
	return d->id.vendor == 0x10de && (d->class == 0x0300 || d->class == 0x0302);
}

static void print_xml(const struct pick *p)
{
	bool nvidia = false;

	for (size_t i = 0; i < p->n; i++) {
		const struct vfe_dev *d = p->d[i];
		nvidia = nvidia || is_nvidia_gpu(d);
		printf("<!-- %s %04x:%04x class %04x, IOMMU group %d -->\n", d->name, d->id.vendor, d->id.device, d->class,
		       d->group);
		printf("<hostdev mode='subsystem' type='pci' managed='yes'>\n  <source>\n"
		       "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
		       "  </source>\n</hostdev>\n", d->addr.domain, d->addr.bus, d->addr.dev, d->addr.func);
	}
	if (nvidia)
		printf("<!-- NVIDIA GPU: inside <features>, so the Windows driver does not stop with Code 43 -->\n"
		       "<hyperv>\n  <vendor_id state='on' value='0123456789ab'/>\n</hyperv>\n"
		       "<kvm>\n  <hidden state='on'/>\n</kvm>\n");
}

static void print_qemu(const struct pick *p)
{
	bool nvidia = false;

	for (size_t i = 0; i < p->n; i++) {
		nvidia = nvidia || is_nvidia_gpu(p->d[i]);
		printf("-device vfio-pci,host=%s%s\n", p->d[i]->name, i + 1 < p->n ? " \\" : "");
	}
	if (nvidia)
		printf("# NVIDIA GPU: add to -cpu: kvm=off,hv_vendor_id=0123456789ab\n");
}

#define XML_USAGE "xml [--xml|--qemu] [DEVICE]"

/* optind (>= 1), 0 after printing the help, -CLI_EUSAGE after printing the usage. */
static int parse_opts(int argc, char **argv, bool *xml, bool *qemu)
{
	static const struct option options[] = {
		{ "xml", no_argument, NULL, 'x' }, { "qemu", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' }, {},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		if (c == 'x')
			*qemu = false;
		else if (c == 'q')
			*xml = false;
		else if (c == 'h')
			return printf("Usage: vfio-early %s\n", XML_USAGE), 0;
		else
			return cli_usage_error(XML_USAGE);
	}
	return optind;
}

int verb_xml(struct vfe_cli *cli, int argc, char **argv)
{
	struct vfe_pci pci;
	struct pick p = { 0 };
	bool xml = true, qemu = true;
	int k = parse_opts(argc, argv, &xml, &qemu);

	if (k <= 0)
		return k;
	if (argc - k > 1 || (!xml && !qemu))
		return cli_usage_error(XML_USAGE);
	int s = vfe_pci_scan(&cli->root, &pci);
	if (s < 0)
		return log_error_errno(s, "cannot scan /%s: %m", PATH_PCI_DEVICES);
	vfe_pci_fill_all(&pci);
	s = k < argc ? pick_device(&p, &pci, argv[k]) : pick_configured(&p, &pci, &cli->root);
	if (s >= 0) {
		qsort(p.d, p.n, sizeof(*p.d), cmp_dev);
		if (xml)
			print_xml(&p);
		if (xml && qemu)
			printf("\n<!-- the same for a QEMU command line:\n");
		if (qemu)
			print_qemu(&p);
		if (xml && qemu)
			printf("-->\n");
	}
	free(p.d);
	vfe_pci_free(&pci);
	return s < 0 ? s : 0;
}
