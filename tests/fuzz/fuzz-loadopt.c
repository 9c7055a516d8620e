// SPDX-License-Identifier: GPL-2.0-or-later
/* EFI load options read back from Boot#### variables: description and the UCS-2 command line. */
#include "common/log.h"
#include "efi/firmware/firmware.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_max_level(-1);
	free(vfe_loadopt_desc(data, size));
	free(vfe_loadopt_cmdline(data, size));
	return 0;
}
