/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/root.h"

/*
 * The kernel log sink behind log.h, within what the kernel takes from one
 * writer.
 *
 * devkmsg_write() (kernel/printk/printk.c) rate-limits every open file of
 * /dev/kmsg on its own: a burst of 10 writes per 5 s window, counted from
 * the first write (___ratelimit() with the default ratelimit_state), unless
 * printk.devkmsg=on. A write past the burst still returns success; the
 * record is dropped, and the kernel says "N output lines suppressed due to
 * ratelimiting" when the file is closed. One write is one record of at
 * most 992 bytes on 6.1 (LOG_LINE_MAX; 1024 since 6.6), the "<N>" prefix
 * included, or EINVAL.
 *
 * So lines are not written one per record. They wait here until
 * kmsg_flush() and then go out several to a record: a record may hold
 * newlines, and dmesg (both through /dev/kmsg and through syslog(2)), the
 * console and the journal show each line of it as a line. Each line keeps
 * its "prog: " prefix, so grep finds it as before. A record takes the most
 * severe level of its lines: a notice may be shown as a warning, never a
 * warning hidden as a notice.
 *
 * A record is also sized for the way syslog(2) readers (busybox dmesg,
 * dmesg -S) and the console see it: record_print_text() puts a prefix of
 * up to 32 bytes (PREFIX_MAX: "<N>[ seconds.micros] ") before each line,
 * into a buffer of 1024 bytes on 6.1 (CONSOLE_LOG_MAX), and drops the lines
 * that do not fit. Only /dev/kmsg readers (the journal, util-linux dmesg)
 * get the whole record, so a record's lines with those prefixes must fit
 * in 1024 bytes too.
 *
 * What is not done: opening /dev/kmsg again to get a fresh burst. The limit
 * is there so that one program cannot flood the log, and fewer, fuller
 * records respect it. When even full records would not fit in what is left
 * of the window, the last record says how many lines were left out (and
 * still holds the last line, a run's closing summary); the caller keeps the
 * full story elsewhere (the binder: its status record).
 *
 * A process that forks a writer sharing the same open file shares its
 * burst too (the limit is per open file): kmsg_reserve() hands part of the
 * window to the child, and the child calls kmsg_child().
 */
#define KMSG_BURST 10
#define KMSG_INTERVAL_US 5000000ull
#define KMSG_RECORD_MAX 992
#define KMSG_SHOWN_MAX 1024
#define KMSG_SHOWN_PREFIX 32

int kmsg_open(const struct vfe_root *r);
bool kmsg_is_open(void);
/* Queues one line ("prog: msg"). */
void kmsg_add(int level, const char *prog, const char *msg);
/* Writes the queued lines, as few records as they fit in. */
void kmsg_flush(void);
void kmsg_close(void);

/* This process writes at most KMSG_BURST - n records per window: n are a child's. */
void kmsg_reserve(unsigned n);
/* In the child of kmsg_reserve(n): it may write n records per window, counted from now. */
void kmsg_child(unsigned n);
/* Records written by this process since kmsg_open() (for tests). */
unsigned kmsg_records_written(void);
