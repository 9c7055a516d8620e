// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * grub.cfg (menu entries and their submenu>entry ids). /etc/default/grub is
 * read by /bin/sh itself (efi/grub/grub-defaults.c), so there is no parser
 * of ours to fuzz for it.
 */
#include "common/log.h"
#include "efi/grub/grub.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_grub_cfg cfg = { 0 };
	char *text = fuzz_strdup(data, size);

	log_set_max_level(-1);
	if (vfe_grub_cfg_parse(text, &cfg) >= 0)
		vfe_grub_cfg_free(&cfg);
	free(text);
	return 0;
}
