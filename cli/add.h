/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/pci-names.h"
#include "early/config.h"
#include "early/pci.h"
#include "early/protect.h"

/*
 * vfio-early add, in three files: cli/verb-add.c decides what becomes of
 * each device (guards, the IOMMU group, an entry already there) and calls
 * the other two: cli/add-write.c writes it into the config files,
 * cli/add-warn.c says what the binder will still refuse or the host will
 * miss.
 */
enum group_choice { GROUP_UNSET, GROUP_WHOLE, GROUP_FUNCTION };

struct add_opts {
	enum group_choice group;
	bool allow_boot_vga, allow_storage;
};

/* One device of the call and what becomes of it. */
struct add_item {
	const struct vfe_dev *d;
	const struct vfe_entry *old; /* the entry naming it already, NULL when none */
	const struct vfe_dev *via;   /* a group=whole entry of another member covers it already */
	struct vfe_entry e;          /* the entry to write (new or changed) */
	bool write;                  /* nothing to do when false */
};

struct add_ctx {
	struct vfe_cli *cli;
	struct vfe_pci pci;
	struct vfe_config cfg;
	struct vfe_protected prot; /* the functions on the path to the running system (check/system-paths.h) */
	struct vfe_names *nm;
	struct add_opts o;
	struct add_item *items;
	size_t n;
};

/* Writes every item's new or changed entry: the drop-ins first, /etc/vfio-early.conf last. */
int add_write(struct add_ctx *c);
/*
 * After the change: warnings about the IOMMU, what the binder will refuse
 * (its own verdict, from the same guards and facts), a host left without a
 * display.
 */
void add_warn(struct add_ctx *c);
/* "  0000:05:00.1  Audio device: ...  driver: snd_hda_intel", one per device. */
void add_print_members(const struct add_ctx *c, FILE *f, const struct vfe_dev *const *m, size_t n);
