// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The harness itself (tests/lib/tap.c): each test here runs a small test
 * function the way tap_main runs a TEST, in a child, and checks the verdict
 * and what the child printed. So a harness that stopped failing leaks, or
 * whose REQUIRE went on, fails here.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/lib/tap.h"

static void *volatile sink;

/* Runs fn as a TEST; its output (stdout and stderr) lands in out. */
static int run(tap_fn fn, char *out, size_t n)
{
	FILE *f = tmpfile();
	size_t got;
	int verdict;

	REQUIRE(f != NULL);
	verdict = tap_run(fn, fileno(f));
	rewind(f);
	got = fread(out, 1, n - 1, f);
	out[got] = '\0';
	fclose(f);
	return verdict;
}

static void frees_what_it_allocates(void)
{
	sink = malloc(64);
	free(sink);
	sink = NULL;
	CHECK(1 + 1 == 2);
}

static void leaks(void)
{
	sink = malloc(64);
	sink = NULL; /* the only pointer to it is gone */
}

static void two_failed_checks(void)
{
	CHECK(1 + 1 == 3);
	CHECK(2 + 2 == 5);
	printf("after the checks\n");
}

static void failed_require(void)
{
	REQUIRE(1 + 1 == 3);
	printf("after the precondition\n");
}

static void skips(void)
{
	SKIP("a tool is missing");
}

TEST(a_test_that_frees_what_it_allocates_passes)
{
	char out[4096];

	CHECK(run(frees_what_it_allocates, out, sizeof(out)) == TAP_PASS);
	CHECK_STREQ(out, "");
}

TEST(a_leak_fails_the_test)
{
	char out[16384];

	if (!tap_leak_check_enabled())
		SKIP("no LeakSanitizer in this build (make check's build-asan/ has it)");
	CHECK(run(leaks, out, sizeof(out)) == TAP_FAIL);
	CHECK_CONTAINS(out, "ERROR: LeakSanitizer: detected memory leaks");
	CHECK_CONTAINS(out, "# the test leaked memory");
}

TEST(failed_checks_fail_the_test_and_it_goes_on)
{
	char out[4096];

	CHECK(run(two_failed_checks, out, sizeof(out)) == TAP_FAIL);
	CHECK_CONTAINS(out, "check failed: 1 + 1 == 3");
	CHECK_CONTAINS(out, "check failed: 2 + 2 == 5");
	CHECK_CONTAINS(out, "after the checks");
}

TEST(a_failed_require_fails_the_test_and_stops_it)
{
	char out[4096];

	CHECK(run(failed_require, out, sizeof(out)) == TAP_FAIL);
	CHECK_CONTAINS(out, "check failed: 1 + 1 == 3");
	CHECK_CONTAINS(out, "a precondition failed: the test stops here");
	CHECK(!strstr(out, "after the precondition"));
}

TEST(skip_is_its_own_verdict)
{
	char out[4096];

	CHECK(run(skips, out, sizeof(out)) == TAP_SKIP);
}

TAP_MAIN()
