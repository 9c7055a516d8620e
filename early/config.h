/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/devspec.h"
#include "common/root.h"
#include "common/strv.h"

enum vfe_group_mode {
	VFE_GROUP_FUNCTION, /* only the function the entry names */
	VFE_GROUP_WHOLE,    /* every endpoint of its IOMMU group (GPU + audio + USB-C) */
};

/* One member of an IOMMU group as `vfio-early add --group` saw it. */
struct vfe_member {
	struct vfe_pci_addr addr;
	struct vfe_pci_id id;
};

#define VFE_MEMBERS_MAX 32

/* One "device ..." line of the config, or one vfio_early.devices= item. */
struct vfe_entry {
	bool has_addr, has_id, has_subsys;
	struct vfe_pci_addr addr;
	struct vfe_pci_id id, subsys;
	enum vfe_group_mode group;
	/*
	 * group=whole, pinned: every member of the group when the entry was
	 * added (members=ADDR/ID,...). A member not listed here refuses the
	 * group at boot. 0: not pinned, the group as the kernel shows it.
	 */
	unsigned n_members;
	struct vfe_member members[VFE_MEMBERS_MAX];
	bool allow_boot_vga; /* may take the boot VGA, and leave the host with no display */
	bool allow_storage;  /* may take a storage controller (class 01) */
	char source[128];    /* "/etc/vfio-early.conf:3" or "kernel command line" */
};

/*
 * "fallback N" / "fallback off": after N passthrough boots in a row without
 * a confirmed host display, boot without passthrough by itself (see
 * docs/fallback.md). N is 1..VFE_FALLBACK_MAX; the default is
 * VFE_FALLBACK_DEFAULT.
 */
#define VFE_FALLBACK_DEFAULT 3
#define VFE_FALLBACK_MAX 9

struct vfe_config {
	struct vfe_entry *entries;
	size_t n;
	bool fallback_set;  /* a "fallback" line was read (the last one counts) */
	unsigned fallback;  /* its value; 0: off */
	struct strv problems; /* "file:line: what is wrong", one per skipped line */
	struct strv files;    /* the files read, in order */
};

#define VFE_CONFIG_MAX_SIZE (1024 * 1024)

/*
 * Parses one config file's text (modified in place). A bad line becomes a
 * problem and is skipped; only -ENOMEM fails the call.
 */
int vfe_config_parse(struct vfe_config *c, const char *name, char *text);

/* Reads /etc/vfio-early.conf, then /etc/vfio-early.d/ *.conf in name order. */
int vfe_config_load(struct vfe_config *c, const struct vfe_root *r);

/* Adds an entry for one MATCH (an address or vendor:device) from source. */
int vfe_config_add_match(struct vfe_config *c, const char *match, const char *source);

/* The automatic fallback's N: the config's "fallback" value, else the default; 0 when off. */
unsigned vfe_config_fallback(const struct vfe_config *c);

/* The recorded member at address a, NULL when the entry does not list one there. */
const struct vfe_member *vfe_entry_member(const struct vfe_entry *e, const struct vfe_pci_addr *a);

/* The entry as a config line ("device 0000:05:00.0 id=1234:1111 group=whole members=..."), malloc'd. */
char *vfe_entry_format(const struct vfe_entry *e);

void vfe_config_free(struct vfe_config *c);
