// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "cli/devices.h"
#include "common/log.h"

/* One hex field of 1..max digits, the whole of [s, end); -1 when it is not one. */
static long hex_span(const char *s, const char *end, size_t max)
{
	long v = 0;

	if (end <= s || (size_t)(end - s) > max)
		return -1;
	for (; s < end; s++) {
		int c = *s;
		int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (x < 0)
			return -1;
		v = v * 16 + x;
	}
	return v;
}

/* [[domain:]bus:]device.function, as lspci -s takes and prints them (bus and device required here). */
static int parse_addr(const char *s, struct vfe_pci_addr *ret)
{
	const char *dot = strrchr(s, '.'), *c2, *c1;
	long dom = 0, bus, dev, fn;

	if (!dot)
		return -EINVAL;
	c2 = memrchr(s, ':', (size_t)(dot - s));
	if (!c2)
		return -EINVAL;
	c1 = memrchr(s, ':', (size_t)(c2 - s));
	if (c1)
		dom = hex_span(s, c1, 5);
	bus = hex_span(c1 ? c1 + 1 : s, c2, 2);
	dev = hex_span(c2 + 1, dot, 2);
	fn = hex_span(dot + 1, dot + strlen(dot), 1);
	if (dom < 0 || bus < 0 || dev < 0 || dev > 0x1f || fn < 0 || fn > 7)
		return -EINVAL;
	*ret = (struct vfe_pci_addr){ .domain = (uint32_t)dom, .bus = (uint8_t)bus, .dev = (uint8_t)dev, .func = (uint8_t)fn };
	return 0;
}

int cli_devarg_parse(const char *s, struct cli_devarg *ret)
{
	*ret = (struct cli_devarg){ .arg = s };
	if (parse_addr(s, &ret->addr) == 0) {
		ret->is_addr = true;
		vfe_format_pci_addr(&ret->addr, ret->canon);
		return 0;
	}
	if (vfe_parse_pci_id(s, &ret->id) == 0) {
		vfe_format_pci_id(&ret->id, ret->canon);
		return 0;
	}
	if (!strchr(s, '.') && strchr(s, ':') && strlen(s) < 9)
		log_error("'%s' names no function: add it, as lspci prints it (%s.0), or give the vendor:device id", s, s);
	else
		log_error("'%s' is neither a PCI address (0000:01:00.0, 01:00.0 or 1:0.0) nor a vendor:device id "
			  "(10de:2684); 'vfio-early list' shows both", s);
	return -EINVAL;
}

int cli_devarg_find(const struct cli_devarg *a, const struct vfe_pci *pci, const struct vfe_dev **devs)
{
	int n = 0;

	for (size_t i = 0; i < pci->n; i++) {
		const struct vfe_dev *d = &pci->devs[i];
		if (a->is_addr ? vfe_pci_addr_eq(&d->addr, &a->addr)
			       : d->id.vendor == a->id.vendor && d->id.device == a->id.device)
			devs[n++] = d;
	}
	if (n == 0)
		return log_error_errno(-ENODEV, "no PCI device %s %s; 'vfio-early list' shows the candidates",
				       a->is_addr ? "at" : "with id", a->canon);
	return n;
}

bool cli_entry_names(const struct vfe_entry *e, const struct vfe_dev *d)
{
	if (e->has_addr && !vfe_pci_addr_eq(&e->addr, &d->addr))
		return false;
	if (e->has_id && (e->id.vendor != d->id.vendor || e->id.device != d->id.device))
		return false;
	if (e->has_subsys && (!d->has_subsys || e->subsys.vendor != d->subsys.vendor ||
			      e->subsys.device != d->subsys.device))
		return false;
	return e->has_addr || e->has_id;
}

const struct vfe_entry *cli_entry_for(const struct vfe_config *c, const struct vfe_pci *pci, const struct vfe_dev *d,
				      const struct vfe_dev **via)
{
	*via = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (cli_entry_names(&c->entries[i], d))
			return &c->entries[i];
	if (d->group < 0 || vfe_dev_is_bridge(d))
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		const struct vfe_entry *e = &c->entries[i];
		if (e->group != VFE_GROUP_WHOLE)
			continue;
		for (size_t j = 0; j < pci->n; j++) {
			const struct vfe_dev *m = &pci->devs[j];
			if (m != d && m->group == d->group && cli_entry_names(e, m)) {
				*via = m;
				return e;
			}
		}
	}
	return NULL;
}
