/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * A PCI function address, "DDDD:BB:DD.F" (five domain digits behind a VMD);
 * the domain may be left out ("BB:DD.F" = domain 0).
 */
struct vfe_pci_addr {
	uint32_t domain;
	uint8_t bus, dev, func;
};

/* A vendor:device pair, each exactly four hex digits, as lspci -n prints them. */
struct vfe_pci_id {
	uint16_t vendor, device;
};

#define VFE_ADDR_STRLEN 16 /* "0000:00:00.0", room for a 5-digit VMD domain */
#define VFE_ID_STRLEN sizeof("0000:0000")

int vfe_parse_pci_addr(const char *s, struct vfe_pci_addr *ret);
int vfe_parse_pci_id(const char *s, struct vfe_pci_id *ret);
void vfe_format_pci_addr(const struct vfe_pci_addr *a, char buf[VFE_ADDR_STRLEN]);
void vfe_format_pci_id(const struct vfe_pci_id *id, char buf[VFE_ID_STRLEN]);
bool vfe_pci_addr_eq(const struct vfe_pci_addr *a, const struct vfe_pci_addr *b);
