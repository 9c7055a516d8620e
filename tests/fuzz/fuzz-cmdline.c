// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel command line parser, fed what a boot loader or a user may type. */
#include "common/log.h"
#include "early/cmdline.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_cmdline c;
	char *text = fuzz_strdup(data, size);

	log_set_max_level(-1);
	if (vfe_cmdline_parse(text, &c) == 0) {
		FUZZ_ASSERT(!c.off || c.off_reason);
		for (size_t i = 0; i < c.extra.n; i++)
			FUZZ_ASSERT(c.extra.entries[i].has_addr || c.extra.entries[i].has_id);
		vfe_cmdline_free(&c);
	}
	free(text);
	return 0;
}
