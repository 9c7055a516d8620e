// SPDX-License-Identifier: GPL-2.0-or-later
/* Boot Loader Specification entries; replacing the options must keep every other line. */
#include "common/log.h"
#include "efi/bls/bls.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_bls_entry e = { 0 }, again = { 0 };
	char *text = fuzz_strdup(data, size), *set;

	log_set_max_level(-1);
	if (vfe_bls_parse(text, &e) == 0) {
		set = vfe_bls_set_options(text, "quiet vfio_early=off");
		if (set) {
			FUZZ_ASSERT(vfe_bls_parse(set, &again) == 0);
			FUZZ_ASSERT(!e.kernel == !again.kernel && (!e.kernel || strcmp(e.kernel, again.kernel) == 0));
			FUZZ_ASSERT(again.initrd.n == e.initrd.n);
			vfe_bls_entry_free(&again);
			free(set);
		}
	}
	vfe_bls_entry_free(&e);
	free(text);
	return 0;
}
