// SPDX-License-Identifier: GPL-2.0-or-later
/* kernelstub's JSON configuration: reading the options, and setting them then reading them back. */
#include "common/log.h"
#include "efi/bls/bls.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = fuzz_strdup(data, size), *opts = NULL, *out = NULL, *back = NULL;

	log_set_max_level(-1);
	if (vfe_kstub_get_options(json, &opts) >= 0 &&
	    vfe_kstub_set_options(json, "quiet splash intel_iommu=on", &out) >= 0 && out) {
		FUZZ_ASSERT(vfe_kstub_get_options(out, &back) >= 0);
		FUZZ_ASSERT(back && strcmp(back, "quiet splash intel_iommu=on") == 0);
	}
	free(back);
	free(out);
	free(opts);
	free(json);
	return 0;
}
