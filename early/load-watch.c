// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "common/paths.h"
#include "early/load-watch.h"

typedef char driver_name[VFE_DRIVER_MAX];

/* Every function's driver now, as a malloc'd array parallel to pci->devs ("" for none). */
static driver_name *read_drivers(const struct vfe_pci *pci)
{
	driver_name *v = calloc(pci->n + 1, sizeof(*v));

	for (size_t i = 0; v && i < pci->n; i++)
		if (vfe_readlink_base(pci->root, v[i], sizeof(v[i]), PATH_PCI_DEVICES "/%s/driver", pci->devs[i].name) < 0)
			v[i][0] = '\0';
	return v;
}

static int note_taken(struct vfe_load_watch *w, struct vfe_dev *d)
{
	vfe_pci_fill(w->pci, d);
	return strv_pushf(&w->taken, "vfio-pci took %s (%04x:%04x%s) as it loaded, though no entry asks for it: "
			  "an ids= option (modprobe.d, vfio-pci.ids=) or a driver_override set outside vfio-early? "
			  "'vfio-early check' names it", d->name, d->id.vendor, d->id.device,
			  d->boot_vga ? ", the boot VGA" : "");
}

int vfe_load_watch_load(void *userdata, const char *name)
{
	struct vfe_load_watch *w = userdata;
	_cleanup_free_ driver_name *before = NULL, *after = NULL;
	int k;

	if (!w->load.load_module)
		return -ENOENT;
	before = read_drivers(w->pci);
	k = w->load.load_module(w->load.userdata, name);
	after = before ? read_drivers(w->pci) : NULL;
	for (size_t i = 0; after && i < w->pci->n; i++) {
		struct vfe_dev *d = &w->pci->devs[i];
		if (streq(after[i], VFIO_PCI_DRIVER) && !streq(before[i], VFIO_PCI_DRIVER) && !vfe_plan_binds(w->plan, d) &&
		    note_taken(w, d) < 0)
			break;
	}
	return k;
}

void vfe_load_watch_free(struct vfe_load_watch *w)
{
	strv_free(&w->taken);
}
