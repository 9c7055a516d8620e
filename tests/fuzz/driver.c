// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replays files through a fuzz target without libFuzzer: each argument is a
 * file or a directory of files. Linked with a target and ASan/UBSan for
 * make check (tests/integration/test-fuzz-regress.sh); prints TAP.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int n_run;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, k;

	if (!f)
		return -errno;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
	} while (k > 0);
	fclose(f);
	/* a private exact-size copy: ASan sees any read past the end */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, buf, len);
	free(buf);
	fprintf(stderr, "input: %s\n", path); /* the last one named is the one that failed */
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	n_run++;
	return 0;
}

static int run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n, r = 0;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno; /* an absent crashes/ dir is fine */
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char p[4096];
		if (names[i]->d_name[0] != '.' && r == 0) {
			snprintf(p, sizeof(p), "%s/%s", path, names[i]->d_name);
			r = run_file(p);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int r = run_path(argv[i]);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(-r));
			return 1;
		}
	}
	printf("# %d inputs replayed without a finding\n", n_run);
	return 0;
}
