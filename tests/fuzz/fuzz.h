/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Shared by the libFuzzer targets tests/fuzz/fuzz-<name>.c. Each target
 * defines LLVMFuzzerTestOneInput; built with -fsanitize=fuzzer it is a
 * fuzzer, linked with driver.c instead it replays files (make check).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (an embedded NUL ends it early, as for a C reader). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A property that must hold: abort, so the fuzzer records the input. */
#define FUZZ_ASSERT(cond)                                                                                        \
	do {                                                                                                     \
		if (!(cond))                                                                                     \
			abort();                                                                                 \
	} while (0)
