/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/root.h"
#include "common/strbuf.h"
#include "common/strv.h"

/*
 * The kernel command line, read and written by the kernel's own rules, for
 * every part of vfio-early that meets one: the binder, `status`, the boot
 * loaders' show and status, the recovery entry's command line, `check` and
 * `boot install`. One module, so they all give the same answer.
 *
 * - Splitting (lib/cmdline.c next_arg): blanks separate parameters, double
 *   quotes group blanks into one parameter, quotes around a value are
 *   dropped. A newline at the very end (/proc/cmdline has one) is not part
 *   of anything.
 * - Names compare with '-' and '_' equal (kernel/params.c parameq).
 * - A bare "--" ends the kernel's parameters: what follows is init's.
 * - Of several values of one parameter, the last wins.
 */

/*
 * Splits off the next parameter the way the kernel does: *param and *val
 * point into the modified string; *val is NULL for a bare word. Returns the
 * rest of the string, blanks skipped.
 */
char *vfe_kcmdline_next_arg(char *args, char **param, char **val);

/* Strips blanks at both ends in place and returns the start. */
char *vfe_kcmdline_strip(char *buf);

/* Parameter names compare with '-' and '_' equal. */
bool vfe_param_eq(const char *a, const char *b);
/* What follows prefix in name, compared as vfe_param_eq() does; NULL when name does not start with it. */
const char *vfe_param_prefix(const char *name, const char *prefix);

/* One kernel parameter, as vfe_kcmdline_each() hands it out. */
struct vfe_karg {
	const char *name, *val; /* split and unquoted; val is NULL for a bare word */
	const char *text;       /* as written, quotes included: text[0, len) of the command line given */
	size_t len;
};

/*
 * Calls fn on each kernel parameter of cmdline (NULL is empty) in order,
 * up to a bare "--". When ret_init is not NULL it gets init's part, the
 * words after "--" (malloc'd, "" when none), or NULL when there is no "--".
 * Returns 0, or the first negative value fn returned (which stops), or
 * -ENOMEM.
 */
int vfe_kcmdline_each(const char *cmdline, int (*fn)(const struct vfe_karg *a, void *userdata), void *userdata,
		      char **ret_init);

/* Every word of cmdline as written, the kernel's and init's ("--" too): for lists such as kernelstub's. */
int vfe_kcmdline_words(const char *cmdline, struct strv *ret);

/*
 * The value of the last parameter called name: 1 with *ret malloc'd ("" for
 * a bare word), 0 when there is none (*ret NULL), or -ENOMEM.
 */
int vfe_kcmdline_get(const char *cmdline, const char *name, char **ret);

/* on, 1, yes, y, true, enable, enabled (any case) and their opposites; -EINVAL for anything else. */
int vfe_kcmdline_bool(const char *v, bool *ret_on);

/* The command line of this boot, <root>/proc/cmdline, malloc'd. */
int vfe_kcmdline_read(const struct vfe_root *r, char **ret);

/* ---- vfio-early's own parameters ---- */

/*
 * Is name one of ours: vfio_early or vfio_early.SUB, also behind dracut's
 * "rd." prefix? NULL when not, else what follows "vfio_early": "" for the
 * switch itself, ".SUB" for the others (".devices", ".debug").
 */
const char *vfe_kcmdline_ours(const char *name);

/* The passthrough switch, vfio_early=on|off: what one parameter says. */
enum vfe_kswitch {
	VFE_KSWITCH_NONE, /* not the switch */
	VFE_KSWITCH_ON,
	VFE_KSWITCH_OFF,
	VFE_KSWITCH_BAD,  /* the switch with a value that is neither on nor off: ignored */
};
enum vfe_kswitch vfe_kcmdline_switch(const char *name, const char *val);

/* Room for the parameter that turned passthrough off, as written: "rd.vfio-early=disabled". */
#define VFE_KSWITCH_REASON_MAX 64

/*
 * Is passthrough off for a boot with this command line (the recovery entry's
 * vfio_early=off, or the same typed at the boot menu)? The last valid value
 * of the switch wins; a bad value changes nothing. reason (may be NULL)
 * gets the deciding parameter as "name=value".
 */
bool vfe_kcmdline_passthrough_off(const char *cmdline, char *reason, size_t n);

/* The same for the running boot: <root>/proc/cmdline (false when it cannot be read). */
bool vfe_kcmdline_booted_off(const struct vfe_root *r, char *reason, size_t n);

/* ---- writing ---- */

/* Appends name or name=val, after a blank unless sb is empty; a value with blanks is quoted. */
void vfe_kcmdline_put(struct strbuf *sb, const char *name, const char *val);

/*
 * Edits of a parameter list (a boot entry's options): parameters compare by
 * name (as above) and value, and the edits touch only the kernel's part,
 * before any "--". The result is the words as written, one blank apart.
 *
 * opts + param: a different value of the same parameter is replaced in its
 * place, never left beside it (*ret_replaced gets it, "name=value" as
 * written, malloc'd, or NULL). Returns 1 when changed, 0 when param was
 * already there.
 */
int vfe_kparams_add(const char *opts, const char *param, char **ret, char **ret_replaced);
/* opts without param (exact name and value); with put_back, param's place gets put_back. 1 when changed. */
int vfe_kparams_remove(const char *opts, const char *param, const char *put_back, char **ret);
/* Is exactly param (name and value) among the kernel's parameters of opts? */
bool vfe_kparams_has(const char *opts, const char *param);
