// SPDX-License-Identifier: GPL-2.0-or-later
/* The GRUB environment block: what parses must format back to a block that parses to the same variables. */
#include "common/log.h"
#include "efi/grub/grub.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_grubenv env = { 0 }, again = { 0 };
	char block[GRUBENV_SIZE];
	const char *err;

	log_set_max_level(-1);
	if (vfe_grubenv_parse((const char *)data, size, &env, &err) == 0) {
		if (vfe_grubenv_format(&env, block) == 0) {
			FUZZ_ASSERT(vfe_grubenv_parse(block, GRUBENV_SIZE, &again, &err) == 0);
			FUZZ_ASSERT(again.n == env.n);
			for (size_t i = 0; i < env.n; i++) {
				const char *v = vfe_grubenv_get(&again, env.names[i]);
				FUZZ_ASSERT(v && strcmp(v, env.values[i]) == 0);
			}
			vfe_grubenv_free(&again);
		}
	}
	vfe_grubenv_free(&env);
	return 0;
}
