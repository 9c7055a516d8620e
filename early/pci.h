/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/devspec.h"
#include "common/root.h"

#define VFE_DRIVER_MAX 64

/* One PCI function as the kernel shows it in sysfs. */
struct vfe_dev {
	struct vfe_pci_addr addr;
	char name[VFE_ADDR_STRLEN]; /* "0000:05:00.0" */
	struct vfe_pci_id id, subsys;
	bool has_subsys;
	uint16_t class; /* base class << 8 | subclass, e.g. 0x0300 VGA */
	uint8_t prog_if; /* programming interface: with the ids and class, all of the modalias */
	/* Valid once vfe_pci_fill() ran on the device (filled == true): */
	bool filled;
	int group;      /* IOMMU group number, -1 when there is none */
	bool boot_vga;
	char driver[VFE_DRIVER_MAX]; /* "" when no driver is bound */
};

struct vfe_pci {
	const struct vfe_root *root;
	struct vfe_dev *devs; /* sorted by address */
	size_t n;
};

/*
 * Enumerates <root>/sys/bus/pci/devices (one readdir) and reads each
 * function's ids and class from its one modalias file. Everything else is
 * read on demand by vfe_pci_fill(): at boot only the configured functions
 * and their IOMMU groups are looked at closer, so the cost is one small
 * read per function.
 * A function that vanishes or cannot be read during the scan is left out;
 * only a missing bus fails.
 */
int vfe_pci_scan(const struct vfe_root *r, struct vfe_pci *ret);
void vfe_pci_free(struct vfe_pci *p);

/* Reads the IOMMU group, the bound driver and boot_vga of one function (once). */
void vfe_pci_fill(const struct vfe_pci *p, struct vfe_dev *d);
void vfe_pci_fill_all(struct vfe_pci *p);

struct vfe_dev *vfe_pci_find(const struct vfe_pci *p, const struct vfe_pci_addr *a);

/*
 * The functions of one IOMMU group (from sys/kernel/iommu_groups/N/devices),
 * filled; *ret is malloc'd. Returns the count or a negative errno.
 */
int vfe_pci_group_members(const struct vfe_pci *p, int group, struct vfe_dev ***ret);

/* Parses "pci:vXXXXXXXXdXXXXXXXXsvXXXXXXXXsdXXXXXXXXbcXXscXXiXX" into ids, class and interface. */
int vfe_parse_modalias(const char *s, struct vfe_dev *d);
/* The modalias again, as the kernel writes it (sysfs modalias, uevent MODALIAS). */
#define VFE_MODALIAS_LEN 53 /* strlen of the above */
#define VFE_MODALIAS_MAX 64
void vfe_format_modalias(const struct vfe_dev *d, char buf[VFE_MODALIAS_MAX]);

static inline bool vfe_dev_is_bridge(const struct vfe_dev *d)
{
	return (d->class >> 8) == 0x06;
}
/*
 * A PCI-to-PCI (or CardBus) bridge, header type 1: the only class-06
 * functions that never hold a driver a VM's group could mind except
 * pcieport (the others, host, ISA/LPC and "other" bridges, are endpoints
 * with drivers such as lpc_ich).
 */
static inline bool vfe_dev_is_pci_bridge(const struct vfe_dev *d)
{
	return d->class == 0x0604 || d->class == 0x0607 || d->class == 0x0609;
}
static inline bool vfe_dev_is_display(const struct vfe_dev *d)
{
	return (d->class >> 8) == 0x03;
}
static inline bool vfe_dev_is_storage(const struct vfe_dev *d)
{
	return (d->class >> 8) == 0x01;
}

/* True when some IOMMU is registered (<root>/sys/class/iommu is not empty). */
bool vfe_iommu_active(const struct vfe_root *r);
