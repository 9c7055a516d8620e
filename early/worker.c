// SPDX-License-Identifier: GPL-2.0-or-later
/* Binding in a child process, with a bounded wait (see worker.h). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "common/clock.h"
#include "common/kmsg.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/worker.h"

/*
 * How the two processes talk. Progress goes on a board in memory both see
 * (an anonymous shared mapping made before the fork): the child writes each
 * target's step and, once done, its result; the parent reads the board only
 * when it stops waiting. A message per step through a pipe would wake the
 * parent at every step, a few hundred times for a big config. The pipes
 * carry one word each way:
 *
 *   child -> parent   END: every result is on the board (or the pipe's end:
 *                     the child died)
 *   parent -> child   'A': all read, you are done; 'G' (or the pipe's end):
 *                     the parent gave up; the pipe's end also means its record
 *                     is written, so the child's own comes after it
 */
#define END 'E'
#define ACK_ALL 'A'
#define ACK_GAVE_UP 'G'

enum { NOT_STARTED, STARTED, FINISHED };

struct slot {
	uint32_t seq;     /* odd while the child writes the slot */
	uint32_t state;   /* NOT_STARTED, STARTED, FINISHED */
	const char *what; /* what it was doing, once STARTED: a constant, the same address in both */
	char arg[VFE_DRIVER_MAX];
	struct vfe_bind_result res; /* once FINISHED */
};

struct board {
	struct slot *s;
	size_t n, size;
};

static int board_new(struct board *b, size_t n)
{
	b->n = n;
	b->size = (n + 1) * sizeof(*b->s);
	b->s = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b->s == MAP_FAILED) {
		b->s = NULL;
		return negative_errno();
	}
	return 0;
}

static void board_free(struct board *b)
{
	if (b->s)
		munmap(b->s, b->size);
	b->s = NULL;
}

/* The child's side: a slot changes between two odd/even steps of its sequence. */
static void slot_begin(struct slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void slot_end(struct slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

/* The parent's side: a copy taken while the child was not writing (it may be writing right now). */
static struct slot slot_read(const struct slot *s)
{
	struct slot c = { 0 };

	for (int tries = 0; tries < 1000; tries++) {
		uint32_t a = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (a & 1)
			continue;
		memcpy(&c, s, sizeof(c));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) == a)
			return c;
	}
	c.state = NOT_STARTED; /* never steady: say nothing rather than something torn */
	return c;
}

/* ---- the child ---- */

struct child {
	struct board *board;
	const struct vfe_bind_result *res;
	bool *after; /* after[i]: target i ended once the parent had given up */
	int ack;
	bool gave_up; /* the parent stopped waiting */
	char stop[96];
};

static void on_step(void *ud, size_t i, const char *what, const char *arg)
{
	struct child *c = ud;
	struct slot *s = &c->board->s[i];

	slot_begin(s);
	s->what = what;
	strcpy_fit(s->arg, sizeof(s->arg), arg);
	s->state = STARTED;
	slot_end(s);
}

/* Has the parent said it gave up (or gone away)? Never blocks. */
static const char *on_stop(void *ud)
{
	struct child *c = ud;
	struct pollfd pfd = { c->ack, POLLIN, 0 };

	if (!c->gave_up && poll(&pfd, 1, 0) > 0)
		c->gave_up = true; /* 'G', or the end of the pipe: either way, no 'A' comes now */
	return c->gave_up ? c->stop : NULL;
}

static void on_done(void *ud, size_t i)
{
	struct child *c = ud;
	struct slot *s = &c->board->s[i];

	if (on_stop(c) && c->after)
		c->after[i] = true;
	slot_begin(s);
	s->res = c->res[i];
	s->state = FINISHED;
	slot_end(s);
}

/* The last word of the pipe: 'A' when the parent read everything; anything else means it gave up. */
static bool parent_read_all(struct child *c)
{
	char a = 0;
	ssize_t k;

	if (c->gave_up)
		return false;
	do
		k = read(c->ack, &a, 1);
	while (k < 0 && errno == EINTR);
	return k == 1 && a == ACK_ALL;
}

/* Waits for the parent's end: its record is written by then, so ours comes after. */
static void wait_parent_gone(int ack)
{
	char buf[16];
	ssize_t k;

	do
		k = read(ack, buf, sizeof(buf));
	while (k > 0 || (k < 0 && errno == EINTR));
}

/* Stdin/out/err of a kernel-log run go to /dev/null: a udev worker waits for the end of its pipes. */
static void quiet_stdio(const struct vfe_root *r)
{
	int fd;

	if (!kmsg_is_open())
		return;
	fd = openat(r->fd, PATH_DEV_NULL, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		(void)dup2(fd, i);
	close(fd);
}

/* noinline: make bench counts the child's instructions from here (callgrind --zero-before=child_main) */
static _Noreturn __attribute__((noinline)) void child_main(const struct vfe_root *r, const struct vfe_plan *p,
							   const struct vfe_bind_ops *ops, unsigned timeout_ms,
							   const struct vfe_bind_late *late, struct board *board,
							   struct vfe_bind_result *res, int out, int ack)
{
	struct child c = { .board = board, .res = res, .after = calloc(p->n + 1, sizeof(bool)), .ack = ack };
	const char end = END;
	struct vfe_bind_watch w = { on_step, on_done, on_stop, &c };
	uint64_t started = vfe_now_us();

	signal(SIGPIPE, SIG_IGN);
	kmsg_child(1);
	quiet_stdio(r);
	snprintf(c.stop, sizeof(c.stop), "the binder stopped waiting after %u.%u s", timeout_ms / 1000,
		 timeout_ms % 1000 / 100);
	vfe_bind_plan(r, p, ops, &w, res);
	if (write(out, &end, 1) != 1)
		c.gave_up = true; /* EPIPE: nobody reads any more */
	if (!parent_read_all(&c)) {
		wait_parent_gone(ack);
		if (late && late->late && c.after)
			late->late(late->userdata, res, c.after, vfe_now_us() - started);
	}
	log_close();
	_exit(0);
}

/* ---- the parent ---- */

enum collected { GOT_END, GOT_DEADLINE, GOT_EOF };

/* Waits for the child's END, its death, or the deadline. */
static enum collected wait_child(int fd, uint64_t deadline)
{
	for (;;) {
		uint64_t now = vfe_now_us();
		struct pollfd pfd = { fd, POLLIN, 0 };
		char e;
		ssize_t k;
		if (now >= deadline)
			return GOT_DEADLINE;
		k = poll(&pfd, 1, (int)((deadline - now + 999) / 1000));
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0)
			return GOT_DEADLINE;
		/* any other error: stop waiting, never block */
		if (k < 0)
			return GOT_DEADLINE;
		do
			k = read(fd, &e, 1);
		while (k < 0 && errno == EINTR);
		if (k == 0)
			return GOT_EOF; /* the end of the pipe: the child is exiting */
		return k == 1 && e == END ? GOT_END : GOT_DEADLINE;
	}
}

/* The first target still in the kernel, for the others' reasons. */
static const char *busy_with(const struct vfe_plan *p, const struct slot *pr)
{
	for (size_t i = 0; i < p->n; i++)
		if (pr[i].state == STARTED)
			return p->t[i].dev->name;
	return NULL;
}

/* What the parent knows when it stops waiting (or the child died): each unfinished target's line. */
static void mark_unfinished(const struct vfe_plan *p, const struct slot *pr, struct vfe_bind_result *res,
			    const char *waited, bool died)
{
	const char *busy = busy_with(p, pr);

	for (size_t i = 0; i < p->n; i++) {
		struct vfe_bind_result *r = &res[i];
		if (p->t[i].action != VFE_ACT_BIND)
			continue;
		if (pr[i].state == STARTED && !died) {
			r->action = VFE_ACT_TIMEOUT;
			snprintf(r->reason, sizeof(r->reason), "still in the kernel after %s (%s%s had not returned); the "
				 "boot went on: when the kernel returns, the bind is finished or given back, and this "
				 "record rewritten", waited, pr[i].what ? pr[i].what : "?", pr[i].arg);
		} else if (pr[i].state != FINISHED) {
			r->action = VFE_ACT_FAILED;
			snprintf(r->driver_after, sizeof(r->driver_after), "%s", died ? "?" : r->driver_before);
			if (died)
				snprintf(r->reason, sizeof(r->reason), "the binder's child process ended %s%s%s",
					 pr[i].state == STARTED ? "while " : "before this one was tried",
					 pr[i].state == STARTED && pr[i].what ? pr[i].what : "", pr[i].arg);
			else
				snprintf(r->reason, sizeof(r->reason), "not tried: the binder stopped waiting after %s "
					 "(the kernel was still busy with %s)", waited, busy ? busy : "another device");
		} else if (r->action == VFE_ACT_BOUND && busy && p->t[i].dev->group >= 0) {
			for (size_t j = 0; j < p->n; j++)
				if (pr[j].state == STARTED && p->t[j].dev->group == p->t[i].dev->group) {
					size_t l = strlen(r->reason);
					snprintf(r->reason + l, sizeof(r->reason) - l, "; IOMMU group %d is not complete: %s "
						 "is still in the kernel", p->t[i].dev->group, p->t[j].dev->name);
					break;
				}
		}
	}
}

static void parent_wait(const struct vfe_plan *p, unsigned timeout_ms, struct board *board,
			struct vfe_bind_result *res, int in, struct vfe_bind_job *job)
{
	_cleanup_free_ struct slot *pr = calloc(p->n + 1, sizeof(*pr));
	enum collected got;
	char waited[32];
	char a;

	snprintf(waited, sizeof(waited), "%u.%u s", timeout_ms / 1000, timeout_ms % 1000 / 100);
	got = wait_child(in, vfe_now_us() + (uint64_t)timeout_ms * 1000);
	a = got == GOT_END ? ACK_ALL : ACK_GAVE_UP;
	(void)!write(job->ack_fd, &a, 1);
	if (got != GOT_DEADLINE) {
		/* it said END, or its end of the pipe closed: it is exiting */
		(void)waitpid(job->pid, NULL, 0);
		job->pid = 0;
	}
	job->timed_out = got == GOT_DEADLINE;
	job->child_died = got == GOT_EOF;
	for (size_t i = 0; i < p->n; i++) {
		struct slot s = slot_read(&board->s[i]);
		if (s.state == FINISHED)
			res[i] = s.res;
		if (pr)
			pr[i] = s;
	}
	if (got != GOT_END && pr)
		mark_unfinished(p, pr, res, waited, job->child_died);
}

void vfe_bind_bounded(const struct vfe_root *r, const struct vfe_plan *p, const struct vfe_bind_ops *ops,
		      unsigned timeout_ms, const struct vfe_bind_late *late, struct vfe_bind_result *res,
		      struct vfe_bind_job *job)
{
	struct board board = { 0 };
	int out[2], ack[2];
	pid_t pid;

	*job = (struct vfe_bind_job){ .ack_fd = -1 };
	if (!timeout_ms)
		timeout_ms = VFE_BIND_TIMEOUT_MS;
	if (board_new(&board, p->n) < 0)
		goto inline_bind;
	if (pipe2(out, O_CLOEXEC) < 0)
		goto inline_bind;
	if (pipe2(ack, O_CLOEXEC) < 0) {
		close(out[0]), close(out[1]);
		goto inline_bind;
	}
	log_flush(); /* what is queued is the parent's to write, not the child's too */
	pid = fork();
	if (pid == 0) {
		close(out[0]), close(ack[1]);
		child_main(r, p, ops, timeout_ms, late, &board, res, out[1], ack[0]);
	}
	close(out[1]), close(ack[0]);
	if (pid < 0) {
		close(out[0]), close(ack[1]);
		goto inline_bind;
	}
	kmsg_reserve(1);
	job->pid = pid;
	job->ack_fd = ack[1];
	parent_wait(p, timeout_ms, &board, res, out[0], job);
	close(out[0]);
	board_free(&board);
	return;

inline_bind:
	board_free(&board);
	log_warning("cannot start a process to bind in (%m); binding without a time limit");
	vfe_bind_plan(r, p, ops, NULL, res);
}

void vfe_bind_job_release(struct vfe_bind_job *job)
{
	if (job->ack_fd >= 0)
		close(job->ack_fd);
	job->ack_fd = -1;
}
