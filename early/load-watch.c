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

static int note_taken(struct vfe_pci *pci, struct vfe_dev *d, struct strv *taken)
{
	vfe_pci_fill(pci, d);
	return strv_pushf(taken, "vfio-pci took %s (%04x:%04x%s) as it loaded, though no entry asks for it: "
			  "an ids= option (modprobe.d, vfio-pci.ids=) or a driver_override set outside vfio-early? "
			  "'vfio-early check' names it", d->name, d->id.vendor, d->id.device,
			  d->boot_vga ? ", the boot VGA" : "");
}

void vfe_load_watch_begin(struct vfe_load_watch *w, const struct vfe_pci *pci)
{
	w->before = vfe_exists(pci->root, PATH_PCI_DRIVERS "/" VFIO_PCI_DRIVER) ? NULL : read_drivers(pci);
}

void vfe_load_watch_end(struct vfe_load_watch *w, struct vfe_pci *pci, const struct vfe_plan *plan,
			struct strv *taken)
{
	_cleanup_free_ driver_name *before = TAKE_PTR(w->before), *after = NULL;

	if (!before || !taken)
		return;
	after = read_drivers(pci);
	for (size_t i = 0; after && i < pci->n; i++) {
		struct vfe_dev *d = &pci->devs[i];
		if (streq(after[i], VFIO_PCI_DRIVER) && !streq(before[i], VFIO_PCI_DRIVER) && !vfe_plan_binds(plan, d) &&
		    note_taken(pci, d, taken) < 0)
			break;
	}
}
