// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early check: the manual passthrough checklist, item by item, as
 * pass / warn / fail with the fix. Reads only; works unprivileged (some
 * items need root to see: the kernel log, /proc/iomem addresses).
 * Exit status: 0 when nothing failed (warnings allowed), 1 otherwise
 * (CLI_REPORT_FAILED).
 */
#include <stdio.h>
#include <sys/utsname.h>

#include "check/check.h"
#include "cli/cli.h"
#include "cli/json.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/strbuf.h"

#define PATH_OSRELEASE "proc/sys/kernel/osrelease"

static void load_env(struct vfe_cli *cli, struct check_env *env, struct check_report *rep)
{
	struct utsname u;

	*env = (struct check_env){ .root = &cli->root, .rep = rep };
	/* under --root the tree's own release, so a fake tree can name its kernel */
	if (vfe_read_attr(&cli->root, env->release, sizeof(env->release), PATH_OSRELEASE) <= 0) {
		if (uname(&u) == 0)
			snprintf(env->release, sizeof(env->release), "%s", u.release);
	}
	if (vfe_read_file(&cli->root, PATH_CMDLINE, 64 * 1024, &env->cmdline) < 0)
		env->cmdline = NULL;
	(void)vfe_config_load(&env->cfg, &cli->root);
	env->pci_err = vfe_pci_scan(&cli->root, &env->pci);
	if (env->pci_err == 0)
		vfe_pci_fill_all(&env->pci);
}

static void free_env(struct check_env *env)
{
	free(env->cmdline);
	vfe_config_free(&env->cfg);
	if (env->pci_err == 0)
		vfe_pci_free(&env->pci);
	if (env->have_image)
		vfe_initramfs_free(&env->image);
}

static const struct cli_help help = {
	.cmd = "check",
	.usage = "[--json]",
	.text = "The passthrough checklist, item by item: [ ok ], [warn], [FAIL] or [skip] (not checked\n"
		"here), each warning and failure with its fix: the exact command or step. Changes nothing;\n"
		"some items need root to see (the kernel log, /proc/iomem addresses).\n\n"
		"  --json  machine-readable (docs/json.md)\n\n"
		"Exit status: 0 nothing failed (warnings allowed), 1 an item failed. With -q only the\n"
		"failures are printed, on standard error.\n",
};

int verb_check(struct vfe_cli *cli, int argc, char **argv)
{
	struct check_report rep = { 0 };
	struct check_env env;
	int k;

	k = cli_parse_verb_opts(cli, argc, argv, &help, CLI_OPT_JSON, 0, 0);
	if (k <= 0)
		return k;
	load_env(cli, &env, &rep);
	check_cpu(&env);
	check_iommu(&env);
	check_cmdline(&env);
	check_modules(&env);
	check_initramfs(&env);
	check_devices(&env);
	check_modprobe(&env);
	check_firmware(&env);
	check_boot_entries(&env);
	if (cli->json) {
		struct strbuf sb = { 0 };
		json_begin(&sb);
		k = check_print_json(&rep, &sb);
		sb_puts(&sb, "}\n");
		if (cli_print(&sb) < 0)
			k = 1;
	} else {
		k = check_print_text(&rep, cli->color, cli->quiet);
	}
	check_report_free(&rep);
	free_env(&env);
	return k ? CLI_REPORT_FAILED : 0;
}
