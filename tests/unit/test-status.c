// SPDX-License-Identifier: GPL-2.0-or-later
/* The status record: what the binder writes, the CLI reads back, word for word. */
#include <stdio.h>
#include <stdlib.h>

#include "common/words.h"
#include "early/status.h"
#include "tests/lib/tap.h"

TEST(record_round_trips_with_awkward_text)
{
	struct vfe_status s = { .iommu = true, .started_us = 5, .finished_us = 812, .elapsed_us = 807, .cpu_us = 700 };
	struct vfe_status_dev d = { .bdf = "0000:00:05.0", .id = "1234:1111", .group = 2, .class = 0x0380,
				    .entry = "/etc/vfio-early.conf:3", .action = VFE_ACT_BOUND, .after = "vfio-pci",
				    .reason = "listed \"by\" address\\and id\nsecond line" };
	struct vfe_status back;
	const char *err;
	unsigned line;
	char *text;

	snprintf(s.mode, sizeof(s.mode), "passthrough");
	snprintf(s.reason, sizeof(s.reason), "1 device entry configured, no vfio_early=off");
	strv_push(&s.problems, "/etc/vfio-early.conf:2: unknown directive; line skipped");
	s.devs = &d;
	s.n_devs = 1;
	text = vfe_status_format(&s);
	s.devs = NULL;
	s.n_devs = 0;
	REQUIRE(text != NULL);
	REQUIRE(vfe_status_parse(text, &back, &err, &line) == 0);
	CHECK_STREQ(back.mode, "passthrough");
	CHECK_STREQ(back.reason, s.reason);
	CHECK(back.iommu && back.elapsed_us == 807 && back.cpu_us == 700 && back.finished_us == 812);
	CHECK(back.problems.n == 1);
	CHECK(back.n_devs == 1);
	CHECK_STREQ(back.n_devs ? back.devs[0].reason : NULL, d.reason);
	CHECK(back.n_devs && back.devs[0].action == VFE_ACT_BOUND && back.devs[0].group == 2);
	CHECK(back.n_devs && back.devs[0].class == 0x0380);
	CHECK_STREQ(back.n_devs ? back.devs[0].before : NULL, "");
	free(text);
	vfe_status_free(&back);
	vfe_status_free(&s);
}

TEST(unknown_lines_and_keys_are_skipped_bad_version_is_refused)
{
	char ok[] = "vfio-early-status 1\nfuture thing=1\nboot mode=recovery colour=blue\n";
	char bad[] = "vfio-early-status 7\nboot mode=recovery\n";
	char garbage[] = "\x01\x02 \"\n";
	struct vfe_status s;
	const char *err;
	unsigned line;

	CHECK(vfe_status_parse(ok, &s, &err, &line) == 0);
	CHECK_STREQ(s.mode, "recovery");
	vfe_status_free(&s);
	CHECK(vfe_status_parse(bad, &s, &err, &line) < 0);
	CHECK(vfe_status_parse(garbage, &s, &err, &line) < 0);
	CHECK(err != NULL);
}

TEST(words_split_quotes_comments_and_errors)
{
	char line[] = "device a=b c=\"d \\\"e\\\" f\" g # h i";
	struct vfe_word w[8];
	const char *err = NULL;
	int n = vfe_split_words(line, w, 8, &err);

	CHECK(n == 4);
	CHECK_STREQ(w[0].key, "device");
	CHECK(w[0].value == NULL);
	CHECK_STREQ(w[1].value, "b");
	CHECK_STREQ(w[2].value, "d \"e\" f");
	CHECK_STREQ(w[3].key, "g");
	{
		char l2[] = "a=\"open";
		CHECK(vfe_split_words(l2, w, 8, &err) < 0);
		CHECK_STREQ(err, "unterminated quote");
	}
	{
		char l3[] = "a b c";
		CHECK(vfe_split_words(l3, w, 2, &err) < 0);
	}
	{
		char l4[] = "a=\"x\"y";
		CHECK(vfe_split_words(l4, w, 8, &err) < 0);
	}
}

TAP_MAIN()
