/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "boot.h"

/*
 * Regenerates grub.cfg: runs <root>/usr/sbin/update-grub, or else
 * grub-mkconfig -o <root>/boot/grub/grub.cfg, with fork/exec of a fixed argv
 * (no shell). With ctx->no_update (or dry_run) it only says what to run.
 * -ENOENT (logged) when neither program exists.
 */
int vfe_grub_update(struct vfe_boot_ctx *ctx);

/* Which program vfe_grub_update() would run, as the user should type it; NULL when none. */
const char *vfe_grub_update_command(const struct vfe_root *r, char *buf, size_t n);
