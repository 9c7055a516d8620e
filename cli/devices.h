/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/devspec.h"
#include "early/config.h"
#include "early/pci.h"

/*
 * DEVICE arguments and the config's view of a device, for the verbs.
 * A DEVICE is a PCI address in any of lspci's forms ("0000:01:00.0",
 * "01:00.0", "1:0.0": the domain may be left out, leading zeros too) or a
 * vendor:device id ("10de:2684").
 */
struct cli_devarg {
	const char *arg;  /* as given */
	bool is_addr;
	struct vfe_pci_addr addr;
	struct vfe_pci_id id;
	char canon[VFE_ADDR_STRLEN]; /* "0000:01:00.0" or "10de:2684", as the config writes it */
};

/* 0, or -EINVAL (logged, naming the argument and the forms it may take). */
int cli_devarg_parse(const char *s, struct cli_devarg *ret);

/*
 * The devices it names, into devs (room for pci->n): the one at the
 * address, or every device with the id. Logs and returns -ENODEV when there
 * is none; otherwise how many.
 */
int cli_devarg_find(const struct cli_devarg *a, const struct vfe_pci *pci, const struct vfe_dev **devs);

/* Does entry e name d itself (its address, its ids), as the binder matches? */
bool cli_entry_names(const struct vfe_entry *e, const struct vfe_dev *d);

/*
 * The entry that passes d through: the first one naming it, else a
 * group=whole one naming another member of its IOMMU group (*via is then
 * that member, else NULL). NULL when no entry takes d.
 */
const struct vfe_entry *cli_entry_for(const struct vfe_config *c, const struct vfe_pci *pci, const struct vfe_dev *d,
				      const struct vfe_dev **via);
