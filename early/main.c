// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early-bind: runs in the initramfs before udev, binds the configured
 * PCI devices to vfio-pci and records what it did. It never fails the boot.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "common/log.h"
#include "early/binder.h"
#include "early/modules.h"
#include "early/worker.h"

/* A last resort: binding itself is waited for in a child (early/worker.h); this bounds the rest. */
#define BINDER_TIMEOUT_S 30
#define STR_(x) #x
#define STR(x) STR_(x)

enum { ARG_ROOT = 0x100, ARG_LOG, ARG_DRY_RUN, ARG_ADDED, ARG_TIMEOUT, ARG_PRINT_DLOPEN };

static void help(void)
{
	printf("Usage: vfio-early-bind [OPTIONS]\n\n"
	       "Binds the PCI devices listed in /etc/vfio-early.conf to vfio-pci. Meant to run\n"
	       "from the initramfs before udev; see vfio-early(8).\n\n"
	       "  --root=DIR         work on the tree under DIR instead of /\n"
	       "  --log=TARGET       auto, kmsg or stderr (default: auto)\n"
	       "  --dry-run          decide and record, bind nothing\n"
	       "  --added=BDF        a device added after boot (from the udev rule): bind it,\n"
	       "                     or its IOMMU group, if the config asks, and record it late\n"
	       "  --timeout=MS       how long binding is waited for (default %u)\n"
	       "  --print-dlopen     print the path of the library the binder opens only when it\n"
	       "                     must load a module (libkmod), for the initramfs hooks\n"
	       "  -h, --help         show this help\n"
	       "      --version      show the version\n", VFE_BIND_TIMEOUT_MS);
}

/* A sysfs write that hangs must not hang the boot. */
static void on_alarm(int sig _unused_)
{
	static const char msg[] = "<4>vfio-early: still busy after " STR(BINDER_TIMEOUT_S) " s; giving up so the boot goes on\n";
	ssize_t k _unused_ = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(0);
}

/* The hooks copy what this prints into the image: initramfs-tools and dracut follow DT_NEEDED only. */
static int print_dlopen(void)
{
	_cleanup_free_ char *path = NULL;
	int k;

	log_open(NULL, VFE_LOG_STDERR, "vfio-early-bind");
	k = vfe_modules_library_path(&path);
	if (k < 0)
		return 1; /* said why on stderr */
	printf("%s\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, ARG_ROOT },  { "log", required_argument, NULL, ARG_LOG },
		{ "dry-run", no_argument, NULL, ARG_DRY_RUN }, { "help", no_argument, NULL, 'h' },
		{ "added", required_argument, NULL, ARG_ADDED }, { "timeout", required_argument, NULL, ARG_TIMEOUT },
		{ "version", no_argument, NULL, 'V' },           { "print-dlopen", no_argument, NULL, ARG_PRINT_DLOPEN },
		{}
	};
	struct vfe_binder_opts o = { 0 };
	enum vfe_log_target target = VFE_LOG_AUTO;
	const char *root = NULL, *added = NULL;
	struct vfe_root r;
	int c, k;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case ARG_ROOT:
			root = optarg;
			break;
		case ARG_LOG:
			if (log_parse_target(optarg, &target) < 0) {
				fprintf(stderr, "vfio-early-bind: --log takes auto, kmsg or stderr\n");
				return 2;
			}
			break;
		case ARG_DRY_RUN:
			o.dry_run = true;
			break;
		case ARG_ADDED:
			added = optarg;
			break;
		case ARG_TIMEOUT:
			o.timeout_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("vfio-early-bind %s\n", VFE_VERSION);
			return 0;
		case ARG_PRINT_DLOPEN:
			return print_dlopen();
		default:
			return 2;
		}
	}
	signal(SIGALRM, on_alarm);
	alarm(BINDER_TIMEOUT_S);
	k = vfe_root_open(&r, root);
	if (k < 0) {
		fprintf(stderr, "vfio-early-bind: cannot open the root %s: %s\n", root ? root : "/", strerror(-k));
		return 0;
	}
	log_open(&r, target, "vfio-early");
	if (added)
		(void)vfe_binder_added(&r, &o, added);
	else
		(void)vfe_binder_run(&r, &o);
	log_close();
	vfe_root_close(&r);
	return 0;
}
