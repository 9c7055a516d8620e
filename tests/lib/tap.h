/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <string.h>

/*
 * A minimal TAP harness: each TEST runs in its own child process, prints
 * "ok N - name" or "not ok N - name" with "# ..." diagnostics, and the
 * program exits non-zero when any test failed. tests/run.sh counts the lines.
 */
typedef void (*tap_fn)(void);
void tap_register(const char *name, tap_fn fn);
bool tap_check(bool ok, const char *expr, const char *file, int line);
bool tap_check_str(const char *got, const char *want, const char *expr, const char *file, int line);
bool tap_check_contains(const char *hay, const char *needle, const char *expr, const char *file, int line);
int tap_main(int argc, char **argv);

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
#define TAP_MAIN()                                                                                               \
	int main(int argc, char **argv)                                                                          \
	{                                                                                                        \
		return tap_main(argc, argv);                                                                     \
	}
