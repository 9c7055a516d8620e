/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "root.h"

/* The menu entries of a generated grub.cfg, with the ids grub-reboot takes ("submenu>entry"). */
struct vfe_grub_entry {
	char *title;
	char *id;       /* "gnulinux-advanced-UUID>gnulinux-6.1.0-13-amd64-advanced-UUID"; "" when none */
	bool submenu;   /* a submenu line itself */
	bool ours;      /* produced by our /etc/grub.d script */
};

struct vfe_grub_cfg {
	struct vfe_grub_entry *e;
	size_t n;
	bool has_menu_hook; /* our script's code that honours vfio_early_menu */
};

int vfe_grub_cfg_parse(const char *text, struct vfe_grub_cfg *ret);
/* Loads <root>/boot/grub/grub.cfg; -ENOENT when there is none. */
int vfe_grub_cfg_load(const struct vfe_root *r, struct vfe_grub_cfg *ret);
const struct vfe_grub_entry *vfe_grub_cfg_find(const struct vfe_grub_cfg *c, const char *id);
/* The first top-level menuentry that is not ours: what boots by default with GRUB_DEFAULT=0. */
const struct vfe_grub_entry *vfe_grub_cfg_first_passthrough(const struct vfe_grub_cfg *c);
void vfe_grub_cfg_free(struct vfe_grub_cfg *c);
