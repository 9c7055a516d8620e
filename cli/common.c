// SPDX-License-Identifier: GPL-2.0-or-later
/* What the verbs share: the help and usage errors, option parsing, privileges, output, colour. */
#include <stdarg.h>
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

int cli_help(const struct cli_help *h)
{
	printf("Usage: vfio-early %s %s\n", h->cmd, h->usage);
	if (h->text)
		printf("\n%s", h->text);
	return 0;
}

int cli_usage_error(const struct cli_help *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vfio-early %s: ", h->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: vfio-early %s %s\nTry 'vfio-early %s --help'.\n", h->cmd, h->usage, h->cmd);
	return -CLI_EUSAGE;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, const struct cli_help *h)
{
	char opts[32];
	int c;

	/* ':' first: a missing option argument is ':', an unknown option '?', and getopt itself prints nothing */
	snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c == -1)
		return 0;
	if (c == '?' && optopt)
		return cli_usage_error(h, "unknown option '-%c'", optopt);
	if (c == '?')
		return cli_usage_error(h, "unknown option '%s'", argv[optind - 1]);
	if (c == ':')
		return cli_usage_error(h, "option '%s' needs a value", argv[optind - 1]);
	return c;
}

int cli_check_args(const struct cli_help *h, int argc, char **argv, int first, int min_args, int max_args)
{
	int n = argc - first;

	if (n < min_args)
		return cli_usage_error(h, "%s is missing", h->arg ? h->arg : "an argument");
	if (max_args >= 0 && n > max_args)
		return cli_usage_error(h, "unexpected argument '%s'", argv[first + max_args]);
	return first;
}

int cli_parse_verb_opts(struct vfe_cli *cli, int argc, char **argv, const struct cli_help *h, unsigned opts,
			int min_args, int max_args)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = cli_getopt(argc, argv, "h", options, h)) > 0) {
		switch (c) {
		case 'j':
			if (!(opts & CLI_OPT_JSON))
				return cli_usage_error(h, "there is no --json output of '%s'", h->cmd);
			cli->json = true;
			break;
		case 'n':
			if (!(opts & CLI_OPT_DRY_RUN))
				return cli_usage_error(h, "'%s' changes nothing: --dry-run does not apply", h->cmd);
			cli->dry_run = true;
			break;
		case 'h':
			return cli_help(h);
		}
	}
	if (c < 0)
		return c;
	return cli_check_args(h, argc, argv, optind, min_args, max_args);
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

const char *cli_color(const struct vfe_cli *cli, enum cli_color c)
{
	static const char *const seq[] = {
		[CLI_GREEN] = "\033[32m", [CLI_YELLOW] = "\033[33m", [CLI_RED] = "\033[1;31m",
		[CLI_BOLD] = "\033[1m",   [CLI_RESET] = "\033[0m",
	};

	return cli->color ? seq[c] : "";
}

bool cli_interactive(const struct vfe_cli *cli)
{
	return !cli->quiet && isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}
