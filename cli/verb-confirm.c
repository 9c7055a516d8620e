// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early confirm: this boot's host display works. The automatic
 * fallback (docs/fallback.md) counts passthrough boots that nobody
 * confirmed; this stops the count, in every boot loader in use. By hand (or
 * from SSH) it always confirms; --auto and --session are the shipped
 * callers, which confirm only what they saw: a lit DRM connector on a GPU
 * the host kept, or a local graphical session on seat0.
 */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "check/host-display.h"
#include "cli/cli.h"
#include "common/atomic.h"
#include "common/kcmdline.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/config.h"
#include "early/status.h"
#include "efi/boot.h"

#define DEFAULT_TIMEOUT_S 90
/* Written once this boot needs nothing more: the session path unit stops starting us (ConditionPathExists). */
#define PATH_CONFIRM_DONE PATH_STATUS_DIR "/confirm-done"

enum how { HOW_MANUAL, HOW_AUTO, HOW_SESSION };

struct confirm_args {
	enum how how;
	unsigned timeout;
};

static const struct cli_help help = {
	.cmd = "confirm",
	.usage = "[--auto [--timeout=SECONDS] | --session] [--dry-run]",
	.arg = NULL,
	.text = "Marks this boot's host display as working: the automatic fallback stops counting passthrough\n"
		"boots without a confirmed display (until the next kernel or config change). After the\n"
		"fallback, by hand, it returns to passthrough. See vfio-early(8), docs/fallback.md.\n\n"
		"  (no option)         by hand or from SSH: always confirms\n"
		"  --auto              confirm only when a DRM connector is connected and enabled on a GPU\n"
		"                      that is not vfio-pci's, or a local graphical session runs on seat0;\n"
		"                      waits up to --timeout seconds (default 90); fails when none shows up\n"
		"  --session           confirm only when a local graphical session runs on seat0; no wait\n"
		"  --dry-run           say what would change, change nothing\n",
};

enum { ARG_AUTO = 0x100, ARG_SESSION, ARG_TIMEOUT, ARG_DRY_RUN };

static int parse_args(struct vfe_cli *cli, int argc, char **argv, struct confirm_args *a)
{
	static const struct option options[] = {
		{ "auto", no_argument, NULL, ARG_AUTO },	   { "session", no_argument, NULL, ARG_SESSION },
		{ "timeout", required_argument, NULL, ARG_TIMEOUT }, { "dry-run", no_argument, NULL, ARG_DRY_RUN },
		{ "help", no_argument, NULL, 'h' },		   {},
	};
	bool timeout = false;
	char *end;
	int c;

	*a = (struct confirm_args){ .how = HOW_MANUAL, .timeout = DEFAULT_TIMEOUT_S };
	while ((c = cli_getopt(argc, argv, "h", options, &help)) > 0) {
		switch (c) {
		case ARG_AUTO:
		case ARG_SESSION:
			if (a->how != HOW_MANUAL)
				return cli_usage_error(&help, "--auto and --session exclude each other");
			a->how = c == ARG_AUTO ? HOW_AUTO : HOW_SESSION;
			break;
		case ARG_TIMEOUT:
			a->timeout = (unsigned)strtoul(optarg, &end, 10);
			if (*end || end == optarg || a->timeout > 3600)
				return cli_usage_error(&help, "--timeout takes a number of seconds up to 3600");
			timeout = true;
			break;
		case ARG_DRY_RUN:
			cli->dry_run = true;
			break;
		case 'h':
			return cli_help(&help);
		}
	}
	if (c < 0)
		return c;
	if (timeout && a->how != HOW_AUTO)
		return cli_usage_error(&help, "--timeout goes with --auto only");
	return cli_check_args(&help, argc, argv, optind, 0, 0) < 0 ? -CLI_EUSAGE : 1;
}

/* This boot bound nothing: the binder's record says recovery (or, without a record, the command line). */
static bool recovery_boot(struct vfe_cli *cli)
{
	struct vfe_status st;
	bool rec;

	if (vfe_status_read(&cli->root, &st) < 0)
		return vfe_kcmdline_booted_off(&cli->root, NULL, 0);
	rec = streq(st.mode, "recovery");
	vfe_status_free(&st);
	return rec;
}

struct loaders {
	const struct vfe_boot_backend *b[8];
	size_t n;
	bool counting; /* one of them is armed or fell back: there is something to confirm */
};

/* The loaders in use that count (confirm != NULL), and whether any of them counts now. */
static void find_loaders(struct vfe_boot_ctx *ctx, struct loaders *l)
{
	struct vfe_booted booted;
	int saved = log_get_max_level();

	*l = (struct loaders){ 0 };
	log_set_max_level(LOG_CRIT); /* an absent or unreadable loader is simply not one; 'boot show' says why */
	vfe_boot_booted(ctx->root, &booted);
	for (size_t i = 0; vfe_boot_backends[i] && l->n < ELEMENTSOF(l->b); i++) {
		const struct vfe_boot_backend *b = vfe_boot_backends[i];
		struct vfe_boot_status bs = { 0 };
		if (!b->confirm || b->detect(ctx) <= 0 || !vfe_boot_in_use(b, &booted))
			continue;
		l->b[l->n++] = b;
		if (b->status && b->status(ctx, &bs) >= 0)
			l->counting |= bs.fallback.state == VFE_FALLBACK_ARMED || bs.fallback.state == VFE_FALLBACK_FALLEN;
	}
	log_set_max_level(saved);
}

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Waits (up to timeout s) for a lit connector or a local graphical session; what in what[n]. */
static bool see_display(struct vfe_cli *cli, const struct confirm_args *a, char *what, size_t n)
{
	uint64_t until = now_s() + (a->how == HOW_AUTO ? a->timeout : 0);

	for (;;) {
		if ((a->how == HOW_AUTO && vfe_display_drm(&cli->root, what, n) > 0) ||
		    vfe_display_session(&cli->root, what, n) > 0)
			return true;
		if (now_s() >= until)
			return false;
		sleep(1);
	}
}

static void mark_done(struct vfe_cli *cli)
{
	if (cli->dry_run)
		return;
	(void)mkdirat(cli->root.fd, PATH_STATUS_DIR, 0755);
	(void)vfe_write_file_atomic(&cli->root, PATH_CONFIRM_DONE, "", 0, 0644, VFE_ATOMIC_NO_SYNC);
}

/* Each loader's confirm(); -EBUSY (this is the counted fallback boot) wins over success. */
static int run_confirm(struct vfe_boot_ctx *ctx, const struct loaders *l, enum vfe_confirm_how how, bool recovery)
{
	int r = 0;

	for (size_t i = 0; i < l->n; i++) {
		int k = l->b[i]->confirm(ctx, how, recovery);
		if (k < 0 && (r >= 0 || k == -EBUSY))
			r = k;
	}
	return r;
}

static int confirm(struct vfe_cli *cli, const struct confirm_args *a, struct vfe_boot_ctx *ctx)
{
	bool recovery = recovery_boot(cli);
	struct loaders l;
	char what[320];
	int k;

	if (!ctx->fallback) {
		printf("The automatic fallback is off (\"fallback off\" in /%s): nothing to confirm.\n", PATH_CONFIG);
		return mark_done(cli), 0;
	}
	if (a->how == HOW_SESSION && recovery) {
		/* a login proves the display without passthrough: nothing to confirm, and this boot changes nothing */
		printf("A recovery boot: nothing to confirm.\n");
		return mark_done(cli), 0;
	}
	find_loaders(ctx, &l);
	if (!l.counting) {
		printf("Nothing counts this boot (see 'vfio-early boot show'): nothing to confirm.\n");
		return mark_done(cli), 0;
	}
	if (a->how != HOW_MANUAL && !recovery) {
		if (!see_display(cli, a, what, sizeof(what))) {
			if (a->how == HOW_SESSION)
				return 0; /* no local graphical session (yet): the path unit starts us again */
			return log_error_errno(-ETIMEDOUT, "no host display within %u s (no DRM connector connected and "
						      "enabled on a GPU the host kept, no local graphical session): this "
						      "boot stays unconfirmed", a->timeout);
		}
		printf("Host display: %s\n", what);
	}
	k = run_confirm(ctx, &l, a->how == HOW_MANUAL ? VFE_CONFIRM_MANUAL : VFE_CONFIRM_AUTO, recovery);
	if (ctx->out->s)
		fputs(ctx->out->s, stdout);
	if (k == -EBUSY)
		return log_error_errno(k, "this boot is the automatic fallback: not confirmed, so that "
					  "systemd-bless-boot leaves the passthrough entry marked bad");
	if (k >= 0)
		mark_done(cli);
	return k;
}

int verb_confirm(struct vfe_cli *cli, int argc, char **argv)
{
	_cleanup_(sb_freep) struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = &cli->root, .dry_run = cli->dry_run, .out = &out };
	struct vfe_config cfg = { 0 };
	struct confirm_args a;
	int k = parse_args(cli, argc, argv, &a);

	if (k <= 0)
		return k;
	ctx.dry_run = cli->dry_run;
	k = cli_require_root(cli, "confirm");
	if (k < 0)
		return k;
	(void)vfe_config_load(&cfg, &cli->root);
	ctx.fallback = vfe_config_fallback(&cfg);
	vfe_config_free(&cfg);
	return confirm(cli, &a, &ctx);
}
