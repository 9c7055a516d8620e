// SPDX-License-Identifier: GPL-2.0-or-later
/* /dev/kmsg: lines packed into records, within the kernel's per-writer rate limit (see kmsg.h). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <syslog.h>

#include "common/clock.h"
#include "common/kmsg.h"
#include "common/paths.h"

/* "<N>" and the final newline around a record's text. */
#define PREFIX_MAX 4
/* A line alone must fit both as written and as shown with its prefix (kmsg.h). */
#define MIN_(a, b) ((a) < (b) ? (a) : (b))
#define LINE_MAX_LEN MIN_(KMSG_RECORD_MAX - PREFIX_MAX - 1, KMSG_SHOWN_MAX - KMSG_SHOWN_PREFIX - 2)
/* The kernel counts windows in jiffies; a margin over its 5 s. */
#define QUIET_US (KMSG_INTERVAL_US + 100000ull)

struct line {
	int level;
	char *text; /* "prog: msg", no newline, at most LINE_MAX_LEN */
	size_t len;
};

static struct {
	int fd;
	const struct vfe_root *root;
	const char *prog;
	struct line *lines;
	size_t n;
	unsigned share;    /* records per window this process may write */
	unsigned used;     /* ... written in the current one */
	uint64_t last_us;  /* when the last record went out */
	unsigned written;  /* since kmsg_open() */
	unsigned dropped;  /* lines left out and not yet said so */
	int unlimited;     /* printk.devkmsg=on: -1 not asked yet */
} K = { .fd = -1, .share = KMSG_BURST, .unlimited = -1 };

int kmsg_open(const struct vfe_root *r)
{
	kmsg_close();
	K.fd = openat(r->fd, PATH_KMSG, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
	if (K.fd < 0)
		return negative_errno();
	K.root = r;
	K.share = KMSG_BURST;
	K.used = K.written = K.dropped = 0;
	K.last_us = 0;
	K.unlimited = -1;
	return 0;
}

bool kmsg_is_open(void)
{
	return K.fd >= 0;
}

static void drop_lines(void)
{
	for (size_t i = 0; i < K.n; i++)
		free(K.lines[i].text);
	free(K.lines);
	K.lines = NULL;
	K.n = 0;
}

void kmsg_close(void)
{
	if (K.fd < 0)
		return;
	kmsg_flush();
	close(K.fd);
	K.fd = -1;
	K.root = NULL;
}

void kmsg_add(int level, const char *prog, const char *msg)
{
	struct line *nl;
	char *text;
	int l;

	if (K.fd < 0)
		return;
	K.prog = prog;
	l = asprintf(&text, "%s: %s", prog, msg);
	nl = l < 0 ? NULL : realloc(K.lines, (K.n + 1) * sizeof(*nl));
	if (!nl) {
		if (l >= 0)
			free(text);
		K.dropped++;
		return;
	}
	K.lines = nl;
	/* one line per line: a newline inside a message would start a line without the prefix */
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if ((size_t)l > LINE_MAX_LEN)
		text[l = LINE_MAX_LEN] = '\0';
	K.lines[K.n++] = (struct line){ level, text, (size_t)l };
}

/* Asked once, only when the budget falls short: is the rate limit off (printk.devkmsg=on)? */
static bool unlimited(void)
{
	char v[32];

	if (K.unlimited < 0)
		K.unlimited = K.root && vfe_read_attr(K.root, v, sizeof(v), PATH_PRINTK_DEVKMSG) > 0 && streq(v, "on");
	return K.unlimited > 0;
}

/*
 * Records left in this window. The count starts again only after a quiet
 * spell longer than the kernel's window: then no window of the kernel's can
 * hold records of two of ours, whenever its window began (a child writing
 * to the same file may have begun it).
 */
static unsigned budget(size_t wanted)
{
	if (K.last_us && vfe_now_us() - K.last_us > QUIET_US)
		K.used = 0;
	if (K.share > K.used && wanted <= K.share - K.used)
		return K.share - K.used;
	if (unlimited())
		return UINT32_MAX;
	return K.share > K.used ? K.share - K.used : 0;
}

static void emit(int level, const struct line *v, size_t n)
{
	char rec[KMSG_RECORD_MAX + 1];
	int l = snprintf(rec, sizeof(rec), "<%d>", LOG_USER | level);

	for (size_t i = 0; i < n; i++) {
		memcpy(rec + l, v[i].text, v[i].len);
		l += (int)v[i].len;
		rec[l++] = '\n';
	}
	K.used++;
	K.written++;
	if (write(K.fd, rec, (size_t)l) < 0)
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s\n", v[i].text);
	K.last_us = vfe_now_us();
}

/*
 * How many lines from v[0] go into one record, and its level: the record as
 * written (KMSG_RECORD_MAX), and as syslog(2) and the console show it, each
 * line with its prefix, plus a terminator (KMSG_SHOWN_MAX).
 */
static size_t pack(const struct line *v, size_t n, int *level)
{
	size_t used = PREFIX_MAX, shown = 1, k = 0;

	*level = LOG_DEBUG;
	while (k < n && used + v[k].len + 1 <= KMSG_RECORD_MAX &&
	       shown + KMSG_SHOWN_PREFIX + v[k].len + 1 <= KMSG_SHOWN_MAX) {
		used += v[k].len + 1;
		shown += KMSG_SHOWN_PREFIX + v[k].len + 1;
		if (v[k].level < *level)
			*level = v[k].level;
		k++;
	}
	return k ? k : 1; /* never stuck: a line is cut to fit one record (kmsg_add) */
}

static size_t records_for(const struct line *v, size_t n)
{
	size_t r = 0;
	int level;

	for (size_t i = 0; i < n; r++)
		i += pack(v + i, n - i, &level);
	return r;
}

/* Writes v[0..n) in at most max records; returns the lines written. */
static size_t emit_packed(const struct line *v, size_t n, size_t max)
{
	size_t i = 0;
	int level;

	for (size_t r = 0; r < max && i < n; r++) {
		size_t k = pack(v + i, n - i, &level);
		emit(level, v + i, k);
		i += k;
	}
	return i;
}

/* The last record when the lines do not fit: how many were left out, and the last line. */
static void emit_overflow(unsigned left_out, const struct line *last)
{
	struct line v[2] = { { LOG_WARNING, NULL, 0 }, *last };
	char note[256];
	int l = snprintf(note, sizeof(note),
			 "%s: %u more line%s not logged: the kernel takes %d records per %llu s from one writer "
			 "(printk.devkmsg=on lifts that)", K.prog ? K.prog : "", left_out, left_out == 1 ? "" : "s",
			 KMSG_BURST, KMSG_INTERVAL_US / 1000000);

	v[0].text = note;
	v[0].len = (size_t)l < sizeof(note) ? (size_t)l : sizeof(note) - 1;
	if (1 + 2 * (KMSG_SHOWN_PREFIX + 1) + v[0].len + v[1].len > KMSG_SHOWN_MAX)
		v[1].len = KMSG_SHOWN_MAX - 1 - 2 * (KMSG_SHOWN_PREFIX + 1) - v[0].len;
	emit(LOG_WARNING, v, 2);
}

/* Lines left out of an earlier flush: said first, as a line of the next record. */
static void note_dropped(void)
{
	char msg[160];
	struct line note;
	size_t before = K.n;

	snprintf(msg, sizeof(msg), "%u earlier line%s not logged (the kernel's rate limit on /dev/kmsg)", K.dropped,
		 K.dropped == 1 ? " was" : "s were");
	K.dropped = 0;
	kmsg_add(LOG_WARNING, K.prog ? K.prog : "", msg);
	if (K.n == before)
		return;
	note = K.lines[K.n - 1];
	memmove(K.lines + 1, K.lines, (K.n - 1) * sizeof(*K.lines));
	K.lines[0] = note;
}

void kmsg_flush(void)
{
	size_t need, avail, done;

	if (K.fd < 0 || !K.n)
		return;
	if (K.dropped && budget(1) > 0)
		note_dropped();
	need = records_for(K.lines, K.n);
	avail = budget(need);
	if (need <= avail) {
		emit_packed(K.lines, K.n, need);
	} else if (avail == 0) {
		K.dropped += (unsigned)K.n;
	} else {
		done = emit_packed(K.lines, K.n - 1, avail - 1);
		emit_overflow((unsigned)(K.n - 1 - done), &K.lines[K.n - 1]);
	}
	drop_lines();
}

void kmsg_reserve(unsigned n)
{
	K.share = K.share > n ? K.share - n : 0;
}

void kmsg_child(unsigned n)
{
	K.share = n;
	K.used = 0;
	K.last_us = 0;
	K.written = 0;
	drop_lines(); /* the parent's to write, had it not flushed */
}

unsigned kmsg_records_written(void)
{
	return K.written;
}
