// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early-image-facts: run by the initramfs hooks while an image is
 * built; writes into it what the binder must know of the installed system
 * (check/image-facts.h). It never fails an image build over what it cannot
 * find: it says so ("W: vfio-early: ..." on stderr) and the binder decides
 * with less. Exit status 1 only when the output cannot be written.
 */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "check/image-facts.h"
#include "common/root.h"

static void help(void)
{
	printf("Usage: vfio-early-image-facts [--root=DIR] --modules=DIR --output=DIR\n\n"
	       "Writes what vfio-early-bind needs to know about the installed system into DIR, a\n"
	       "directory of the initramfs being built (usr/lib/vfio-early/host). Run by the\n"
	       "initramfs-tools hook and the dracut module; see vfio-early-bind(8).\n\n"
	       "  --root=DIR     the installed system (default: /, or $VFIO_EARLY_ROOT)\n"
	       "  --modules=DIR  the installed kernel's modules (/lib/modules/VERSION), not under --root\n"
	       "  --output=DIR   where to write (created)\n"
	       "  -h, --help     show this help\n");
}

/* mkdir -p: the hooks make the parent, a test or a user may not. */
static int make_dirs(const char *path)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return negative_errno();
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? negative_errno() : 0;
}

static int run(const char *root_dir, const char *modules_dir, const char *out_dir)
{
	_cleanup_(strv_freep) struct strv warnings = { 0 };
	struct vfe_root root, out;
	int k;

	if (make_dirs(out_dir) < 0) {
		fprintf(stderr, "vfio-early-image-facts: cannot create %s: %m\n", out_dir);
		return 1;
	}
	k = vfe_root_open(&out, out_dir);
	if (k < 0) {
		fprintf(stderr, "vfio-early-image-facts: cannot open %s: %s\n", out_dir, strerror(-k));
		return 1;
	}
	k = vfe_root_open(&root, root_dir);
	if (k < 0)
		fprintf(stderr, "vfio-early-image-facts: cannot open the root %s: %s\n", root_dir ? root_dir : "/",
			strerror(-k));
	else
		k = vfe_image_facts_write(&root, modules_dir, &out, &warnings);
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "W: vfio-early: %s\n", warnings.v[i]);
	if (k < 0 && root.fd >= 0)
		fprintf(stderr, "vfio-early-image-facts: cannot write into %s: %s\n", out_dir, strerror(-k));
	vfe_root_close(&root);
	vfe_root_close(&out);
	return k < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum { ARG_ROOT = 0x100, ARG_MODULES, ARG_OUTPUT };
	static const struct option options[] = {
		{ "root", required_argument, NULL, ARG_ROOT },     { "modules", required_argument, NULL, ARG_MODULES },
		{ "output", required_argument, NULL, ARG_OUTPUT }, { "help", no_argument, NULL, 'h' },
		{},
	};
	const char *root = NULL, *modules = NULL, *output = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case ARG_ROOT:
			root = optarg;
			break;
		case ARG_MODULES:
			modules = optarg;
			break;
		case ARG_OUTPUT:
			output = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return 2;
		}
	}
	if (!modules || !output || optind != argc) {
		fprintf(stderr, "Usage: vfio-early-image-facts [--root=DIR] --modules=DIR --output=DIR\n");
		return 2;
	}
	return run(root, modules, output);
}
