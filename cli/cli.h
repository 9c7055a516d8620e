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

/* Each verb gets argv starting at its own name; returns the exit code (0 ok, 1 failure, 2 usage). */
int verb_status(struct vfe_cli *cli, int argc, char **argv);
int verb_list(struct vfe_cli *cli, int argc, char **argv);
int verb_add(struct vfe_cli *cli, int argc, char **argv);
int verb_remove(struct vfe_cli *cli, int argc, char **argv);
int verb_boot(struct vfe_cli *cli, int argc, char **argv);
int verb_check(struct vfe_cli *cli, int argc, char **argv);
int verb_xml(struct vfe_cli *cli, int argc, char **argv);

/* Shared by the verbs. */
#define EXIT_USAGE 2
int cli_require_root(const struct vfe_cli *cli, const char *what);
/* Prints and frees sb; the exit code (1 when building it ran out of memory). */
struct strbuf;
int cli_print(struct strbuf *sb);
/* Parses the common per-verb options (--json, --dry-run, -h); returns optind, -1 to exit 0, -2 on usage error. */
int cli_parse_verb_opts(struct vfe_cli *cli, int argc, char **argv, const char *usage, bool allow_dry_run);
