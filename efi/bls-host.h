/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "bls.h"
#include "boot.h"
#include "changes.h"
#include "efistate.h"
#include "esp.h"

/*
 * What the systemd-boot and kernelstub backends share: the ESP (and
 * XBOOTLDR) with their Type #1 entries in menu order, the default pattern,
 * and the planning of install / remove / refresh as one set of file
 * changes (changes.h) with the record of what install did (efistate.h).
 */
struct vfe_bls_host {
	struct vfe_esp esp, xbl;
	bool has_xbl;
	struct vfe_bls entries;   /* both partitions, in menu order */
	char *pattern;            /* LoaderEntryDefault, else loader.conf "default"; NULL when none */
	bool pattern_from_var;
	struct vfe_efi_state state;
	struct vfe_changes ch;
};

/* Loads everything; without an ESP, logs why (unless quiet) and returns -ENOENT. */
int vfe_bls_host_load(struct vfe_boot_ctx *ctx, const char *who, bool quiet, struct vfe_bls_host *h);
void vfe_bls_host_free(struct vfe_bls_host *h);

/* Adds the wanted kernel parameters to the options of the entry file rel (recorded in the state). */
int vfe_bls_host_add_params(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *rel);
/* The same for a whole-line command-line file (/etc/kernel/cmdline); created from base when missing. */
int vfe_bls_host_add_params_line(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *rel, const char *base);
/* The same for kernelstub's configuration. */
int vfe_bls_host_add_params_kstub(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *rel);
/* Our entry for src (its options as planned so far), and the removal of our other, stale ones. */
int vfe_bls_host_plan_nopt(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *src);
/* Undoes every record of the state and removes all our entries. */
int vfe_bls_host_plan_remove(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h);
/* Plans the state file; then prints (dry run) or applies every change. Returns the number of changes. */
int vfe_bls_host_commit(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who);
/* Plans and commits the undo of install, or says there is nothing to remove. */
int vfe_bls_host_remove(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who);

/* Our entry that the loader would show after src (NULL when none). */
const struct vfe_bls_entry *vfe_bls_host_ours(const struct vfe_bls_host *h);
/* Health of our entry: "ok" or what is wrong, into buf. Returns true when ok. */
bool vfe_bls_host_health(const struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			 char *buf, size_t n);
