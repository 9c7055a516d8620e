// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early: the command users run after login (status, list, add, remove, boot). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/log.h"

struct verb {
	const char *name, *args, *help;
	int (*run)(struct vfe_cli *cli, int argc, char **argv);
};

static const struct verb verbs[] = {
	{ "status", "[--json]", "What this boot did and why (the default verb)", verb_status },
	{ "list", "[--json]", "Display, audio and USB controllers, their IOMMU groups and drivers", verb_list },
	{ "add", "[--group] [--allow-boot-vga] DEVICE", "Add a device (address or vendor:device) to the config", verb_add },
	{ "remove", "DEVICE", "Remove a device from the config", verb_remove },
	{ "check", "[--json]", "The passthrough checklist: pass, warn or fail, with the fix", verb_check },
	{ "xml", "[--xml|--qemu] [DEVICE]", "libvirt <hostdev> XML and QEMU -device arguments for the guest", verb_xml },
	{ "boot", "COMMAND ...", "Boot entries, kernel parameters, the no-passthrough entry", verb_boot },
	{ "confirm", "[--auto|--session]", "This boot's host display works: the automatic fallback stops counting", verb_confirm },
};

enum { ARG_ROOT = 0x100, ARG_VERSION };

static void help(void)
{
	printf("Usage: vfio-early [OPTIONS] [COMMAND] [ARGS...]\n\n"
	       "Binds chosen PCI devices to vfio-pci from the initramfs, guards the host's display\n"
	       "and boot, and tells what happened. See vfio-early(8).\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
		char left[64];
		snprintf(left, sizeof(left), "%s %s", verbs[i].name, verbs[i].args);
		printf("  %-40s %s\n", left, verbs[i].help);
	}
	printf("\nOptions:\n"
	       "  --root=DIR    work on the system tree under DIR instead of / (also VFIO_EARLY_ROOT)\n"
	       "  --json        machine-readable output (status, list, boot show)\n"
	       "  --dry-run     print the changes a command would make, change nothing\n"
	       "  -q, --quiet   print errors only\n"
	       "  -h, --help    show this help\n"
	       "  --version     show the version\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

/* Returns optind (>= 1), 0 after --help or --version, -CLI_EUSAGE on a usage error (as the verbs). */
static int parse_global(struct vfe_cli *cli, int argc, char **argv, const char **root)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, ARG_ROOT }, { "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },        { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },           { "version", no_argument, NULL, ARG_VERSION },
		{},
	};
	int c;

	/* "+": stop at the verb, which parses its own options. */
	while ((c = getopt_long(argc, argv, "+qh", options, NULL)) >= 0) {
		switch (c) {
		case ARG_ROOT:
			*root = optarg;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'n':
			cli->dry_run = true;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'h':
			help();
			return 0;
		case ARG_VERSION:
			printf("vfio-early %s\n", VFE_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'vfio-early --help'.\n");
			return -CLI_EUSAGE;
		}
	}
	return optind;
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
	default:
		return 1; /* -errno: a failure the verb logged (and any positive value cli.h does not list) */
	}
}

/* Parses the global options, opens the root and runs the verb; returns what the verb returns. */
static int run(int argc, char **argv)
{
	static char *default_argv[] = { "status", NULL };
	struct vfe_cli cli = { 0 };
	const char *root = NULL;
	const struct verb *v;
	int k;

	k = parse_global(&cli, argc, argv, &root);
	if (k <= 0)
		return k;
	argc -= k;
	argv += k;
	if (argc == 0) {
		argc = 1;
		argv = default_argv;
	}
	v = find_verb(argv[0]);
	if (!v) {
		fprintf(stderr, "vfio-early: unknown command '%s'. Try 'vfio-early --help'.\n", argv[0]);
		return -CLI_EUSAGE;
	}
	k = vfe_root_open(&cli.root, root);
	if (k < 0) {
		/* before log_open(), which needs the root */
		fprintf(stderr, "vfio-early: cannot open the root %s: %s\n", root ? root : "/", strerror(-k));
		return k;
	}
	cli.real_root = !*cli.root.path;
	log_open(&cli.root, VFE_LOG_STDERR, "vfio-early");
	if (cli.quiet)
		log_set_max_level(LOG_WARNING);
	optind = 0; /* each verb parses its own options from argv[0] */
	k = v->run(&cli, argc, argv);
	vfe_root_close(&cli.root);
	return k;
}

int main(int argc, char **argv)
{
	return exit_status(run(argc, argv));
}
