// SPDX-License-Identifier: GPL-2.0-or-later
/* Running update-grub / grub-mkconfig (see grub-run.h). */
#include <stdio.h>
#include <sys/wait.h>

#include "common/log.h"
#include "efi/grub/grub.h"

static const char *find_program(const struct vfe_root *r, bool *is_update_grub)
{
	static const char *const progs[] = { GRUB_PROG_UPDATE_GRUB, GRUB_PROG_MKCONFIG, GRUB_PROG_MKCONFIG_ALT };

	for (size_t i = 0; i < ELEMENTSOF(progs); i++)
		if (vfe_exists(r, "%s", progs[i])) {
			*is_update_grub = i == 0;
			return progs[i];
		}
	return NULL;
}

const char *vfe_grub_update_command(const struct vfe_root *r, char *buf, size_t n)
{
	bool ug;
	const char *p = find_program(r, &ug);

	if (!p)
		return NULL;
	if (ug)
		snprintf(buf, n, "%s/%s", r->path, p);
	else
		snprintf(buf, n, "%s/%s -o %s/%s", r->path, p, r->path, GRUB_PATH_CFG);
	return buf;
}

bool vfe_grub_can_update(const struct vfe_boot_ctx *ctx)
{
	char buf[512];

	return ctx->no_update || vfe_grub_update_command(ctx->root, buf, sizeof(buf));
}

static int run_argv(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return negative_errno();
	if (pid == 0) {
		/* grub-mkconfig talks on stdout and stderr: keep our stdout for our own output */
		(void)dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return negative_errno();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int vfe_grub_update(struct vfe_boot_ctx *ctx)
{
	_cleanup_free_ char *prog = NULL, *cfg = NULL;
	char cmd[1024];
	bool ug;
	const char *rel = find_program(ctx->root, &ug);
	int k;

	if (!rel && ctx->no_update) {
		sb_printf(ctx->out, GRUB_WHO ": now run: update-grub (or grub-mkconfig -o /%s)\n", GRUB_PATH_CFG);
		return 0;
	}
	if (!rel)
		return log_nothing_changed(-ENOENT, GRUB_WHO, "neither update-grub nor grub-mkconfig is installed "
					   "(Debian/Ubuntu package grub2-common)");
	vfe_grub_update_command(ctx->root, cmd, sizeof(cmd));
	if (ctx->no_update || ctx->dry_run) {
		sb_printf(ctx->out, GRUB_WHO ": %s: %s\n", ctx->dry_run ? "would run" : "now run", cmd);
		return 0;
	}
	prog = vfe_root_abspath(ctx->root, rel);
	cfg = vfe_root_abspath(ctx->root, GRUB_PATH_CFG);
	if (!prog || !cfg)
		return -ENOMEM;
	{
		char *argv_ug[] = { prog, NULL };
		char *argv_mk[] = { prog, "-o", cfg, NULL };
		k = run_argv(ug ? argv_ug : argv_mk);
	}
	if (k < 0)
		return log_error_errno(k, GRUB_WHO ": cannot run %s: %m", cmd);
	if (k > 0)
		return log_error_errno(-EIO, GRUB_WHO ": '%s' failed (exit status %d)", cmd, k);
	sb_printf(ctx->out, GRUB_WHO ": ran %s\n", cmd);
	return 0;
}
