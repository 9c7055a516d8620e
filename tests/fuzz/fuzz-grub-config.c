// SPDX-License-Identifier: GPL-2.0-or-later
/* /etc/default/grub (shell assignments) and grub.cfg (menu entries and ids). */
#include "common/log.h"
#include "efi/grub/grub.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_grubenv vars = { 0 };
	struct vfe_grub_cfg cfg = { 0 };
	char *text = fuzz_strdup(data, size), *err = NULL;

	log_set_max_level(-1);
	/* the caller owns what was assigned before an error, as vfe_grub_defaults_load() does */
	(void)vfe_grub_defaults_parse(text, &vars, &err);
	vfe_grubenv_free(&vars);
	free(err);
	if (vfe_grub_cfg_parse(text, &cfg) >= 0)
		vfe_grub_cfg_free(&cfg);
	free(text);
	return 0;
}
