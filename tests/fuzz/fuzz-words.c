// SPDX-License-Identifier: GPL-2.0-or-later
/* The shared word splitter (config and status lines); a value written by sb_put_word must split back. */
#include "common/strbuf.h"
#include "common/words.h"
#include "tests/fuzz/fuzz.h"

static void round_trip(const char *key, const char *value)
{
	struct strbuf sb = { 0 };
	struct vfe_word w[2];
	const char *err;

	sb_puts(&sb, key);
	sb_putc(&sb, '=');
	sb_put_word(&sb, value);
	FUZZ_ASSERT(!sb.oom);
	FUZZ_ASSERT(vfe_split_words(sb.s, w, 2, &err) == 1);
	FUZZ_ASSERT(strcmp(w[0].key, key) == 0 && w[0].value && strcmp(w[0].value, value) == 0);
	sb_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_word w[VFE_WORDS_MAX];
	char *text = fuzz_strdup(data, size);
	const char *err = NULL;
	int n = vfe_split_words(text, w, VFE_WORDS_MAX, &err);

	FUZZ_ASSERT(n >= 0 || err);
	for (int i = 0; i < n; i++)
		if (w[i].value && w[i].key[0])
			round_trip(w[i].key, w[i].value);
	free(text);
	return 0;
}
