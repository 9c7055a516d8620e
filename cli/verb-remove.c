// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early remove: the entries naming each device out of every config file, with the comment add wrote. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/devices.h"
#include "common/atomic.h"
#include "common/log.h"
#include "common/strv.h"
#include "early/config-edit.h"
#include "early/config.h"

static const struct cli_help remove_help = {
	.cmd = "remove",
	.usage = "[--dry-run] DEVICE...",
	.arg = "DEVICE",
	.text = "Removes the entries naming each DEVICE (an address, in any of lspci's forms, or a\n"
		"vendor:device id) from every config file, with the comment 'add' wrote above them.\n"
		"  --dry-run  print the change, write nothing\n",
};

/* Drops the entries naming spec from one file (rel has no leading '/'), with the comment 'add' put above
 * them; returns how many entries went. */
static int remove_from_file(struct vfe_cli *cli, const char *rel, const char *spec)
{
	_cleanup_free_ char *text = NULL, *new = NULL;
	struct strv removed = { 0 };
	int n, k;

	k = vfe_read_file(&cli->root, rel, VFE_CONFIG_MAX_SIZE, &text);
	if (k < 0)
		return log_error_errno(k, "cannot read /%s: %m", rel);
	n = vfe_config_remove(text, rel, spec, &new, &removed);
	if (n < 0) {
		strv_free(&removed);
		return log_error_errno(n, "out of memory");
	}
	if (n && !cli->dry_run) {
		k = vfe_write_file_atomic(&cli->root, rel, new, strlen(new), 0644, VFE_ATOMIC_KEEP_BACKUP);
		if (k < 0) {
			strv_free(&removed);
			return log_error_errno(k, "cannot write /%s: %m; nothing changed", rel);
		}
	}
	for (size_t i = 0; i < removed.n; i++)
		printf("%s /%s: - %s\n", cli->dry_run ? "Would remove from" : "Removed from", rel, removed.v[i]);
	strv_free(&removed);
	return n;
}

int verb_remove(struct vfe_cli *cli, int argc, char **argv)
{
	struct vfe_config cfg = { 0 };
	_cleanup_free_ struct cli_devarg *args = NULL;
	int k, n, first, total = 0;

	first = cli_parse_verb_opts(cli, argc, argv, &remove_help, CLI_OPT_DRY_RUN, 1, -1);
	if (first <= 0)
		return first;
	args = calloc((size_t)(argc - first), sizeof(*args));
	if (!args)
		return log_error_errno(-ENOMEM, "out of memory");
	for (int i = first; i < argc; i++)
		if (cli_devarg_parse(argv[i], &args[i - first]) < 0)
			return -CLI_EUSAGE;
	k = cli_require_root(cli, "remove");
	if (k < 0)
		return k;
	(void)vfe_config_load(&cfg, &cli->root);
	/* every argument named in the config before anything is written */
	for (int a = 0; a < argc - first && k >= 0; a++) {
		bool named = false;
		for (size_t i = 0; i < cfg.n; i++)
			named = named || vfe_entry_names_spec(&cfg.entries[i], args[a].canon);
		if (!named)
			k = log_error_errno(-ENOENT, "%s is not in the config ('vfio-early list' marks what is); nothing "
					    "changed", args[a].arg);
	}
	for (int a = 0; a < argc - first && k >= 0; a++) {
		int found = 0;
		for (size_t i = 0; i < cfg.files.n && k >= 0; i++) {
			n = remove_from_file(cli, cfg.files.v[i] + 1, args[a].canon);
			if (n < 0)
				k = n;
			else
				found += n;
		}
		total += found;
	}
	vfe_config_free(&cfg);
	if (total && !cli->dry_run)
		printf("Run 'sudo update-initramfs -u' (or 'sudo dracut -f') so the next boot's initramfs drops it.\n");
	return k < 0 ? k : 0;
}
