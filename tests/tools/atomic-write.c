// SPDX-License-Identifier: GPL-2.0-or-later
/* atomic-write ROOT REL SOURCE: replaces ROOT/REL with SOURCE's bytes through vfe_write_file_atomic (with backup). */
#include <stdio.h>
#include <string.h>

#include "common/atomic.h"
#include "common/root.h"

int main(int argc, char **argv)
{
	static char data[64 << 20];
	struct vfe_root r;
	size_t len;
	FILE *f;
	int k;

	if (argc != 4) {
		fprintf(stderr, "usage: atomic-write ROOT REL SOURCE\n");
		return 2;
	}
	f = fopen(argv[3], "rb");
	if (!f || vfe_root_open(&r, argv[1]) < 0) {
		perror("atomic-write");
		return 1;
	}
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	k = vfe_write_file_atomic(&r, argv[2], data, len, 0644, VFE_ATOMIC_KEEP_BACKUP);
	if (k < 0) {
		fprintf(stderr, "atomic-write: %s\n", strerror(-k));
		return 1;
	}
	return 0;
}
