/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/root.h"
#include "common/strv.h"
#include "early/bind.h"
#include "early/plan.h"

/*
 * The status record the binder leaves in /run/vfio-early/status: what this
 * boot did and why. initramfs-tools and dracut move /run into the real
 * root, so `vfio-early status` reads it after login. Text, one record per
 * line, in the word syntax of words.h; readers ignore keys they do not know.
 */
#define VFE_STATUS_VERSION 1

/* The reason of a recovery boot that the automatic fallback chose (printf: the number of boots). */
#define VFE_FALLBACK_REASON "automatic fallback after %u boots without a confirmed host display"

struct vfe_status_dev {
	char bdf[VFE_ADDR_STRLEN], id[VFE_ID_STRLEN], subsys[VFE_ID_STRLEN];
	int group;
	uint16_t class;
	char entry[128], via[VFE_ADDR_STRLEN];
	enum vfe_action action;
	char before[64], after[64];
	char reason[320];
	bool late; /* added after boot (hotplug, SR-IOV, Thunderbolt) and bound or refused then */
};

struct vfe_status {
	int version;
	char mode[16];     /* "passthrough" or "recovery" */
	char reason[256];  /* what chose the mode */
	bool iommu;
	uint64_t started_us, finished_us; /* CLOCK_MONOTONIC, comparable with kernel log times */
	uint64_t elapsed_us, cpu_us;
	char vfio_pci_ids[256];           /* a vfio-pci.ids= seen on the command line */
	char state[16];                   /* "binding": written before binding, the binder never came back; "done" */
	struct strv problems;             /* config and command line problems, in order */
	struct vfe_status_dev *devs;
	size_t n_devs;
};

/* The device lines: one per target of the plan, with what binding did to it (res[i] for p->t[i]). */
int vfe_status_add_results(struct vfe_status *s, const struct vfe_plan *p, const struct vfe_bind_result *res);

char *vfe_status_format(const struct vfe_status *s);
int vfe_status_write(const struct vfe_root *r, const struct vfe_status *s);

/*
 * The record's directory as a root of its own (status file "status"), made
 * if missing. Held open, it still names the same directory after the
 * initramfs moves /run into the real root: a binder's child that finishes
 * late writes through it. Writers after boot (the udev path, a late child)
 * take turns with vfe_status_lock() (flock, released when dir is closed).
 */
int vfe_status_dir_open(const struct vfe_root *r, struct vfe_root *ret);
int vfe_status_lock(const struct vfe_root *dir);
/*
 * Puts device lines into the record under dir: each replaces the line of
 * the same address (or, for an entry that matched nothing, the entry's
 * line), or is added at the end. Without a record, one is started from
 * fresh (its boot line; fresh's devices and problems are not used).
 */
int vfe_status_update(const struct vfe_root *dir, const struct vfe_status_dev *devs, size_t n,
		      const struct vfe_status *fresh);

/* Parses a record; unknown lines and keys are skipped, a malformed line is an error. */
int vfe_status_parse(char *text, struct vfe_status *ret, const char **err, unsigned *err_line);
int vfe_status_read(const struct vfe_root *r, struct vfe_status *ret);

void vfe_status_free(struct vfe_status *s);
