// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early boot ...: kernel parameters and the "no GPU passthrough" entry
 * in every boot loader in use. The work is the backends' (efi/boot.h); this
 * file parses the command line, decides the parameters once, finds the
 * loaders in use and calls the same operation on each.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "common/cpu.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/atomic.h"
#include "common/strbuf.h"
#include "early/config-edit.h"
#include "early/config.h"
#include "efi/boot.h"
#include "recovery/recovery-cmdline.h"

enum op {
	OP_SHOW, OP_INSTALL, OP_REMOVE, OP_RECOVERY_NEXT, OP_RECOVERY_DEFAULT, OP_PASSTHROUGH_DEFAULT,
	OP_PASSTHROUGH_NEXT, OP_MENU_NEXT, OP_REFRESH
};

/* The options of boot commands, as bits: which a command takes, which it needs. */
enum {
	F_NEXT = 1 << 0,
	F_DEFAULT = 1 << 1,
	F_FIRMWARE = 1 << 2,
	F_IGNORE_MSRS = 1 << 3,
	F_NO_UPDATE = 1 << 4,
	F_DRY_RUN = 1 << 5,
	F_JSON = 1 << 6,
	F_FALLBACK = 1 << 7,
	F_NO_FALLBACK = 1 << 8,
};
static const char *const flag_names[] = { "--next",    "--default", "--firmware", "--ignore-msrs", "--no-update",
					  "--dry-run", "--json",    "--fallback", "--no-fallback" };

struct boot_args {
	enum op op;
	unsigned flags;
	bool no_update;
	const char *fallback; /* install --fallback=N / --no-fallback ("off"): written to the config */
};

struct boot_cmd {
	const char *name;
	enum op op;
	unsigned takes;
	struct cli_help help;
};

static const struct boot_cmd cmds[] = {
	{ "show", OP_SHOW, F_JSON | F_DRY_RUN,
	  { "boot show", "[--json]", NULL,
	    "The boot loaders in use, their entries (ours marked), the default, a pending one-shot,\n"
	    "the entry this boot came from, and the passthrough parameters of each entry.\n"
	    "  --json  machine-readable (docs/json.md)\n" } },
	{ "install", OP_INSTALL, F_IGNORE_MSRS | F_NO_UPDATE | F_DRY_RUN | F_FALLBACK | F_NO_FALLBACK,
	  { "boot install", "[--ignore-msrs] [--no-update] [--fallback=N | --no-fallback] [--dry-run]", NULL,
	    "Adds iommu=pt (and intel_iommu=on on Intel CPUs; the AMD IOMMU is on by default) to the\n"
	    "kernel command line of every boot loader in use, and a \"(no GPU passthrough)\" recovery\n"
	    "entry, and arms the automatic fallback: after N passthrough boots without a confirmed\n"
	    "host display (3 unless the config says otherwise) the machine boots that entry by itself.\n"
	    "A second run changes nothing.\n"
	    "  --ignore-msrs   also add kvm.ignore_msrs=1\n"
	    "  --no-update     do not run update-grub (or kernelstub): print the command to run\n"
	    "  --fallback=N    fall back after N boots (1-9): writes \"fallback N\" into /etc/vfio-early.conf\n"
	    "  --no-fallback   a host with no display by design: writes \"fallback off\"\n"
	    "  --dry-run       print the exact changes, change nothing\n" } },
	{ "remove", OP_REMOVE, F_NO_UPDATE | F_DRY_RUN,
	  { "boot remove", "[--no-update] [--dry-run]", NULL,
	    "Undoes what install did, in the entries of kernels installed since too, and nothing else.\n"
	    "  --no-update  do not run update-grub: print the command to run\n"
	    "  --dry-run    print the exact changes, change nothing\n" } },
	{ "recovery", OP_RECOVERY_NEXT, F_NEXT | F_DEFAULT | F_FIRMWARE | F_DRY_RUN,
	  { "boot recovery", "--next [--firmware] | --default [--dry-run]", NULL,
	    "  --next      boot the \"no GPU passthrough\" entry once, at the next boot\n"
	    "  --firmware  with --next: through the firmware's BootNext instead of the boot loader\n"
	    "  --default   make the recovery entry the default\n"
	    "  --dry-run   print the exact changes, change nothing\n" } },
	{ "passthrough", OP_PASSTHROUGH_DEFAULT, F_NEXT | F_DEFAULT | F_DRY_RUN,
	  { "boot passthrough", "--next | --default [--dry-run]", NULL,
	    "  --next     cancel a pending 'recovery --next': the next boot is passthrough\n"
	    "  --default  make the passthrough entry the default again, and count again (after\n"
	    "             the automatic fallback, the way back to passthrough)\n"
	    "  --dry-run  print the exact changes, change nothing\n" } },
	{ "menu", OP_MENU_NEXT, F_NEXT | F_DRY_RUN,
	  { "boot menu", "--next [--dry-run]", NULL,
	    "Shows the boot menu at the next boot, even where it is hidden.\n"
	    "  --dry-run  print the exact changes, change nothing\n" } },
	{ "refresh", OP_REFRESH, F_DRY_RUN,
	  { "boot refresh", "[--dry-run]", NULL,
	    "After a kernel change: brings the recovery entries up to date (the kernel hooks run it;\n"
	    "it does nothing before install).\n" } },
};

static const struct cli_help help = {
	.cmd = "boot",
	.usage = "COMMAND [OPTIONS]",
	.arg = "COMMAND",
	.text = "  show [--json]                      boot loaders, entries, defaults, one-shots, parameters\n"
		"  install [--ignore-msrs] [--no-update] [--fallback=N | --no-fallback]\n"
		"                                     add the IOMMU kernel parameters and the recovery entry,\n"
		"                                     and arm the automatic fallback (N boots, default 3)\n"
		"  remove [--no-update]               undo what install did, in entries of later kernels too\n"
		"  recovery --next [--firmware]       boot the \"no GPU passthrough\" entry once, next boot\n"
		"  recovery --default                 make the recovery entry the default\n"
		"  passthrough --default              make the passthrough entry the default again\n"
		"  passthrough --next                 cancel a pending recovery --next (the next boot is passthrough)\n"
		"  menu --next                        show the boot menu on the next boot\n"
		"  refresh                            after a kernel change: bring the recovery entries up to date\n"
		"                                     (run by the kernel hooks; does nothing before install)\n\n"
		"Every changing command takes --dry-run: it prints the changes and changes nothing.\n"
		"'vfio-early boot COMMAND --help' tells more; see vfio-early-boot(8).\n",
};

static const struct boot_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(cmds); i++)
		if (streq(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static const char *first_flag(unsigned flags)
{
	for (size_t i = 0; i < ELEMENTSOF(flag_names); i++)
		if (flags & (1u << i))
			return flag_names[i];
	return "?";
}

/* Checks the options make sense for the command, naming what does not; turns recovery --default into its own op. */
static int check_combination(const struct boot_cmd *c, struct boot_args *a)
{
	const struct cli_help *h = &c->help;
	unsigned f = a->flags;

	if (f & ~c->takes)
		return cli_usage_error(h, "%s does not apply to '%s'", first_flag(f & ~c->takes), h->cmd);
	switch (c->op) {
	case OP_RECOVERY_NEXT:
		if (!(f & (F_NEXT | F_DEFAULT)))
			return cli_usage_error(h, "--next or --default is missing");
		if ((f & F_NEXT) && (f & F_DEFAULT))
			return cli_usage_error(h, "--next and --default exclude each other");
		if ((f & F_DEFAULT) && (f & F_FIRMWARE))
			return cli_usage_error(h, "--firmware goes with --next only");
		if (f & F_DEFAULT)
			a->op = OP_RECOVERY_DEFAULT;
		return 0;
	case OP_PASSTHROUGH_DEFAULT:
		if (!(f & (F_NEXT | F_DEFAULT)))
			return cli_usage_error(h, "--next or --default is missing");
		if ((f & F_NEXT) && (f & F_DEFAULT))
			return cli_usage_error(h, "--next and --default exclude each other");
		if (f & F_NEXT)
			a->op = OP_PASSTHROUGH_NEXT;
		return 0;
	case OP_MENU_NEXT:
		return f & F_NEXT ? 0 : cli_usage_error(h, "--next is missing");
	default:
		return 0;
	}
}

/* 1: run it; 0: the help was printed; -CLI_EUSAGE: the usage error was printed. */
static int parse_args(struct vfe_cli *cli, int argc, char **argv, struct boot_args *a)
{
	static const struct option options[] = {
		{ "next", no_argument, NULL, F_NEXT },           { "default", no_argument, NULL, F_DEFAULT },
		{ "firmware", no_argument, NULL, F_FIRMWARE },   { "ignore-msrs", no_argument, NULL, F_IGNORE_MSRS },
		{ "no-update", no_argument, NULL, F_NO_UPDATE }, { "dry-run", no_argument, NULL, F_DRY_RUN },
		{ "json", no_argument, NULL, F_JSON },           { "help", no_argument, NULL, 'h' },
		{ "fallback", required_argument, NULL, F_FALLBACK }, { "no-fallback", no_argument, NULL, F_NO_FALLBACK },
		{},
	};
	const struct boot_cmd *c;
	bool want_help = false;
	int k;

	while ((k = cli_getopt(argc, argv, "h", options, &help)) > 0) {
		if (k == 'h')
			want_help = true;
		else
			a->flags |= (unsigned)k;
		if (k == F_FALLBACK || k == F_NO_FALLBACK)
			a->fallback = k == F_FALLBACK ? optarg : "off";
	}
	if (k < 0)
		return k;
	if (optind == argc)
		return want_help ? cli_help(&help)
				 : cli_usage_error(&help, "COMMAND is missing: show, install, remove, recovery, "
							   "passthrough, menu or refresh");
	c = find_cmd(argv[optind]);
	if (!c)
		return cli_usage_error(&help, "unknown command '%s'", argv[optind]);
	if (want_help)
		return cli_help(&c->help);
	if (optind + 1 < argc)
		return cli_usage_error(&c->help, "unexpected argument '%s'", argv[optind + 1]);
	a->op = c->op;
	k = check_combination(c, a);
	if (k < 0)
		return k;
	if ((a->flags & F_FALLBACK) && (a->flags & F_NO_FALLBACK))
		return cli_usage_error(&c->help, "--fallback and --no-fallback exclude each other");
	if ((a->flags & F_FALLBACK) && (strspn(a->fallback, "0123456789") != strlen(a->fallback) ||
					atoi(a->fallback) < 1 || atoi(a->fallback) > VFE_FALLBACK_MAX))
		return cli_usage_error(&c->help, "--fallback takes a number of boots from 1 to %d", VFE_FALLBACK_MAX);
	cli->dry_run = cli->dry_run || (a->flags & F_DRY_RUN);
	cli->json = cli->json || (a->flags & F_JSON);
	a->no_update = a->flags & F_NO_UPDATE;
	return 1;
}

/* intel_iommu=on on Intel, "" on AMD (nothing to add), NULL when the vendor is unknown (common/cpu.h). */
static const char *iommu_param(const struct vfe_root *r)
{
	struct vfe_cpu cpu;

	(void)vfe_cpu_probe(r, &cpu);
	return vfe_cpu_iommu_on(cpu.vendor);
}

static void explain_nothing_found(const struct vfe_cli *cli)
{
	printf("No boot loader vfio-early can manage was found under %s/:\n", cli->root.path);
	for (size_t i = 0; vfe_boot_backends[i]; i++)
		printf("  %s: not in use\n", vfe_boot_backends[i]->name);
	if (!vfe_exists(&cli->root, "sys/firmware/efi"))
		printf("This machine did not boot through UEFI (no /sys/firmware/efi): there are no EFI boot\n"
		       "variables to read or set.\n");
	printf("Add vfio_early=off to the kernel command line by hand to boot without passthrough.\n");
}

/* The backend's function for the operation; NULL when it has none (it is then left out, silently). */
static int (*op_fn(const struct vfe_boot_backend *b, enum op op))(struct vfe_boot_ctx *)
{
	switch (op) {
	case OP_SHOW: return b->show;
	case OP_INSTALL: return b->install;
	case OP_REMOVE: return b->remove;
	case OP_RECOVERY_NEXT: return b->recovery_next;
	case OP_PASSTHROUGH_NEXT: return b->passthrough_next;
	case OP_MENU_NEXT: return b->menu_next;
	case OP_REFRESH: return b->refresh;
	default: return NULL;
	}
}

static bool has_op(const struct vfe_boot_backend *b, enum op op)
{
	return op == OP_RECOVERY_DEFAULT || op == OP_PASSTHROUGH_DEFAULT ? b->set_default != NULL : op_fn(b, op) != NULL;
}

static int call(const struct vfe_boot_backend *b, struct vfe_boot_ctx *ctx, enum op op)
{
	if (op == OP_RECOVERY_DEFAULT || op == OP_PASSTHROUGH_DEFAULT)
		return b->set_default(ctx, op == OP_RECOVERY_DEFAULT);
	return op_fn(b, op)(ctx);
}

/* --firmware picks the firmware's BootNext only; otherwise every loader but the firmware's own menu. */
static bool wanted(const struct vfe_boot_backend *b, const struct boot_args *a)
{
	bool fw = b->flags & VFE_BACKEND_FIRMWARE_MENU;

	if (a->op == OP_RECOVERY_NEXT)
		return (a->flags & F_FIRMWARE) ? fw : !fw;
	return true;
}

/* The backends this command runs on, in table order; *found gets those present but not in use. */
struct plan {
	const struct vfe_boot_backend *run[_VFE_LOADER_MAX], *idle[_VFE_LOADER_MAX];
	size_t n, n_idle;
	struct vfe_booted booted;
};

/*
 * Present (detect) and in use (the loader that booted, boot.h): remove runs
 * on every loader present, in use or not, since install may have run
 * before the machine moved to another loader.
 */
static void plan_backends(const struct boot_args *a, struct vfe_boot_ctx *ctx, struct plan *p)
{
	*p = (struct plan){ 0 };
	vfe_boot_booted(ctx->root, &p->booted);
	for (size_t i = 0; vfe_boot_backends[i]; i++) {
		const struct vfe_boot_backend *b = vfe_boot_backends[i];
		if (!wanted(b, a) || b->detect(ctx) <= 0)
			continue;
		if (a->op != OP_REMOVE && !vfe_boot_in_use(b, &p->booted))
			p->idle[p->n_idle++] = b;
		else if (has_op(b, a->op))
			p->run[p->n++] = b;
	}
}

static void say_idle(const struct plan *p, const struct boot_args *a, struct strbuf *out)
{
	const char *by = p->booted.loader == _VFE_LOADER_MAX ? NULL : vfe_boot_backend(p->booted.loader)->name;

	if (a->op == OP_SHOW)
		sb_printf(out, "This boot came through %s (%s).\n", by ? by : "an unknown boot loader",
			  by ? p->booted.how : "no LoaderInfo, and BootCurrent names no known loader");
	for (size_t i = 0; i < p->n_idle; i++)
		sb_printf(out, "%s: found, but not in use (this boot came through %s); left alone\n", p->idle[i]->name, by);
}

static void show_json_head(const struct plan *p, struct strbuf *out)
{
	sb_printf(out, "{\"schema_version\":%d,", CLI_JSON_SCHEMA_VERSION);
	sb_put_json_member(out, "booted_by", p->booted.loader == _VFE_LOADER_MAX ? NULL : vfe_boot_backend(p->booted.loader)->name);
	sb_putc(out, ',');
	sb_put_json_member(out, "booted_how", p->booted.loader == _VFE_LOADER_MAX ? NULL : p->booted.how);
	sb_puts(out, ",\"not_in_use\":[");
	for (size_t i = 0; i < p->n_idle; i++) {
		if (i)
			sb_putc(out, ',');
		sb_put_json_string(out, p->idle[i]->name);
	}
	sb_puts(out, "],\"loaders\":[");
}

/* Runs the operation on every planned backend; stops at the first failure. */
static int run_pass(const struct plan *p, const struct boot_args *a, struct vfe_boot_ctx *ctx, bool json)
{
	int k = 0;

	for (size_t i = 0; i < p->n && k >= 0; i++) {
		if (json && i)
			sb_putc(ctx->out, ',');
		k = call(p->run[i], ctx, a->op);
		/* the backend said what failed; name the loaders before it, which this pass did change */
		if (k < 0 && i > 0 && !ctx->dry_run && a->op != OP_SHOW) {
			_cleanup_(sb_freep) struct strbuf names = { 0 };
			for (size_t j = 0; j < i; j++)
				sb_printf(&names, "%s%s", j ? ", " : "", p->run[j]->name);
			log_error("%s failed after %s had run (their lines above say what they changed); fix the problem "
				  "and run the command again", p->run[i]->name, names.s);
		}
	}
	return k;
}

/*
 * A changing command first runs as a dry run on every backend, with only
 * errors shown: a loader that would fail stops the command before any
 * loader was changed, so a failure leaves nothing half done.
 */
static int preflight(const struct plan *p, const struct boot_args *a, const struct vfe_boot_ctx *ctx)
{
	_cleanup_(sb_freep) struct strbuf scratch = { 0 };
	struct vfe_boot_ctx dry = *ctx;
	int level = log_get_max_level(), k;

	if (a->op == OP_SHOW || ctx->dry_run || p->n < 2)
		return 0;
	dry.dry_run = true;
	dry.out = &scratch;
	if (level > LOG_ERR)
		log_set_max_level(LOG_ERR);
	k = run_pass(p, a, &dry, false);
	log_set_max_level(level);
	return k;
}

static int run_backends(struct vfe_cli *cli, const struct boot_args *a, struct vfe_boot_ctx *ctx)
{
	struct plan p;
	int k;

	plan_backends(a, ctx, &p);
	if (cli->json)
		show_json_head(&p, ctx->out);
	else if (a->op == OP_SHOW || a->op == OP_INSTALL)
		say_idle(&p, a, ctx->out);
	if (!p.n && !cli->json && a->op != OP_REFRESH) {
		if (!p.n_idle && (a->op == OP_SHOW || a->op == OP_INSTALL || a->op == OP_REMOVE)) {
			explain_nothing_found(cli);
			return a->op == OP_SHOW ? 0 : -ENOENT;
		}
		if (a->op != OP_SHOW)
			return log_error_errno(-EOPNOTSUPP, "none of the boot loaders in use can do this; nothing changed "
					       "(see 'vfio-early boot show')");
	}
	k = preflight(&p, a, ctx);
	return k < 0 ? k : run_pass(&p, a, ctx, cli->json);
}

/* install --fallback=N / --no-fallback: the setting goes into the config, where refresh finds it again. */
static int write_fallback(struct vfe_cli *cli, const char *value)
{
	_cleanup_free_ char *old = NULL, *new = NULL;
	struct vfe_config cfg = { 0 };
	unsigned want = streq(value, "off") ? 0 : (unsigned)atoi(value);
	int k = vfe_read_file(&cli->root, PATH_CONFIG, VFE_CONFIG_MAX_SIZE, &old);

	if (k < 0 && k != -ENOENT)
		return log_error_errno(k, "cannot read /%s: %m; nothing changed", PATH_CONFIG);
	k = vfe_config_set_fallback(k < 0 ? NULL : old, k < 0 ? 0 : (size_t)k, value, &new);
	if (k < 0)
		return log_error_errno(k, "cannot set \"fallback %s\" in /%s: %s; nothing changed", value, PATH_CONFIG,
				       k == -EBADMSG ? "it contains a NUL byte" : strerror(-k));
	if (cli->dry_run || (old && streq(old, new))) {
		printf("%s /%s: fallback %s\n", cli->dry_run ? "Would set in" : "Already in", PATH_CONFIG, value);
		return 0;
	}
	k = vfe_write_file_atomic(&cli->root, PATH_CONFIG, new, strlen(new), 0644, VFE_ATOMIC_KEEP_BACKUP);
	if (k < 0)
		return log_error_errno(k, "cannot write /%s: %m; nothing changed", PATH_CONFIG);
	printf("Set in /%s: fallback %s\n", PATH_CONFIG, value);
	(void)vfe_config_load(&cfg, &cli->root);
	if (vfe_config_fallback(&cfg) != want)
		log_warning("another file in /%s sets \"fallback\" after /%s, and wins: the fallback is %u", PATH_CONFIG_DIR,
			    PATH_CONFIG, vfe_config_fallback(&cfg));
	vfe_config_free(&cfg);
	return 0;
}

/* The automatic fallback's N from the config (0: off). */
static unsigned config_fallback(struct vfe_cli *cli, const struct boot_args *a)
{
	struct vfe_config cfg = { 0 };
	unsigned n;

	if (a->fallback && cli->dry_run)
		return streq(a->fallback, "off") ? 0 : (unsigned)atoi(a->fallback);
	(void)vfe_config_load(&cfg, &cli->root);
	n = vfe_config_fallback(&cfg);
	vfe_config_free(&cfg);
	return n;
}

static int run_op(struct vfe_cli *cli, const struct boot_args *a)
{
	_cleanup_(sb_freep) struct strbuf out = { 0 };
	const char *iommu = iommu_param(&cli->root);
	struct vfe_boot_ctx ctx = {
		.root = &cli->root, .dry_run = cli->dry_run, .json = cli->json, .no_update = a->no_update,
		.out = &out,
		.params = { .iommu = iommu && *iommu ? iommu : NULL, .iommu_pt = true,
			    .ignore_msrs = a->flags & F_IGNORE_MSRS },
	};
	int k;

	if (a->op == OP_INSTALL && !iommu)
		return log_nothing_changed(-ENODEV, "boot install", "cannot tell the CPU vendor from /proc/cpuinfo, so "
					   "it cannot tell whether intel_iommu=on is needed (Intel) or not (AMD)");
	if (a->fallback && (k = write_fallback(cli, a->fallback)) < 0)
		return k;
	ctx.fallback = config_fallback(cli, a);
	k = run_backends(cli, a, &ctx);
	if (cli->json)
		sb_puts(&out, "]}\n");
	if (out.s)
		fputs(out.s, stdout);
	return k < 0 ? k : 0;
}

/* Hidden: /etc/grub.d/42_vfio-early asks for the recovery command line of the default one. */
static int recovery_cmdline(int argc, char **argv)
{
	_cleanup_free_ char *out = NULL;

	static const struct cli_help h = { "boot recovery-cmdline", "-- OPTIONS", "OPTIONS", NULL };

	if (argc != 4 || !streq(argv[2], "--"))
		return cli_usage_error(&h, "'--' and the kernel options are wanted");
	if (vfe_recovery_cmdline(argv[3], &out) < 0)
		return log_error_errno(-ENOMEM, "out of memory");
	printf("%s\n", out);
	return 0;
}

int verb_boot(struct vfe_cli *cli, int argc, char **argv)
{
	struct boot_args a = { 0 };
	int k;

	if (argc >= 2 && streq(argv[1], "recovery-cmdline"))
		return recovery_cmdline(argc, argv);
	k = parse_args(cli, argc, argv, &a);
	if (k <= 0)
		return k;
	if (a.op != OP_SHOW) {
		k = cli_require_root(cli, "boot");
		if (k < 0)
			return k;
	}
	return run_op(cli, &a);
}
