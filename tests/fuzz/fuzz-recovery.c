// SPDX-License-Identifier: GPL-2.0-or-later
/* The recovery command line: always ends with vfio_early=off (before any "--"), and is a fixed point. */
#include "common/log.h"
#include "recovery/recovery-cmdline.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strdup(data, size), *once = NULL, *twice = NULL;

	log_set_max_level(-1);
	FUZZ_ASSERT(vfe_recovery_cmdline(in, &once) == 0);
	FUZZ_ASSERT(strstr(once, "vfio_early=off"));
	/* unbalanced quotes may regroup words on a second pass; check the fixed point only for quote-free input */
	if (!strchr(in, '"')) {
		FUZZ_ASSERT(vfe_recovery_cmdline(once, &twice) == 0);
		FUZZ_ASSERT(strcmp(once, twice) == 0);
	}
	free(twice);
	free(once);
	free(in);
	return 0;
}
