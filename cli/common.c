// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/log.h"
#include "common/strbuf.h"

int cli_require_root(const struct vfe_cli *cli, const char *what)
{
	if (!cli->real_root || geteuid() == 0 || cli->dry_run)
		return 0;
	log_error("%s changes system files: run it as root (sudo vfio-early ...), or add --dry-run", what);
	return -EPERM;
}

int cli_parse_verb_opts(struct vfe_cli *cli, int argc, char **argv, const char *usage, bool allow_dry_run)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 'j':
			cli->json = true;
			break;
		case 'n':
			if (!allow_dry_run)
				goto bad;
			cli->dry_run = true;
			break;
		case 'h':
			printf("Usage: vfio-early %s\n", usage);
			return 0;
		default:
			goto bad;
		}
	}
	return optind;
bad:
	return cli_usage_error(usage);
}

int cli_usage_error(const char *usage)
{
	fprintf(stderr, "Usage: vfio-early %s\n", usage);
	return -CLI_EUSAGE;
}

int cli_print(struct strbuf *sb)
{
	int k = 0;

	if (sb->oom)
		k = log_error_errno(-ENOMEM, "out of memory");
	else if (sb->s)
		fputs(sb->s, stdout);
	sb_free(sb);
	return k;
}
