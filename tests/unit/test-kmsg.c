// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log within the kernel's limit on /dev/kmsg (common/kmsg.h):
 * every line reaches it, in at most 10 records per 5 s from one writer,
 * each record at most 992 bytes; when even that cannot hold them, the last
 * record says how many were left out and still holds the closing line.
 * And the binder on a machine with twelve cards: every decision and the
 * closing line, in records the kernel keeps.
 *
 * The fake /dev/kmsg is a regular file: each record is one write() that
 * starts with "<N>", and the lines inside a record do not, so the records
 * are counted by the lines that start with '<'.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/kmsg.h"
#include "common/log.h"
#include "early/binder.h"
#include "early/status.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/machines.h"
#include "tests/lib/tap.h"

static unsigned records(const char *kmsg)
{
	unsigned n = 0;

	for (const char *p = kmsg; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
		n += *p == '<';
	return n;
}

/*
 * Does every record fit: as written (from one '<' line start to the next),
 * and as syslog(2) and the console show it, each line with a prefix of up to
 * 32 bytes, in 1024 (what record_print_text() of 6.1 keeps)?
 */
static bool records_fit(const char *kmsg)
{
	size_t written = 0, shown = 1;

	for (const char *p = kmsg; p && *p;) {
		const char *nl = strchr(p, '\n');
		const char *next = nl ? nl + 1 : p + strlen(p);
		written += (size_t)(next - p);
		shown += KMSG_SHOWN_PREFIX + (size_t)(next - p) - (*p == '<' ? 3 : 0);
		if (written > KMSG_RECORD_MAX || shown > KMSG_SHOWN_MAX)
			return false;
		if (*next == '<')
			written = 0, shown = 1;
		p = next;
	}
	return true;
}

static void log_lines(struct fake_root *f, unsigned n, size_t width)
{
	char pad[1200];

	memset(pad, 'x', sizeof(pad));
	pad[width < sizeof(pad) ? width : sizeof(pad) - 1] = '\0';
	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	for (unsigned i = 0; i < n; i++)
		log_notice("line %u %s", i, pad);
	log_info("closing line");
	log_close();
}

TEST(forty_lines_fit_in_few_records)
{
	struct fake_root f;
	char *k, want[32];

	CHECK(fake_root_new(&f, NULL) == 0);
	log_lines(&f, 40, 80);
	k = fake_read(&f, "dev/kmsg");
	for (unsigned i = 0; i < 40; i++) {
		snprintf(want, sizeof(want), "vfio-early: line %u x", i);
		CHECK_CONTAINS(k, want);
	}
	CHECK_CONTAINS(k, "vfio-early: closing line\n");
	CHECK(records(k) <= 8);
	CHECK(records_fit(k));
	CHECK(!strstr(k, "not logged"));
	free(k);
	fake_root_free(&f);
}

TEST(more_than_fits_says_so_and_keeps_the_closing_line)
{
	struct fake_root f;
	char *k;

	CHECK(fake_root_new(&f, NULL) == 0);
	log_lines(&f, 400, 100);
	k = fake_read(&f, "dev/kmsg");
	CHECK(records(k) == KMSG_BURST);
	CHECK(records_fit(k));
	CHECK_CONTAINS(k, "vfio-early: line 0 x");
	CHECK_CONTAINS(k, "more lines not logged: the kernel takes 10 records per 5 s from one writer");
	/* the last record: the note, then the closing line */
	CHECK_CONTAINS(k, "from one writer (printk.devkmsg=on lifts that)\nvfio-early: closing line\n");
	free(k);
	fake_root_free(&f);
}

TEST(printk_devkmsg_on_lifts_the_limit)
{
	struct fake_root f;
	char *k;

	CHECK(fake_root_new(&f, NULL) == 0);
	CHECK(fake_write(&f, "proc/sys/kernel/printk_devkmsg", "on\n") == 0);
	log_lines(&f, 400, 100);
	k = fake_read(&f, "dev/kmsg");
	CHECK(records(k) > KMSG_BURST);
	CHECK_CONTAINS(k, "vfio-early: line 399 x");
	CHECK(!strstr(k, "not logged"));
	free(k);
	fake_root_free(&f);
}

TEST(long_and_multiline_messages_stay_one_line_each)
{
	struct fake_root f;
	char *k;

	CHECK(fake_root_new(&f, NULL) == 0);
	log_lines(&f, 3, 1100); /* each longer than a record */
	log_open(&f.root, VFE_LOG_KMSG, "vfio-early");
	log_warning("two\nlines");
	log_close();
	k = fake_read(&f, "dev/kmsg");
	CHECK(records_fit(k));
	CHECK(records(k) >= 3);
	CHECK_CONTAINS(k, "vfio-early: two lines\n");
	free(k);
	fake_root_free(&f);
}

/* The budget is per window: after a quiet spell of more than 5 s it starts again (not waited for here). */
TEST(a_child_gets_its_share_of_the_window)
{
	struct fake_root f;

	CHECK(fake_root_new(&f, NULL) == 0);
	log_open(&f.root, VFE_LOG_KMSG, "vfio-early");
	kmsg_reserve(1);
	for (unsigned i = 0; i < 9; i++) {
		log_notice("record %u", i);
		log_flush();
	}
	CHECK(kmsg_records_written() == 9);
	log_notice("one too many");
	log_flush(); /* held back: said in the next record the window allows */
	CHECK(kmsg_records_written() == 9);
	log_close();
	fake_root_free(&f);
}

/* ---- the binder with twelve cards ---- */

static void twelve_cards(struct fake_root *f)
{
	char conf[2048] = "";

	CHECK(fake_root_new(f, NULL) == 0);
	CHECK(fake_machine_qemu(f) == 0);
	for (int c = 0; c < 12; c++) {
		char gpu[16], audio[16], line[64];
		snprintf(gpu, sizeof(gpu), "0000:%02x:00.0", 0x10 + c);
		snprintf(audio, sizeof(audio), "0000:%02x:00.1", 0x10 + c);
		CHECK(fake_pci_add(f, &(struct fake_pci){ gpu, 0x1002, 0x744c, 0x1002, 0x0e3b, 0x030000, 10 + c, "amdgpu", 0 }) == 0);
		CHECK(fake_pci_add(f, &(struct fake_pci){ audio, 0x1002, 0xab30, 0x1002, 0xab30, 0x040300, 10 + c,
							  "snd_hda_intel", -1 }) == 0);
		snprintf(line, sizeof(line), "device %s id=1002:744c group=whole\n", gpu);
		strcat(conf, line);
	}
	CHECK(fake_write(f, "etc/vfio-early.conf", conf) == 0);
}

TEST(twelve_cards_every_decision_and_the_closing_line_in_the_kernel_log)
{
	struct fake_root f;
	struct fake_kernel k = { 0 };
	struct vfe_bind_ops bops = { fake_kernel_load_module, fake_kernel_written, &k };
	struct vfe_binder_opts o = { .bind = &bops };
	struct vfe_status st;
	unsigned parent;
	char *kmsg, want[128];

	twelve_cards(&f);
	k.f = &f;
	log_open(&f.root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f.root, &o) == 0);
	parent = kmsg_records_written();
	log_close();
	CHECK(vfe_status_read(&f.root, &st) == 0);
	CHECK(st.n_devs == 24);
	kmsg = fake_read(&f, "dev/kmsg");
	for (int c = 0; c < 12; c++) {
		snprintf(want, sizeof(want), "vfio-early: 0000:%02x:00.0: bound to vfio-pci, taken from amdgpu", 0x10 + c);
		CHECK_CONTAINS(kmsg, want);
		snprintf(want, sizeof(want), "vfio-early: 0000:%02x:00.1: bound to vfio-pci, taken from snd_hda_intel",
			 0x10 + c);
		CHECK_CONTAINS(kmsg, want);
	}
	CHECK_CONTAINS(kmsg, "vfio-early: done in ");
	CHECK_CONTAINS(kmsg, ": 24 bound\n");
	/* the parent keeps one record of the burst for its child, which had nothing to say */
	CHECK(parent <= KMSG_BURST - 1);
	CHECK(records(kmsg) == parent);
	CHECK(records_fit(kmsg));
	CHECK(!strstr(kmsg, "not logged"));
	vfe_status_free(&st);
	free(kmsg);
	fake_root_free(&f);
}

TAP_MAIN()
