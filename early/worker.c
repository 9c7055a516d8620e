// SPDX-License-Identifier: GPL-2.0-or-later
/* Binding in a child process, with a bounded wait (see worker.h). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "common/kmsg.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/worker.h"

enum { MSG_STEP, MSG_DONE, MSG_END };

/* One report from the child; smaller than PIPE_BUF, so each write() is atomic. */
struct msg {
	uint32_t kind;
	uint32_t i;
	char step[96];
	struct vfe_bind_result res;
};
_Static_assert(sizeof(struct msg) <= 4096, "a report must fit in one atomic pipe write");

/* The parent's answer once the child said "done": 'A' all read, 'G' gave up before that. */
#define ACK_ALL 'A'
#define ACK_GAVE_UP 'G'

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the child ---- */

struct child {
	const struct vfe_bind_result *res;
	bool *after; /* after[i]: target i ended once the parent had given up */
	int out, ack;
	bool gave_up; /* the parent stopped waiting */
	char stop[96];
};

static void send_msg(struct child *c, uint32_t kind, size_t i, const char *step)
{
	struct msg m = { .kind = kind, .i = (uint32_t)i };

	if (step)
		snprintf(m.step, sizeof(m.step), "%s", step);
	if (kind == MSG_DONE)
		m.res = c->res[i];
	while (write(c->out, &m, sizeof(m)) < 0) {
		if (errno == EINTR)
			continue;
		c->gave_up = true; /* EPIPE: nobody reads any more */
		return;
	}
}

static void on_step(void *ud, size_t i, const char *what)
{
	send_msg(ud, MSG_STEP, i, what);
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

	if (on_stop(c) && c->after)
		c->after[i] = true;
	send_msg(c, MSG_DONE, i, NULL);
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
							   const struct vfe_bind_late *late,
							   struct vfe_bind_result *res, int out, int ack)
{
	struct child c = { .res = res, .after = calloc(p->n + 1, sizeof(bool)), .out = out, .ack = ack };
	struct vfe_bind_watch w = { on_step, on_done, on_stop, &c };
	uint64_t started = now_us();

	signal(SIGPIPE, SIG_IGN);
	kmsg_child(1);
	quiet_stdio(r);
	snprintf(c.stop, sizeof(c.stop), "the binder stopped waiting after %u.%u s", timeout_ms / 1000,
		 timeout_ms % 1000 / 100);
	vfe_bind_plan(r, p, ops, &w, res);
	send_msg(&c, MSG_END, 0, NULL);
	if (!parent_read_all(&c)) {
		wait_parent_gone(ack);
		if (late && late->late && c.after)
			late->late(late->userdata, res, c.after, now_us() - started);
	}
	log_close();
	_exit(0);
}

/* ---- the parent ---- */

struct progress {
	enum { NOT_STARTED, STARTED, FINISHED } state;
	char step[96];
};

static int read_msg(int fd, struct msg *m)
{
	size_t got = 0;

	while (got < sizeof(*m)) {
		ssize_t k = read(fd, (char *)m + got, sizeof(*m) - got);
		if (k == 0)
			return -EPIPE;
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return negative_errno();
		got += (size_t)k;
	}
	return 0;
}

enum collected { GOT_END, GOT_DEADLINE, GOT_EOF };

/* Reads reports until "done", the deadline, or the child's end. */
static enum collected collect(int fd, uint64_t deadline, const struct vfe_plan *p, struct progress *pr,
		    struct vfe_bind_result *res)
{
	for (;;) {
		uint64_t now = now_us();
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct msg m;
		int k;
		if (now >= deadline)
			return GOT_DEADLINE;
		k = poll(&pfd, 1, (int)((deadline - now + 999) / 1000));
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0)
			return GOT_DEADLINE;
		/* the end of the pipe: the child is exiting; any other error: stop waiting, never block */
		k = k < 0 ? negative_errno() : read_msg(fd, &m);
		if (k == -EPIPE)
			return GOT_EOF;
		if (k < 0)
			return GOT_DEADLINE;
		if (m.kind == MSG_END)
			return GOT_END;
		if (m.i >= p->n)
			continue;
		if (m.kind == MSG_STEP) {
			pr[m.i].state = STARTED;
			snprintf(pr[m.i].step, sizeof(pr[m.i].step), "%s", m.step);
		} else if (m.kind == MSG_DONE) {
			pr[m.i].state = FINISHED;
			res[m.i] = m.res;
		}
	}
}

/* The first target still in the kernel, for the others' reasons. */
static const char *busy_with(const struct vfe_plan *p, const struct progress *pr)
{
	for (size_t i = 0; i < p->n; i++)
		if (pr[i].state == STARTED)
			return p->t[i].dev->name;
	return NULL;
}

/* What the parent knows when it stops waiting (or the child died): each unfinished target's line. */
static void mark_unfinished(const struct vfe_plan *p, const struct progress *pr, struct vfe_bind_result *res,
			    const char *waited, bool died)
{
	const char *busy = busy_with(p, pr);

	for (size_t i = 0; i < p->n; i++) {
		struct vfe_bind_result *r = &res[i];
		if (p->t[i].action != VFE_ACT_BIND)
			continue;
		if (pr[i].state == STARTED && !died) {
			r->action = VFE_ACT_TIMEOUT;
			snprintf(r->reason, sizeof(r->reason), "still in the kernel after %s (%s had not returned); the "
				 "boot went on: when the kernel returns, the bind is finished or given back, and this "
				 "record rewritten", waited, pr[i].step);
		} else if (pr[i].state != FINISHED) {
			r->action = VFE_ACT_FAILED;
			snprintf(r->driver_after, sizeof(r->driver_after), "%s", died ? "?" : r->driver_before);
			if (died)
				snprintf(r->reason, sizeof(r->reason), "the binder's child process ended while %s",
					 pr[i].state == STARTED ? pr[i].step : "others were bound; not tried");
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

static void parent_wait(const struct vfe_plan *p, unsigned timeout_ms, struct vfe_bind_result *res, int in,
			struct progress *pr, struct vfe_bind_job *job)
{
	enum collected got;
	char waited[32];
	char a;

	snprintf(waited, sizeof(waited), "%u.%u s", timeout_ms / 1000, timeout_ms % 1000 / 100);
	got = collect(in, now_us() + (uint64_t)timeout_ms * 1000, p, pr, res);
	a = got == GOT_END ? ACK_ALL : ACK_GAVE_UP;
	(void)!write(job->ack_fd, &a, 1);
	if (got != GOT_DEADLINE) {
		/* it said "done", or its end of the pipe closed: it is exiting */
		(void)waitpid(job->pid, NULL, 0);
		job->pid = 0;
	}
	job->timed_out = got == GOT_DEADLINE;
	job->child_died = got == GOT_EOF;
	if (got != GOT_END)
		mark_unfinished(p, pr, res, waited, job->child_died);
}

void vfe_bind_bounded(const struct vfe_root *r, const struct vfe_plan *p, const struct vfe_bind_ops *ops,
		      unsigned timeout_ms, const struct vfe_bind_late *late, struct vfe_bind_result *res,
		      struct vfe_bind_job *job)
{
	_cleanup_free_ struct progress *pr = calloc(p->n + 1, sizeof(*pr));
	int out[2], ack[2];
	pid_t pid;

	*job = (struct vfe_bind_job){ .ack_fd = -1 };
	if (!timeout_ms)
		timeout_ms = VFE_BIND_TIMEOUT_MS;
	if (!pr || pipe2(out, O_CLOEXEC) < 0)
		goto inline_bind;
	if (pipe2(ack, O_CLOEXEC) < 0) {
		close(out[0]), close(out[1]);
		goto inline_bind;
	}
	log_flush(); /* what is queued is the parent's to write, not the child's too */
	pid = fork();
	if (pid == 0) {
		close(out[0]), close(ack[1]);
		child_main(r, p, ops, timeout_ms, late, res, out[1], ack[0]);
	}
	close(out[1]), close(ack[0]);
	if (pid < 0) {
		close(out[0]), close(ack[1]);
		goto inline_bind;
	}
	kmsg_reserve(1);
	job->pid = pid;
	job->ack_fd = ack[1];
	parent_wait(p, timeout_ms, res, out[0], pr, job);
	close(out[0]);
	return;

inline_bind:
	log_warning("cannot start a process to bind in (%m); binding without a time limit");
	vfe_bind_plan(r, p, ops, NULL, res);
}

void vfe_bind_job_release(struct vfe_bind_job *job)
{
	if (job->ack_fd >= 0)
		close(job->ack_fd);
	job->ack_fd = -1;
}
