// SPDX-License-Identifier: GPL-2.0-or-later
/* Placeholder until the boot-entry backends land: replaced by the real verb. */
#include "cli.h"
#include "log.h"

int verb_boot(struct vfe_cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	log_error("boot: not available in this build yet");
	return 1;
}
