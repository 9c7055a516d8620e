/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/root.h"

/* What every verb of the vfio-early command gets. */
struct vfe_cli {
	struct vfe_root root;
	bool real_root; /* the root is "/": changing verbs need root privileges */
	bool json;
	bool dry_run;
	bool quiet;
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
 *
 * CLI_EUSAGE lies beyond every errno value, so no real failure is ever
 * taken for a usage error (-EINVAL is a real failure: "a bridge is never
 * passed through"). A verb whose report needs its own exit statuses (status,
 * like systemctl's) gets one more positive value here and a case in
 * cli/main.c's exit_status(); any other positive value exits 1.
 */
#define CLI_EUSAGE 4096
enum {
	CLI_REPORT_FAILED = 1,
};

int verb_status(struct vfe_cli *cli, int argc, char **argv);
int verb_list(struct vfe_cli *cli, int argc, char **argv);
int verb_add(struct vfe_cli *cli, int argc, char **argv);
int verb_remove(struct vfe_cli *cli, int argc, char **argv);
int verb_boot(struct vfe_cli *cli, int argc, char **argv);
int verb_check(struct vfe_cli *cli, int argc, char **argv);
int verb_xml(struct vfe_cli *cli, int argc, char **argv);
int verb_confirm(struct vfe_cli *cli, int argc, char **argv);

/* Shared by the verbs. */
int cli_require_root(const struct vfe_cli *cli, const char *what);
/* Prints and frees sb; 0, or -ENOMEM (logged) when building it ran out of memory. */
struct strbuf;
int cli_print(struct strbuf *sb);
/*
 * Parses the common per-verb options (--json, --dry-run, -h); returns optind
 * (>= 1), 0 after printing the help, -CLI_EUSAGE after printing the usage.
 * So a verb starts with: k = cli_parse_verb_opts(...); if (k <= 0) return k;
 */
int cli_parse_verb_opts(struct vfe_cli *cli, int argc, char **argv, const char *usage, bool allow_dry_run);
/* Prints "Usage: vfio-early USAGE" on stderr; returns -CLI_EUSAGE. */
int cli_usage_error(const char *usage);
