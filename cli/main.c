// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early: the command users run after login (status, list, add, remove, check, xml, boot). */
#include <fcntl.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/log.h"

struct verb {
	const char *name, *args, *help;
	int (*run)(struct vfe_cli *cli, int argc, char **argv);
};

static const struct verb verbs[] = {
	{ "status", "[--json]", "What this boot did and why (the default command)", verb_status },
	{ "list", "[-v] [--all] [--json]", "Display, audio and USB controllers, their IOMMU groups and drivers", verb_list },
	{ "add", "[--group|--function] DEVICE...", "Add devices (address or vendor:device) to the config", verb_add },
	{ "remove", "DEVICE...", "Remove devices from the config", verb_remove },
	{ "check", "[--json]", "The passthrough checklist: pass, warn or fail, with the fix", verb_check },
	{ "xml", "[--qemu|--features] [--domain NAME] [DEVICE]", "libvirt <hostdev> XML for the guest, or QEMU arguments",
	  verb_xml },
	{ "boot", "COMMAND ...", "Boot entries, kernel parameters, the no-passthrough entry", verb_boot },
	{ "confirm", "[--auto|--session]", "This boot's host display works: the automatic fallback stops counting", verb_confirm },
};

/* Verb options whose value is the next word: that word is never taken for the command. */
static const char *const options_with_value[] = { "--domain" };

static void help(void)
{
	printf("Usage: vfio-early [OPTIONS] [COMMAND] [ARGS...]\n\n"
	       "Binds chosen PCI devices to vfio-pci from the initramfs, guards the host's display\n"
	       "and boot, and tells what happened. See vfio-early(8).\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
		char left[64];
		snprintf(left, sizeof(left), "%s %s", verbs[i].name, verbs[i].args);
		printf("  %-48s %s\n", left, verbs[i].help);
	}
	printf("\n'vfio-early COMMAND --help' tells more about each.\n\n"
	       "Options, before or after the command:\n"
	       "  --root=DIR    work on the system tree under DIR instead of / (also VFIO_EARLY_ROOT)\n"
	       "  -q, --quiet   print nothing but errors (the exit status tells the rest)\n"
	       "  -h, --help    show this help, or the command's\n"
	       "  --version     show the version\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error; status also 3, 4 and 5 (vfio-early(8)).\n"
	       "Colour on a terminal, unless NO_COLOR is set.\n");
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

struct args {
	const char *root;
	bool version, help;
	char **argv; /* the command, then its arguments and options in the order given */
	int argc;
};

static bool takes_value(const char *a)
{
	for (size_t i = 0; i < ELEMENTSOF(options_with_value); i++)
		if (streq(a, options_with_value[i]))
			return true;
	return false;
}

/*
 * Takes the options every command shares (--root, -q, --version) from
 * wherever they stand before a "--", as systemctl and bootctl do, and puts
 * the command first: "vfio-early list --root=DIR" is "vfio-early
 * --root=DIR list", and "vfio-early --json status" is "status --json".
 */
static int split_args(struct vfe_cli *cli, int argc, char **argv, struct args *a)
{
	int verb = -1, n = 0;
	bool rest = false;

	a->argv = calloc((size_t)argc + 2, sizeof(char *));
	if (!a->argv)
		return log_error_errno(-ENOMEM, "out of memory");
	a->argv[n++] = NULL; /* the command's place */
	for (int i = 1; i < argc; i++) {
		char *s = argv[i];
		if (rest) {
			a->argv[n++] = s;
		} else if (s[0] != '-' || !s[1]) {
			if (verb < 0)
				verb = i;
			else
				a->argv[n++] = s;
		} else if (streq(s, "--")) {
			rest = true;
			a->argv[n++] = s;
		} else if (startswith(s, "--root=")) {
			a->root = s + strlen("--root=");
		} else if (streq(s, "--root")) {
			if (i + 1 == argc) {
				fprintf(stderr, "vfio-early: option '--root' needs a directory. Try 'vfio-early --help'.\n");
				return -CLI_EUSAGE;
			}
			a->root = argv[++i];
		} else if (streq(s, "-q") || streq(s, "--quiet")) {
			cli->quiet = true;
		} else if (streq(s, "--version")) {
			a->version = true;
		} else {
			a->help = a->help || streq(s, "-h") || streq(s, "--help");
			a->argv[n++] = s;
			if (takes_value(s) && i + 1 < argc)
				a->argv[n++] = argv[++i];
		}
	}
	a->argv[0] = verb >= 0 ? argv[verb] : "status";
	a->argc = n;
	/* "vfio-early --help" alone is the command's help, not status's */
	if (verb < 0 && a->help)
		a->argc = 0;
	return 0;
}

/* What a verb returned (cli/cli.h) as the documented exit status: the only place that knows them. */
static int exit_status(int r)
{
	switch (r) {
	case 0:
		return 0;
	case -CLI_EUSAGE:
		return 2;
	case CLI_REPORT_FAILED:
		return 1;
	case CLI_STATUS_DEGRADED:
		return 3;
	case CLI_STATUS_RECOVERY:
		return 4;
	case CLI_STATUS_NOT_RUN:
		return 5;
	default:
		return 1; /* -errno: a failure the verb logged (and any positive value cli.h does not list) */
	}
}

static bool want_color(void)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !(no && *no) && !(term && streq(term, "dumb"));
}

/* -q: standard output goes nowhere (help asked for is still shown) */
static void quiet_stdout(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		(void)dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

/* Splits the arguments, opens the root and runs the verb; returns what the verb returns. */
static int run(int argc, char **argv)
{
	_cleanup_free_ char **vargv = NULL;
	struct vfe_cli cli = { 0 };
	struct args a = { 0 };
	const struct verb *v;
	int k;

	k = split_args(&cli, argc, argv, &a);
	vargv = a.argv;
	if (k < 0)
		return k;
	if (a.version)
		return printf("vfio-early %s\n", VFE_VERSION), 0;
	if (a.argc == 0)
		return help(), 0;
	v = find_verb(a.argv[0]);
	if (!v) {
		fprintf(stderr, "vfio-early: unknown command '%s'. Try 'vfio-early --help'.\n", a.argv[0]);
		return -CLI_EUSAGE;
	}
	cli.color = want_color();
	if (cli.quiet && !a.help)
		quiet_stdout(), cli.color = false;
	k = vfe_root_open(&cli.root, a.root);
	if (k < 0) {
		/* before log_open(), which needs the root */
		fprintf(stderr, "vfio-early: cannot open the root %s: %s\n", a.root ? a.root : "/", strerror(-k));
		return k;
	}
	cli.real_root = !*cli.root.path;
	log_open(&cli.root, VFE_LOG_STDERR, "vfio-early");
	if (cli.quiet)
		log_set_max_level(LOG_ERR);
	optind = 0; /* each verb parses its own options from argv[0] */
	k = v->run(&cli, a.argc, a.argv);
	vfe_root_close(&cli.root);
	return k;
}

int main(int argc, char **argv)
{
	return exit_status(run(argc, argv));
}
