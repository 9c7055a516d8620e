/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/*
 * The value of one hex digit, or -1. A table rather than three range tests:
 * the binder parses the name and the modalias of every PCI function at
 * every boot, 47 digits each.
 */
static inline int hex_digit(char c)
{
	/* the value plus one; 0 for any other byte */
	static const uint8_t v1[256] = {
		['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
		['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
		['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	};

	return v1[(unsigned char)c] - 1;
}
