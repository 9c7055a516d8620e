// SPDX-License-Identifier: GPL-2.0-or-later
/* The cpio "newc" reader of check/initramfs.c: every name and file it hands out lies inside the input. */
#include "check/initramfs.h"
#include "tests/fuzz/fuzz.h"

struct span {
	const uint8_t *lo, *hi;
	size_t files;
};

static int visit(void *ud, const struct vfe_cpio_file *f)
{
	struct span *s = ud;
	volatile uint8_t sum = 0;

	FUZZ_ASSERT((const uint8_t *)f->name >= s->lo && (const uint8_t *)f->name + f->name_len <= s->hi);
	FUZZ_ASSERT(f->data >= s->lo && f->data + f->size <= s->hi);
	for (size_t i = 0; i < f->name_len; i++)
		sum += (uint8_t)f->name[i];
	for (size_t i = 0; i < f->size; i++)
		sum += f->data[i];
	(void)sum;
	s->files++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy, so ASan catches any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	struct span s;
	size_t used = 0;
	int k;

	FUZZ_ASSERT(buf);
	memcpy(buf, data, size);
	s = (struct span){ buf, buf + size, 0 };
	k = vfe_cpio_walk(buf, size, visit, &s, &used);
	FUZZ_ASSERT(k == 0 || k == -EBADMSG);
	FUZZ_ASSERT(used <= size);
	(void)vfe_compression_name(vfe_compression_detect(buf, size));
	free(buf);
	return 0;
}
