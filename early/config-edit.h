/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/strv.h"
#include "early/config.h"

/*
 * Edits of config text for `vfio-early add` and `remove`, beside the parser
 * they must agree with (early/config.c): an edit is checked by parsing its
 * result. Text in, text out, no I/O; cli/verb-config.c reads and writes the
 * files. The binder never links this.
 */

/* The comment `add` puts above its entry; `remove` takes it out with the entry. */
#define VFE_CONFIG_ADD_COMMENT "# added by 'vfio-early add'"

/*
 * The config text (len bytes, NULL for a file that does not exist yet) with
 * "# comment" and line appended. -EBADMSG when text holds a NUL byte,
 * -EINVAL when the result would not parse to exactly one entry more without
 * a new problem.
 */
int vfe_config_append(const char *text, size_t len, const char *comment, const char *line, char **ret);

/*
 * The config text with line line_no (1-based) replaced by line: how `add`
 * changes an entry it finds (add --group on a function entry). -ENOENT
 * when there is no such line, -EINVAL when the result would not parse to
 * as many entries without a new problem.
 */
int vfe_config_replace(const char *text, unsigned line_no, const char *line, char **ret);

/* Does entry e name spec, an address ("0000:05:00.0") or a vendor:device id? */
bool vfe_entry_names_spec(const struct vfe_entry *e, const char *spec);

/*
 * The text of config file name without the entries naming spec, nor the
 * `add` comment above each; the lines taken out are pushed to removed, as
 * written. Returns how many entries went.
 */
int vfe_config_remove(const char *text, const char *name, const char *spec, char **ret, struct strv *removed);

/* The comment `boot install --fallback=N / --no-fallback` puts above its "fallback" line. */
#define VFE_CONFIG_FALLBACK_COMMENT "# set by 'vfio-early boot install'"

/*
 * The config text (len bytes, NULL for a file that does not exist yet) with
 * every "fallback" line (and the comment above ours) replaced by one
 * "fallback VALUE" at the end; value is "off" or a number of boots.
 * -EBADMSG for a NUL byte, -EINVAL when the result would not parse to the
 * same entries with that setting.
 */
int vfe_config_set_fallback(const char *text, size_t len, const char *value, char **ret);
