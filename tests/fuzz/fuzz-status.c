// SPDX-License-Identifier: GPL-2.0-or-later
/* The status record parser; a record it accepts must format and parse back to the same text. */
#include "common/log.h"
#include "early/status.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_status s, back;
	char *text = fuzz_strdup(data, size), *once, *twice;
	const char *err;
	unsigned line;

	log_set_max_level(-1);
	if (vfe_status_parse(text, &s, &err, &line) == 0) {
		once = vfe_status_format(&s);
		FUZZ_ASSERT(once);
		twice = strdup(once);
		FUZZ_ASSERT(twice);
		FUZZ_ASSERT(vfe_status_parse(twice, &back, &err, &line) == 0);
		free(twice);
		twice = vfe_status_format(&back);
		FUZZ_ASSERT(twice && strcmp(once, twice) == 0);
		free(once);
		free(twice);
		vfe_status_free(&back);
		vfe_status_free(&s);
	} else {
		FUZZ_ASSERT(err);
	}
	free(text);
	return 0;
}
