// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include <pci/pci.h>

#include "cli/pci-names.h"
#include "common/paths.h"

struct vfe_names {
	struct pci_access *pa;
	char *path;
};

static void quiet(char *msg _unused_, ...)
{
}

struct vfe_names *vfe_names_new(const struct vfe_root *r)
{
	struct vfe_names *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = vfe_root_abspath(r, PATH_PCI_IDS);
	n->pa = pci_alloc();
	if (!n->path || !n->pa) {
		vfe_names_free(n);
		return NULL;
	}
	n->pa->warning = quiet;
	n->pa->debug = quiet;
	pci_set_param(n->pa, "hwdb.disable", "1");
	pci_set_name_list_path(n->pa, n->path, 0);
	return n;
}

void vfe_names_free(struct vfe_names *n)
{
	if (!n)
		return;
	if (n->pa)
		pci_cleanup(n->pa);
	free(n->path);
	free(n);
}

/* libpci formats what pci.ids lacks with numbers, the way lspci prints it (it asks the same way). */
void vfe_names_device(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size)
{
	char tmp[256];

	if (n && pci_lookup_name(n->pa, tmp, sizeof(tmp), PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, d->id.vendor,
				 d->id.device))
		snprintf(buf, size, "%s", tmp);
	else
		snprintf(buf, size, "Device %04x:%04x", d->id.vendor, d->id.device);
}

void vfe_names_class(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size)
{
	char tmp[128];

	if (n && pci_lookup_name(n->pa, tmp, sizeof(tmp), PCI_LOOKUP_CLASS, d->class))
		snprintf(buf, size, "%s", tmp);
	else
		snprintf(buf, size, "Class %04x", d->class);
}

void vfe_names_lspci(struct vfe_names *n, const struct vfe_dev *d, char *buf, size_t size)
{
	char cls[128], name[256];

	vfe_names_class(n, d, cls, sizeof(cls));
	vfe_names_device(n, d, name, sizeof(name));
	snprintf(buf, size, "%s: %s", cls, name);
}
