// SPDX-License-Identifier: GPL-2.0-or-later
/* fake-machine DIR: lays out the shared fake test machine (tests/lib/machines.c) under DIR. */
#include <stdio.h>
#include <string.h>

#include "tests/lib/machines.h"

int main(int argc, char **argv)
{
	struct fake_root f;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: fake-machine DIR\n");
		return 2;
	}
	r = fake_root_new(&f, argv[1]);
	if (r == 0)
		r = fake_machine_qemu(&f);
	if (r < 0) {
		fprintf(stderr, "fake-machine: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	vfe_root_close(&f.root);
	return 0;
}
