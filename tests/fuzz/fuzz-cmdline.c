// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel command line, fed what a boot loader or a user may type: the binder's parse and the edits. */
#include "common/kcmdline.h"
#include "common/log.h"
#include "early/cmdline.h"
#include "tests/fuzz/fuzz.h"

/* What add puts in is there after, what remove takes out is gone (quote-free input: quotes may regroup words). */
static void edits(const char *text)
{
	char *added = NULL, *replaced = NULL, *removed = NULL;

	if (strchr(text, '"') || vfe_kparams_add(text, "iommu=pt", &added, &replaced) < 0)
		return;
	FUZZ_ASSERT(vfe_kparams_has(added, "iommu=pt"));
	if (vfe_kparams_remove(added, "iommu=pt", NULL, &removed) >= 0)
		FUZZ_ASSERT(!vfe_kparams_has(removed, "iommu=pt"));
	free(removed);
	free(replaced);
	free(added);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_cmdline c;
	char *text = fuzz_strdup(data, size);

	log_set_max_level(-1);
	if (vfe_cmdline_parse(text, &c) == 0) {
		FUZZ_ASSERT(!c.off || c.off_reason);
		FUZZ_ASSERT(c.off == vfe_kcmdline_passthrough_off(text, NULL, 0));
		for (size_t i = 0; i < c.extra.n; i++)
			FUZZ_ASSERT(c.extra.entries[i].has_addr || c.extra.entries[i].has_id);
		vfe_cmdline_free(&c);
	}
	edits(text);
	free(text);
	return 0;
}
