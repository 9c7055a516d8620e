/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <string.h>

/*
 * A minimal TAP harness: each TEST runs in its own child process, prints
 * "ok N - name" or "not ok N - name" with "# ..." diagnostics, and the
 * program exits non-zero when any test failed. tests/run.sh counts the lines.
 *
 *   CHECK(cond)      an expectation: a failure is reported and the test goes on
 *   REQUIRE(cond)    a precondition (the fake tree was made, the setup call
 *                    worked, the pointer the next lines use is not NULL): a
 *                    failure is reported and the test stops right there, so a
 *                    broken setup is one failure, not a cascade or a crash.
 *                    A stopped test leaves its fake tree in $TMPDIR to look at.
 *   SKIP(why)        the test cannot run here (a tool is missing): it stops and
 *                    is reported as "ok N - name # SKIP why".
 *
 * In a build with LeakSanitizer (make check's build-asan/), memory a test
 * allocated and left unreachable when it returns fails that test. A test
 * still running after two minutes is killed and fails.
 */
typedef void (*tap_fn)(void);
void tap_register(const char *name, tap_fn fn);
bool tap_check(bool ok, const char *expr, const char *file, int line);
bool tap_check_str(const char *got, const char *want, const char *expr, const char *file, int line);
bool tap_check_contains(const char *hay, const char *needle, const char *expr, const char *file, int line);
_Noreturn void tap_stop(const char *file, int line);
_Noreturn void tap_skip(const char *why);
int tap_main(int argc, char **argv);

/* A test's verdict. */
enum { TAP_PASS = 0, TAP_FAIL = 1, TAP_SKIP = 77 };

/*
 * Runs fn as the harness runs a TEST, in a child process whose stdout and
 * stderr go to out_fd (-1: this process's own); returns TAP_PASS, TAP_FAIL or
 * TAP_SKIP. For the tests of the harness itself (tests/unit/test-tap.c).
 */
int tap_run(tap_fn fn, int out_fd);
/* Whether this build fails a test that leaks (LeakSanitizer linked in and not turned off). */
bool tap_leak_check_enabled(void);

#define TEST(name)                                                                                               \
	static void name(void);                                                                                  \
	__attribute__((constructor)) static void tap_reg_##name(void)                                            \
	{                                                                                                        \
		tap_register(#name, name);                                                                       \
	}                                                                                                        \
	static void name(void)

#define CHECK(cond) tap_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STREQ(got, want) tap_check_str((got), (want), #got " == " #want, __FILE__, __LINE__)
#define CHECK_CONTAINS(hay, needle) tap_check_contains((hay), (needle), #hay " contains " #needle, __FILE__, __LINE__)
#define REQUIRE(cond)                                                                                            \
	do {                                                                                                     \
		if (!tap_check(!!(cond), #cond, __FILE__, __LINE__))                                             \
			tap_stop(__FILE__, __LINE__);                                                            \
	} while (0)
#define SKIP(why) tap_skip(why)
#define TAP_MAIN()                                                                                               \
	int main(int argc, char **argv)                                                                          \
	{                                                                                                        \
		return tap_main(argc, argv);                                                                     \
	}
