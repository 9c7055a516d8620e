/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "common/macro.h"
#include "common/root.h"

enum vfe_log_target {
	VFE_LOG_AUTO,
	VFE_LOG_STDERR,
	VFE_LOG_KMSG,
};

/*
 * One logging API with two sinks: stderr ("vfio-early: error: msg") for the
 * CLI, and /dev/kmsg ("<N>vfio-early: msg") in the initramfs. The kmsg
 * device is opened under the root, so tests read it back from a regular
 * file. Lines for the kernel log wait until log_flush() (or log_close()) and
 * then go out several to a record, within the kernel's rate limit on
 * /dev/kmsg (common/kmsg.h says why and how).
 */
void log_open(const struct vfe_root *r, enum vfe_log_target t, const char *prog);
void log_close(void);
/* Writes the lines waiting for the kernel log. */
void log_flush(void);
void log_set_max_level(int level);
int log_get_max_level(void);
int log_parse_target(const char *s, enum vfe_log_target *ret);

/* Logs and returns err (negative errno); errno is set to -err so %m works. */
int log_full(int level, int err, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) (void)log_full(LOG_ERR, 0, __VA_ARGS__)
#define log_warning(...) (void)log_full(LOG_WARNING, 0, __VA_ARGS__)
#define log_notice(...) (void)log_full(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...) (void)log_full(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) (void)log_full(LOG_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(err, ...) log_full(LOG_ERR, (err), __VA_ARGS__)
#define log_warning_errno(err, ...) log_full(LOG_WARNING, (err), __VA_ARGS__)
