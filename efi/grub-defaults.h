/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "grubenv.h"
#include "root.h"

/*
 * /etc/default/grub and /etc/default/grub.d/ *.cfg are shell fragments that
 * grub-mkconfig sources in that order. We read the assignments in them
 * (NAME=value, 'single', "double" quotes with $NAME / ${NAME} expansion,
 * an optional "export"); other commands are skipped. The variables go into
 * a name/value list (struct vfe_grubenv is reused as one).
 */

/* Evaluates text; -EINVAL with *ret_err ("line N: unterminated quote") when malformed. */
int vfe_grub_defaults_parse(const char *text, struct vfe_grubenv *vars, char **ret_err);

/*
 * Loads /etc/default/grub (missing is fine) and, when with_dropins, every
 * grub.d/ *.cfg in glob order; skip names a drop-in to leave out (NULL: none).
 * A malformed file is logged as "FILE: line N: ..." and gives -EINVAL.
 */
int vfe_grub_defaults_load(const struct vfe_root *r, bool with_dropins, const char *skip,
			   struct vfe_grubenv *ret);
