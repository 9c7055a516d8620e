// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>
#include <stdio.h>

#include "common/devspec.h"
#include "common/hex.h"

/* Exactly n hex digits at s; returns the value or -1. */
static long hex_field(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

int vfe_parse_pci_addr(const char *s, struct vfe_pci_addr *ret)
{
	const char *p = s;
	long dom = 0, bus, dev, fn;
	size_t len = strlen(s);

	if (len == 12 || len == 13) { /* the kernel writes the domain with %04x: five digits behind a VMD */
		if (s[len - 8] != ':')
			return -EINVAL;
		dom = hex_field(s, len - 8);
		p = s + len - 7;
	} else if (len != 7) {
		return -EINVAL;
	}
	if (p[2] != ':' || p[5] != '.')
		return -EINVAL;
	bus = hex_field(p, 2);
	dev = hex_field(p + 3, 2);
	fn = hex_field(p + 6, 1);
	if (dom < 0 || bus < 0 || dev < 0 || dev > 0x1f || fn < 0 || fn > 7)
		return -EINVAL;
	*ret = (struct vfe_pci_addr){ .domain = (uint32_t)dom, .bus = (uint8_t)bus, .dev = (uint8_t)dev, .func = (uint8_t)fn };
	return 0;
}

int vfe_parse_pci_id(const char *s, struct vfe_pci_id *ret)
{
	long v, d;

	if (strlen(s) != 9 || s[4] != ':')
		return -EINVAL;
	v = hex_field(s, 4);
	d = hex_field(s + 5, 4);
	if (v < 0 || d < 0)
		return -EINVAL;
	ret->vendor = (uint16_t)v;
	ret->device = (uint16_t)d;
	return 0;
}

void vfe_format_pci_addr(const struct vfe_pci_addr *a, char buf[VFE_ADDR_STRLEN])
{
	snprintf(buf, VFE_ADDR_STRLEN, "%04x:%02x:%02x.%x", (unsigned)a->domain, a->bus, a->dev, a->func);
}

void vfe_format_pci_id(const struct vfe_pci_id *id, char buf[VFE_ID_STRLEN])
{
	snprintf(buf, VFE_ID_STRLEN, "%04x:%04x", id->vendor, id->device);
}

bool vfe_pci_addr_eq(const struct vfe_pci_addr *a, const struct vfe_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->func == b->func;
}
