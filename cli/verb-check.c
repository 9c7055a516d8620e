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
#include "common/log.h"
#include "common/paths.h"

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
}

int verb_check(struct vfe_cli *cli, int argc, char **argv)
{
	static const char usage[] = "check [--json]";
	struct check_report rep = { 0 };
	struct check_env env;
	int k;

	k = cli_parse_verb_opts(cli, argc, argv, usage, false);
	if (k <= 0)
		return k;
	if (k < argc)
		return cli_usage_error(usage);
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
	k = cli->json ? check_print_json(&rep) : check_print_text(&rep);
	check_report_free(&rep);
	free_env(&env);
	return k ? CLI_REPORT_FAILED : 0;
}
