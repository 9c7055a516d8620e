// SPDX-License-Identifier: GPL-2.0-or-later
/* The image's record of the protected functions (early/protect.h); a record it accepts formats and parses back the same. */
#include "common/log.h"
#include "early/protect.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_protected p, back;
	char *text = fuzz_strdup(data, size), *once, *twice;

	log_set_max_level(-1);
	if (vfe_protected_parse(text, &p) == 0) {
		FUZZ_ASSERT(p.known);
		once = vfe_protected_format(&p);
		FUZZ_ASSERT(once);
		twice = strdup(once);
		FUZZ_ASSERT(twice && vfe_protected_parse(twice, &back) == 0);
		free(twice);
		twice = vfe_protected_format(&back);
		FUZZ_ASSERT(twice && strcmp(once, twice) == 0);
		for (size_t i = 0; i < p.n; i++)
			FUZZ_ASSERT(vfe_protected_find(&back, &p.v[i].addr) != NULL);
		free(once);
		free(twice);
		vfe_protected_free(&back);
		vfe_protected_free(&p);
	}
	free(text);
	return 0;
}
