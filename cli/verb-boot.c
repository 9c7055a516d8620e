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

struct boot_args {
	enum op op;
	bool next, dflt, firmware, ignore_msrs, no_update;
	const char *fallback; /* install --fallback=N / --no-fallback ("off"): written to the config */
};

static const char usage[] =
	"Usage: vfio-early boot COMMAND [OPTIONS]\n\n"
	"  show [--json]                      boot loaders, entries, defaults, one-shots, parameters\n"
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
	"See vfio-early-boot(8).\n";

enum { ARG_NEXT = 0x100, ARG_DEFAULT, ARG_FIRMWARE, ARG_IGNORE_MSRS, ARG_NO_UPDATE, ARG_FALLBACK, ARG_NO_FALLBACK };

static int parse_op(const char *s, struct boot_args *a)
{
	static const struct {
		const char *name;
		enum op op;
	} ops[] = { { "show", OP_SHOW },         { "install", OP_INSTALL },          { "remove", OP_REMOVE },
		    { "recovery", OP_RECOVERY_NEXT }, { "passthrough", OP_PASSTHROUGH_DEFAULT }, { "menu", OP_MENU_NEXT },
		    { "refresh", OP_REFRESH } };

	for (size_t i = 0; i < ELEMENTSOF(ops); i++)
		if (streq(s, ops[i].name))
			return a->op = ops[i].op, 0;
	return -EINVAL;
}

/* Checks the options make sense for the command; turns recovery --default into its own op. */
static int check_combination(struct boot_args *a)
{
	bool flags_next = a->next || a->firmware, flags_install = a->ignore_msrs || a->no_update;

	switch (a->op) {
	case OP_RECOVERY_NEXT:
		if (a->next == a->dflt || (a->dflt && a->firmware))
			return -EINVAL;
		if (a->dflt)
			a->op = OP_RECOVERY_DEFAULT;
		return flags_install ? -EINVAL : 0;
	case OP_PASSTHROUGH_DEFAULT:
		if (a->next == a->dflt || a->firmware || flags_install)
			return -EINVAL;
		if (a->next)
			a->op = OP_PASSTHROUGH_NEXT;
		return 0;
	case OP_MENU_NEXT:
		return a->next && !a->firmware && !a->dflt && !flags_install ? 0 : -EINVAL;
	case OP_INSTALL:
	case OP_REMOVE:
		return !flags_next && !a->dflt && (a->op == OP_INSTALL || (!a->ignore_msrs && !a->fallback)) ? 0 : -EINVAL;
	default:
		return flags_next || a->dflt || flags_install || a->fallback ? -EINVAL : 0;
	}
}

/* 1: run it; 0: the help was printed; -CLI_EUSAGE: the usage was printed. */
static int parse_args(struct vfe_cli *cli, int argc, char **argv, struct boot_args *a)
{
	static const struct option options[] = {
		{ "next", no_argument, NULL, ARG_NEXT },         { "default", no_argument, NULL, ARG_DEFAULT },
		{ "firmware", no_argument, NULL, ARG_FIRMWARE }, { "ignore-msrs", no_argument, NULL, ARG_IGNORE_MSRS },
		{ "no-update", no_argument, NULL, ARG_NO_UPDATE }, { "dry-run", no_argument, NULL, 'n' },
		{ "fallback", required_argument, NULL, ARG_FALLBACK }, { "no-fallback", no_argument, NULL, ARG_NO_FALLBACK },
		{ "json", no_argument, NULL, 'j' },              { "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	if (argc < 2 || parse_op(argv[1], a) < 0)
		goto bad;
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case ARG_NEXT: a->next = true; break;
		case ARG_DEFAULT: a->dflt = true; break;
		case ARG_FIRMWARE: a->firmware = true; break;
		case ARG_IGNORE_MSRS: a->ignore_msrs = true; break;
		case ARG_NO_UPDATE: a->no_update = true; break;
		case ARG_FALLBACK:
			if (a->fallback || strspn(optarg, "0123456789") != strlen(optarg) || atoi(optarg) < 1 ||
			    atoi(optarg) > VFE_FALLBACK_MAX)
				goto bad;
			a->fallback = optarg;
			break;
		case ARG_NO_FALLBACK:
			if (a->fallback)
				goto bad;
			a->fallback = "off";
			break;
		case 'n': cli->dry_run = true; break;
		case 'j': cli->json = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: goto bad;
		}
	}
	if (optind != argc || check_combination(a) < 0 || (cli->json && a->op != OP_SHOW))
		goto bad;
	return 1;
bad:
	fputs(usage, stderr);
	return -CLI_EUSAGE;
}

/* intel_iommu=on or amd_iommu=on, from the CPU vendor. */
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
		return a->firmware ? fw : !fw;
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
	sb_puts(out, "{");
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
	struct vfe_boot_ctx ctx = {
		.root = &cli->root, .dry_run = cli->dry_run, .json = cli->json, .no_update = a->no_update,
		.out = &out,
		.params = { .iommu = iommu_param(&cli->root), .iommu_pt = true, .ignore_msrs = a->ignore_msrs },
	};
	int k;

	if (a->op == OP_INSTALL && !ctx.params.iommu)
		return log_nothing_changed(-ENODEV, "boot install", "cannot tell the CPU vendor from /proc/cpuinfo, so "
					   "neither intel_iommu=on nor amd_iommu=on can be chosen");
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

	if (argc != 4 || !streq(argv[2], "--"))
		return cli_usage_error("boot recovery-cmdline -- OPTIONS");
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
