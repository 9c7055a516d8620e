/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/strv.h"
#include "early/config.h"

/* What the kernel command line tells the binder. */
struct vfe_cmdline {
	bool off;              /* vfio_early=off: bind nothing (the recovery entry) */
	char *off_reason;      /* the parameter as written, for status */
	bool debug;            /* vfio_early.debug */
	struct vfe_config extra; /* vfio_early.devices=: devices added for this boot */
	char *vfio_pci_ids;    /* a vfio-pci.ids= also present (reported, not used) */
	struct strv problems;  /* unknown vfio_early.* parameters, bad values */
};

/*
 * Splits off the next parameter the way the kernel does (lib/cmdline.c
 * next_arg): blanks separate, double quotes group, quotes around a value
 * are dropped. *param and *val point into the modified string; *val is
 * NULL for a bare word. Returns the rest of the string.
 */
char *vfe_cmdline_next_arg(char *args, char **param, char **val);

/*
 * Strips blanks at both ends in place and returns the start: /proc/cmdline
 * ends in a newline the kernel never saw, which inside an open quote would
 * stick to a value.
 */
char *vfe_cmdline_strip(char *buf);

/* Parameter names compare with '-' and '_' equal, as the kernel's parameq(). */
bool vfe_param_eq(const char *a, const char *b);

int vfe_cmdline_parse(const char *text, struct vfe_cmdline *ret);
void vfe_cmdline_free(struct vfe_cmdline *c);
