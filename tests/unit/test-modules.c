// SPDX-License-Identifier: GPL-2.0-or-later
/* Loading vfio-pci: the options modprobe.d and the command line give it, without ids=. */
#include <stdlib.h>

#include "early/modules.h"
#include "tests/lib/tap.h"

TEST(ids_are_left_out_the_rest_stays)
{
	static const char *const drop[] = { "ids", NULL };
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "ids=1234:1111", "" },
		{ "ids=10de:2684,10de:22ba disable_vga=1", "disable_vga=1" },
		{ "disable_idle_d3=1 ids=1234:1111  nointxmask=1", "disable_idle_d3=1 nointxmask=1" },
		{ "x=\"a ids=b\" ids=1", "x=\"a ids=b\"" },
		{ "idsx=1 ids", "idsx=1" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = vfe_modules_filter_options(cases[i].in, drop);
		CHECK_STREQ(out, cases[i].out);
		free(out);
	}
	{
		char *out = vfe_modules_filter_options(NULL, drop);
		CHECK_STREQ(out, "");
		free(out);
	}
}

TAP_MAIN()
