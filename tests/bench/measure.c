// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * measure: runs a command repeatedly and reports the distribution of its
 * cost, for tests/bench/run.sh. Built by run.sh at bench time.
 *
 *   measure [-n RUNS] [-w WARMUP] [-R ROOT -L LIST] [-b BASELINE] -- CMD ARGS...
 *
 * Each run: posix_spawn CMD (stdin, stdout and stderr on /dev/null), wait4().
 * posix_spawn (vfork-like: the child borrows our memory until it execs)
 * keeps this program's own pages out of the child's peak RSS.
 * wait4() gives the rusage of the child *and* of every descendant it waited
 * for, so a shell script's cat/basename processes are counted, as they must
 * be. Wall time is CLOCK_MONOTONIC from before the spawn to after wait4().
 *
 * With -R/-L, LIST names files relative to ROOT (one a line) that the
 * command writes; their content is read once before the first run and put
 * back after every run, outside the timed part, so every run starts from
 * the same tree.
 *
 * With -b, the program BASELINE (no arguments) runs right before every run
 * of CMD, and the median of the paired differences CMD - BASELINE is
 * reported too: on a shared machine whose speed drifts from second to
 * second, that is the steadiest estimate of what CMD costs beyond BASELINE.
 *
 * Prints one line of key=value pairs (microseconds, KiB):
 *   runs wall_med wall_min wall_max cpu_med cpu_min cpu_max cpu_p25 cpu_p75
 *   user_med sys_med rss_max, and with -b: base_cpu_med base_wall_med
 *   own_cpu_med own_wall_med (medians of the paired differences, may be < 0)
 * Exits non-zero when the command could not be run or exited non-zero.
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

struct sample {
	uint64_t wall, cpu, user, sys;
	long rss;
};

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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value at fraction q of the sorted v (nearest rank). */
static uint64_t quantile(uint64_t *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);

	qsort(v, n, sizeof(*v), cmp_u64);
	return v[i];
}

static int cmp_s64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t squantile(int64_t *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_s64);
	return v[(size_t)(q * (double)(n - 1) + 0.5)];
}

int main(int argc, char **argv)
{
	const char *root = NULL, *list = NULL, *base = NULL;
	unsigned runs = 11, warmup = 1;
	uint64_t *wall, *cpu, *user, *sys, *bcpu, *bwall;
	int64_t *dcpu, *dwall;
	long rss = 0;
	int c;

	while ((c = getopt(argc, argv, "+n:w:R:L:b:")) >= 0) {
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
		case 'b':
			base = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc || runs == 0 || !root != !list) {
		fprintf(stderr, "usage: measure [-n RUNS] [-w WARMUP] [-R ROOT -L LIST] [-b BASELINE] -- CMD ARGS...\n");
		return 2;
	}
	if (list)
		load_list(root, list);
	wall = calloc(runs, sizeof(*wall));
	cpu = calloc(runs, sizeof(*cpu));
	user = calloc(runs, sizeof(*user));
	sys = calloc(runs, sizeof(*sys));
	bcpu = calloc(runs, sizeof(*bcpu));
	bwall = calloc(runs, sizeof(*bwall));
	dcpu = calloc(runs, sizeof(*dcpu));
	dwall = calloc(runs, sizeof(*dwall));
	if (!wall || !cpu || !user || !sys || !bcpu || !bwall || !dcpu || !dwall)
		fail("calloc");
	for (unsigned i = 0; i < warmup + runs; i++) {
		char *bargv[] = { (char *)base, NULL };
		struct sample b = base ? run_once(bargv) : (struct sample){ 0 };
		struct sample s = run_once(argv + optind);
		restore();
		if (i < warmup)
			continue;
		bcpu[i - warmup] = b.cpu;
		bwall[i - warmup] = b.wall;
		dcpu[i - warmup] = (int64_t)s.cpu - (int64_t)b.cpu;
		dwall[i - warmup] = (int64_t)s.wall - (int64_t)b.wall;
		wall[i - warmup] = s.wall;
		cpu[i - warmup] = s.cpu;
		user[i - warmup] = s.user;
		sys[i - warmup] = s.sys;
		if (s.rss > rss)
			rss = s.rss;
	}
	printf("runs=%u wall_med=%llu wall_min=%llu wall_max=%llu", runs,
	       (unsigned long long)quantile(wall, runs, 0.5), (unsigned long long)quantile(wall, runs, 0),
	       (unsigned long long)quantile(wall, runs, 1));
	printf(" cpu_med=%llu cpu_min=%llu cpu_max=%llu cpu_p25=%llu cpu_p75=%llu",
	       (unsigned long long)quantile(cpu, runs, 0.5), (unsigned long long)quantile(cpu, runs, 0),
	       (unsigned long long)quantile(cpu, runs, 1), (unsigned long long)quantile(cpu, runs, 0.25),
	       (unsigned long long)quantile(cpu, runs, 0.75));
	printf(" user_med=%llu sys_med=%llu rss_max=%ld", (unsigned long long)quantile(user, runs, 0.5),
	       (unsigned long long)quantile(sys, runs, 0.5), rss);
	if (base)
		printf(" base_cpu_med=%llu base_wall_med=%llu own_cpu_med=%lld own_wall_med=%lld",
		       (unsigned long long)quantile(bcpu, runs, 0.5), (unsigned long long)quantile(bwall, runs, 0.5),
		       (long long)squantile(dcpu, runs, 0.5), (long long)squantile(dwall, runs, 0.5));
	putchar('\n');
	return 0;
}
