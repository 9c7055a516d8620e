// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/tap.h"

struct tap_test {
	const char *name;
	tap_fn fn;
};

static struct tap_test tests[512];
static size_t n_tests;
static int failures; /* in the child: checks that failed */

void tap_register(const char *name, tap_fn fn)
{
	if (n_tests < sizeof(tests) / sizeof(tests[0]))
		tests[n_tests++] = (struct tap_test){ name, fn };
}

bool tap_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		printf("# %s:%d: check failed: %s\n", file, line, expr);
		failures++;
	}
	return ok;
}

bool tap_check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
	bool ok = got && want && strcmp(got, want) == 0;

	if (!ok) {
		printf("# %s:%d: check failed: %s\n#   got:  \"%s\"\n#   want: \"%s\"\n", file, line, expr,
		       got ? got : "(null)", want ? want : "(null)");
		failures++;
	}
	return ok;
}

bool tap_check_contains(const char *hay, const char *needle, const char *expr, const char *file, int line)
{
	bool ok = hay && needle && strstr(hay, needle);

	if (!ok) {
		printf("# %s:%d: check failed: %s\n#   text: \"%s\"\n", file, line, expr, hay ? hay : "(null)");
		failures++;
	}
	return ok;
}

static int run_one(size_t i)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		tests[i].fn();
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFSIGNALED(status))
		printf("# killed by signal %d\n", WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int tap_main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int failed = 0, num = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n_tests; i++) {
		if (only && strcmp(only, tests[i].name) != 0)
			continue;
		num++;
		int r = run_one(i);
		printf("%s %d - %s\n", r == 0 ? "ok" : "not ok", num, tests[i].name);
		failed += r != 0;
	}
	printf("1..%d\n", num);
	return failed ? 1 : 0;
}
