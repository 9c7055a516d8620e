// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <stdio.h>

#include "common/devspec.h"
#include "common/paths.h"
#include "early/load-watch.h"

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
	w->watching = !vfe_exists(pci->root, PATH_PCI_DRIVERS "/" VFIO_PCI_DRIVER);
}

void vfe_load_watch_end(struct vfe_load_watch *w, struct vfe_pci *pci, const struct vfe_plan *plan,
			struct strv *taken)
{
	DIR *dir;
	struct dirent *de;

	if (!w->watching)
		return;
	w->watching = false;
	/* the driver's directory: bind, unbind, new_id, ..., and a link per device it holds */
	dir = vfe_opendir(pci->root, PATH_PCI_DRIVERS "/" VFIO_PCI_DRIVER);
	while (dir && (de = readdir(dir))) {
		struct vfe_pci_addr a;
		struct vfe_dev *d;
		if (vfe_parse_pci_addr(de->d_name, &a) < 0 || !(d = vfe_pci_find(pci, &a)) || vfe_plan_binds(plan, d))
			continue;
		if (note_taken(pci, d, taken) < 0)
			break;
	}
	if (dir)
		closedir(dir);
}
