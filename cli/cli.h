/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "common/macro.h"
#include "common/root.h"

/* What every verb of the vfio-early command gets. */
struct vfe_cli {
	struct vfe_root root;
	bool real_root; /* the root is "/": changing verbs need root privileges */
	bool json;
	bool dry_run;
	bool quiet;     /* -q: nothing on standard output, errors only on standard error */
	bool color;     /* standard output is a terminal, NO_COLOR is unset and TERM is not "dumb" */
};

/*
 * Each verb gets argv starting at its own name and returns one of these;
 * main() alone turns it into the exit status vfio-early(8) documents:
 *
 *   0                   success (also after --help)                    exit 0
 *   -errno              failed; the verb logged why (one line)         exit 1
 *   -CLI_EUSAGE         a usage error; the verb said what is wrong     exit 2
 *   CLI_REPORT_FAILED   ran and printed its report, which holds a
 *                       failure (check: an item failed)                exit 1
 *   CLI_STATUS_*        status: what the report found, like
 *                       systemctl's statuses                           exit 3, 4, 5
 *
 * CLI_EUSAGE lies beyond every errno value, so no real failure is ever
 * taken for a usage error (-EINVAL is a real failure: "a bridge is never
 * passed through"). Any other positive value exits 1.
 */
#define CLI_EUSAGE 4096
enum {
	CLI_REPORT_FAILED = 1,
	CLI_STATUS_DEGRADED, /* a configured device is not as configured (refused, failed, not bound now) */
	CLI_STATUS_RECOVERY, /* a recovery boot: passthrough turned off on purpose, nothing bound */
	CLI_STATUS_NOT_RUN,  /* the binder did not run this boot (no status record) */
};

int verb_status(struct vfe_cli *cli, int argc, char **argv);
int verb_list(struct vfe_cli *cli, int argc, char **argv);
int verb_add(struct vfe_cli *cli, int argc, char **argv);
int verb_remove(struct vfe_cli *cli, int argc, char **argv);
int verb_boot(struct vfe_cli *cli, int argc, char **argv);
int verb_check(struct vfe_cli *cli, int argc, char **argv);
int verb_xml(struct vfe_cli *cli, int argc, char **argv);
int verb_confirm(struct vfe_cli *cli, int argc, char **argv);

/*
 * What a verb (or a boot command) says about itself: --help prints
 * "Usage: vfio-early CMD USAGE" and the text on standard output; a usage
 * error names what is wrong, then quotes the usage, on standard error.
 */
struct cli_help {
	const char *cmd;   /* "add", "boot recovery" */
	const char *usage; /* "[OPTIONS] DEVICE..." */
	const char *arg;   /* what the arguments are, for "DEVICE is missing"; NULL when there are none */
	const char *text;  /* the rest of --help: what it does, its options; may be NULL */
};

/* Prints the help on standard output; returns 0 (a verb does: case 'h': return cli_help(&help);). */
int cli_help(const struct cli_help *h);
/* "vfio-early CMD: WHAT IS WRONG", the usage and where the help is, on stderr; returns -CLI_EUSAGE. */
int cli_usage_error(const struct cli_help *h, const char *fmt, ...) _printf_(2, 3);

/*
 * getopt_long() for a verb: returns the next option's value (> 0), 0 after
 * the last one (optind is then the first argument), or -CLI_EUSAGE after
 * naming an unknown option or a missing option argument. Options may come
 * after the arguments ("add 05:00.0 --group"), as GNU getopt permutes them.
 */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, const struct cli_help *h);

/* For the verbs with only the shared options: which of them it takes. */
enum {
	CLI_OPT_JSON = 1 << 0,
	CLI_OPT_DRY_RUN = 1 << 1,
};
/*
 * Parses those options and checks the number of arguments (min..max);
 * returns optind (>= 1), 0 after printing the help, -CLI_EUSAGE after a
 * usage error. A verb starts with: k = cli_parse_verb_opts(...); if (k <= 0) return k;
 */
int cli_parse_verb_opts(struct vfe_cli *cli, int argc, char **argv, const struct cli_help *h, unsigned opts,
			int min_args, int max_args);
/* Checks that argv[first..argc) holds min..max arguments (max < 0: no limit); -CLI_EUSAGE when not. */
int cli_check_args(const struct cli_help *h, int argc, char **argv, int first, int min_args, int max_args);

/* Shared by the verbs. */
int cli_require_root(const struct vfe_cli *cli, const char *what);
/* Prints and frees sb; 0, or -ENOMEM (logged) when building it ran out of memory. */
struct strbuf;
int cli_print(struct strbuf *sb);

/* Colours for results on a terminal (cli->color); "" otherwise. */
enum cli_color { CLI_GREEN, CLI_YELLOW, CLI_RED, CLI_BOLD, CLI_RESET };
const char *cli_color(const struct vfe_cli *cli, enum cli_color c);
/* Whether the command talks to a person: standard input and error are terminals and -q was not given. */
bool cli_interactive(const struct vfe_cli *cli);
