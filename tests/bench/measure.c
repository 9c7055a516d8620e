// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * measure: runs a few commands in turn, many times, and reports the
 * distribution of their costs and of their paired ratios, for
 * tests/bench/run.sh. Built by run.sh at bench time.
 *
 *   measure [-n ROUNDS] [-w WARMUP] [-R ROOT -L LIST] -- @NAME CMD ARGS... [@NAME CMD ARGS...]...
 *
 * A word starting with '@' names the command that follows it. One round
 * runs every command once, starting with a different one each round (so
 * none always runs right after the tree was put back); the first WARMUP
 * rounds are not counted.
 *
 * Each run: posix_spawn CMD (stdin, stdout and stderr on /dev/null), wait4().
 * posix_spawn (vfork-like: the child borrows our memory until it execs)
 * keeps this program's own pages out of the child's peak RSS.
 * wait4() gives the rusage of the child *and* of every descendant it waited
 * for, so a shell script's cat/basename processes are counted, as they must
 * be. Wall time is CLOCK_MONOTONIC from before the spawn to after wait4().
 *
 * With -R/-L, LIST names files relative to ROOT (one a line) that the
 * commands write; their content is read once before the first run and put
 * back after every run, outside the timed part, so every run starts from
 * the same tree.
 *
 * Why rounds: this machine is shared and its speed drifts from second to
 * second. Two commands measured a minute apart can differ by 30 % for no
 * reason of their own; measured in the same round, seconds apart, they see
 * the same machine. The median over rounds of the per-round ratio A/B is
 * the steadiest comparison there is here.
 *
 * Prints one line per command, "NAME key=value...", (microseconds, KiB):
 *   runs wall_med wall_min wall_max cpu_med cpu_min cpu_max cpu_p25 cpu_p75
 *   user_med sys_med rss_max
 * and one line per pair of commands A after B on the command line,
 * "A/B cpu_ratio_med=R cpu_ratio_p25=R cpu_ratio_p75=R cpu_diff_med=US
 * wall_ratio_med=R" (ratios with three decimals, the difference may be < 0).
 * Exits non-zero when a command could not be run or exited non-zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct saved {
	char *path;
	char *data;
	size_t len;
};

static struct saved *saved;
static size_t n_saved;

struct sample {
	uint64_t wall, cpu, user, sys;
	long rss;
};

struct cmd {
	const char *name;
	char **argv;
	struct sample *s; /* one per counted round */
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t tv_us(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static void fail(const char *what)
{
	fprintf(stderr, "measure: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, got = 0, k;

	if (!f)
		fail(path);
	do {
		if (got + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				fail("realloc");
		}
		k = fread(buf + got, 1, cap - got - 1, f);
		got += k;
	} while (k > 0);
	fclose(f);
	buf[got] = '\0';
	*len = got;
	return buf;
}

static void load_list(const char *root, const char *list)
{
	size_t len;
	char *text = slurp(list, &len), *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		saved = realloc(saved, (n_saved + 1) * sizeof(*saved));
		if (!saved || asprintf(&saved[n_saved].path, "%s/%s", root, line) < 0)
			fail("alloc");
		saved[n_saved].data = slurp(saved[n_saved].path, &saved[n_saved].len);
		n_saved++;
	}
	free(text);
}

static void restore(void)
{
	for (size_t i = 0; i < n_saved; i++) {
		int fd = open(saved[i].path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0 || write(fd, saved[i].data, saved[i].len) != (ssize_t)saved[i].len || close(fd) < 0)
			fail(saved[i].path);
	}
}

static struct sample run_once(char **argv)
{
	struct sample s = { 0 };
	struct rusage ru;
	int status;
	posix_spawn_file_actions_t fa;
	uint64_t t0;
	pid_t pid;
	int k;

	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, 1, 2) != 0)
		fail("posix_spawn_file_actions");
	t0 = now_us();
	k = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (k != 0) {
		errno = k;
		fail(argv[0]);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		fail("wait4");
	s.wall = now_us() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "measure: %s exited with status %d\n", argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		exit(1);
	}
	s.user = tv_us(ru.ru_utime);
	s.sys = tv_us(ru.ru_stime);
	s.cpu = s.user + s.sys;
	s.rss = ru.ru_maxrss;
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value at fraction q of v (nearest rank); sorts v. */
static double quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(size_t)(q * (double)(n - 1) + 0.5)];
}

/* One field of every sample, as doubles. */
#define FIELD(c, n, f, out)                          \
	do {                                         \
		for (size_t i_ = 0; i_ < (n); i_++)  \
			(out)[i_] = (double)(c)->s[i_].f; \
	} while (0)

static void report(const struct cmd *c, unsigned n, double *v)
{
	long rss = 0;

	printf("%s runs=%u", c->name, n);
	FIELD(c, n, wall, v);
	printf(" wall_med=%.0f wall_min=%.0f wall_max=%.0f", quantile(v, n, 0.5), quantile(v, n, 0), quantile(v, n, 1));
	FIELD(c, n, cpu, v);
	printf(" cpu_med=%.0f cpu_min=%.0f cpu_max=%.0f cpu_p25=%.0f cpu_p75=%.0f", quantile(v, n, 0.5),
	       quantile(v, n, 0), quantile(v, n, 1), quantile(v, n, 0.25), quantile(v, n, 0.75));
	FIELD(c, n, user, v);
	printf(" user_med=%.0f", quantile(v, n, 0.5));
	FIELD(c, n, sys, v);
	printf(" sys_med=%.0f", quantile(v, n, 0.5));
	for (unsigned i = 0; i < n; i++)
		if (c->s[i].rss > rss)
			rss = c->s[i].rss;
	printf(" rss_max=%ld\n", rss);
}

static void report_pair(const struct cmd *a, const struct cmd *b, unsigned n, double *v)
{
	printf("%s/%s", a->name, b->name);
	for (unsigned i = 0; i < n; i++)
		v[i] = b->s[i].cpu ? (double)a->s[i].cpu / (double)b->s[i].cpu : 0;
	printf(" cpu_ratio_med=%.3f cpu_ratio_p25=%.3f cpu_ratio_p75=%.3f", quantile(v, n, 0.5), quantile(v, n, 0.25),
	       quantile(v, n, 0.75));
	for (unsigned i = 0; i < n; i++)
		v[i] = (double)a->s[i].cpu - (double)b->s[i].cpu;
	printf(" cpu_diff_med=%.0f", quantile(v, n, 0.5));
	for (unsigned i = 0; i < n; i++)
		v[i] = b->s[i].wall ? (double)a->s[i].wall / (double)b->s[i].wall : 0;
	printf(" wall_ratio_med=%.3f\n", quantile(v, n, 0.5));
}

int main(int argc, char **argv)
{
	const char *root = NULL, *list = NULL;
	unsigned runs = 11, warmup = 1;
	struct cmd *cmds = NULL;
	size_t n = 0;
	double *v;
	int c;

	while ((c = getopt(argc, argv, "+n:w:R:L:")) >= 0) {
		switch (c) {
		case 'n':
			runs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			warmup = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'R':
			root = optarg;
			break;
		case 'L':
			list = optarg;
			break;
		default:
			return 2;
		}
	}
	/* @NAME CMD ARGS...: each '@' word ends the previous command's argv (NULL in its place) */
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] != '@')
			continue;
		cmds = realloc(cmds, (n + 1) * sizeof(*cmds));
		if (!cmds)
			fail("realloc");
		cmds[n++] = (struct cmd){ argv[i] + 1, argv + i + 1, NULL };
		argv[i] = NULL;
	}
	if (optind >= argc || argv[optind] || n == 0 || runs == 0 || !root != !list) {
		fprintf(stderr, "usage: measure [-n ROUNDS] [-w WARMUP] [-R ROOT -L LIST] -- @NAME CMD ARGS... "
				"[@NAME CMD ARGS...]...\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		if (!cmds[i].argv[0] || !(cmds[i].s = calloc(runs, sizeof(struct sample))))
			fail(cmds[i].name);
	if (list)
		load_list(root, list);
	for (unsigned r = 0; r < warmup + runs; r++)
		for (size_t j = 0; j < n; j++) {
			struct cmd *x = &cmds[(r + j) % n];
			struct sample s = run_once(x->argv);
			restore();
			if (r >= warmup)
				x->s[r - warmup] = s;
		}
	v = calloc(runs, sizeof(*v));
	if (!v)
		fail("calloc");
	for (size_t i = 0; i < n; i++)
		report(&cmds[i], runs, v);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			report_pair(&cmds[i], &cmds[j], runs, v);
	return 0;
}
