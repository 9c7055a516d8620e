// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unified kernel images: the PE reader and the os-release parser behind
 * vfe_uki_load(), on an ESP whose EFI/Linux holds the input as its only
 * .efi file. Whatever the bytes, the result is at most one entry, and one
 * that is there carries an id.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "efi/bls/bls.h"
#include "tests/fuzz/fuzz.h"

static char dir[64];

/* The tree goes when the process does: make check replays this target at every run. */
static void untree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void tree(void)
{
	char p[128];

	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/tmp/vfe-fuzz-uki.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(p, sizeof(p), "%s/esp", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/esp/EFI", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/esp/EFI/Linux", dir);
	if (mkdir(p, 0755) < 0)
		abort();
	atexit(untree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_bls b = { 0 };
	struct vfe_root r;
	char p[128];
	FILE *f;

	log_set_max_level(-1);
	tree();
	snprintf(p, sizeof(p), "%s/esp/EFI/Linux/debian-6.1.0-57-amd64.efi", dir);
	f = fopen(p, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (vfe_root_open(&r, dir) < 0)
		abort();
	if (vfe_uki_load(&r, "esp", &b) >= 0) {
		FUZZ_ASSERT(b.n <= 1);
		FUZZ_ASSERT(b.n == 0 || (b.v[0].id && *b.v[0].id));
	}
	vfe_bls_free(&b);
	vfe_root_close(&r);
	return 0;
}
