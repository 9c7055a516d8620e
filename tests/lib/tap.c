// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/tap.h"

/* LeakSanitizer is part of ASan (clang says so through __has_feature, gcc through __SANITIZE_ADDRESS__). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_LEAK__)
#define TAP_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define TAP_LSAN 1
#endif
#endif
#ifdef TAP_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define SKIP_WHY_MAX 256
/* A test that hangs is killed (SIGALRM) and fails, rather than stopping the whole run. */
#define TEST_TIMEOUT_S 120

struct tap_test {
	const char *name;
	tap_fn fn;
};

static struct tap_test tests[512];
static size_t n_tests;
static int failures;   /* in the child: checks that failed */
static char *skip_why; /* in the child: where SKIP's reason goes, a page shared with the parent */

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

/* Ends the child. _exit, not exit: the child must not run the handlers the program registered with atexit. */
_Noreturn static void child_exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

_Noreturn void tap_stop(const char *file, int line)
{
	printf("# %s:%d: a precondition failed: the test stops here\n", file, line);
	/* no leak check: what the test allocated up to here is still in use */
	child_exit(TAP_FAIL);
}

_Noreturn void tap_skip(const char *why)
{
	if (skip_why)
		snprintf(skip_why, SKIP_WHY_MAX, "%s", why && *why ? why : "skipped");
	child_exit(TAP_SKIP);
}

bool tap_leak_check_enabled(void)
{
#ifdef TAP_LSAN
	const char *o = getenv("ASAN_OPTIONS"), *l = getenv("LSAN_OPTIONS");

	return !(o && strstr(o, "detect_leaks=0")) && !(l && strstr(l, "detect_leaks=0"));
#else
	return false;
#endif
}

/*
 * Zeroes the stack where the test's frames were. LeakSanitizer takes any word
 * on the stack for a pointer, and a stale copy of one in a dead frame (a
 * local of the test, or ASan's redzones around it, which nothing clears)
 * would hide a leak: it did for two tests of test-binder. Not instrumented,
 * so the buffer has no redzones of its own.
 */
__attribute__((noinline, no_sanitize("address"))) static void scrub_stack(void)
{
	char junk[256 * 1024];

	explicit_bzero(junk, sizeof(junk));
}

/*
 * What the test left allocated and unreachable once it returned: LeakSanitizer
 * prints its report on stderr and the test fails. (Its own check at exit would
 * do the same, but only through exit(), which the child does not call.)
 */
static void leak_check(void)
{
#ifdef TAP_LSAN
	fflush(stdout);
	if (__lsan_do_recoverable_leak_check()) {
		printf("# the test leaked memory: LeakSanitizer's report above names the allocations\n");
		failures++;
	}
#endif
}

static int run_child(tap_fn fn, int out_fd, char *why, size_t why_size)
{
	char *page, *saved = skip_why;
	int status, verdict;
	pid_t pid;

	page = mmap(NULL, SKIP_WHY_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return TAP_FAIL;
	page[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		munmap(page, SKIP_WHY_MAX);
		return TAP_FAIL;
	}
	if (pid == 0) {
		skip_why = page;
		failures = 0;
		if (out_fd >= 0 && (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0))
			child_exit(TAP_FAIL);
		alarm(TEST_TIMEOUT_S);
		fn();
		scrub_stack();
		leak_check();
		child_exit(failures ? TAP_FAIL : TAP_PASS);
	}
	skip_why = saved;
	verdict = TAP_FAIL;
	if (waitpid(pid, &status, 0) == pid) {
		if (WIFSIGNALED(status))
			printf("# killed by signal %d\n", WTERMSIG(status));
		else if (WEXITSTATUS(status) == TAP_PASS || WEXITSTATUS(status) == TAP_SKIP)
			verdict = WEXITSTATUS(status);
	}
	if (why)
		snprintf(why, why_size, "%s", page);
	munmap(page, SKIP_WHY_MAX);
	return verdict;
}

int tap_run(tap_fn fn, int out_fd)
{
	return run_child(fn, out_fd, NULL, 0);
}

int tap_main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int failed = 0, num = 0;
	char why[SKIP_WHY_MAX];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n_tests; i++) {
		if (only && strcmp(only, tests[i].name) != 0)
			continue;
		num++;
		int r = run_child(tests[i].fn, -1, why, sizeof(why));
		if (r == TAP_SKIP)
			printf("ok %d - %s # SKIP %s\n", num, tests[i].name, why);
		else
			printf("%s %d - %s\n", r == TAP_PASS ? "ok" : "not ok", num, tests[i].name);
		failed += r == TAP_FAIL;
	}
	printf("1..%d\n", num);
	return failed ? 1 : 0;
}
