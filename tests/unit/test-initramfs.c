// SPDX-License-Identifier: GPL-2.0-or-later
/* check/initramfs.c: the cpio "newc" reader and image loading (microcode cpio + compressed cpio). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>

#include "check/initramfs.h"
#include "common/strbuf.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

/* Appends one newc entry (magic 070701) to sb, 4-byte aligned relative to sb's start. */
static void newc(struct strbuf *sb, const char *name, unsigned mode, const char *data)
{
	size_t dl = data ? strlen(data) : 0;

	sb_printf(sb, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", 1u, mode, 0u, 0u, 1u, 0u, dl, 0u,
		  0u, 0u, 0u, strlen(name) + 1, 0u);
	sb_putn(sb, name, strlen(name) + 1);
	while (sb->len % 4)
		sb_putc(sb, '\0');
	if (dl)
		sb_putn(sb, data, dl);
	while (sb->len % 4)
		sb_putc(sb, '\0');
}

static void archive(struct strbuf *sb, const char *const *files)
{
	for (size_t i = 0; files[i]; i += 2)
		newc(sb, files[i], files[i + 1] ? 0100644 : 040755, files[i + 1]);
	newc(sb, "TRAILER!!!", 0, NULL);
	while (sb->len % 512) /* cpio pads its output to blocks */
		sb_putc(sb, '\0');
}

struct seen {
	char names[512];
	int n;
};

static int collect(void *ud, const struct vfe_cpio_file *f)
{
	struct seen *s = ud;
	size_t l = strlen(s->names);

	snprintf(s->names + l, sizeof(s->names) - l, "%s%.*s", l ? " " : "", (int)f->name_len, f->name);
	s->n++;
	return 0;
}

TEST(concatenated_archives_padding_and_dot_slash_names)
{
	static const char *const a[] = { "kernel", NULL, "./kernel/x86/microcode.bin", "UCODE", NULL };
	static const char *const b[] = { "/etc", NULL, "etc/vfio-early.conf", "device 0000:05:00.0\n", NULL };
	struct strbuf sb = { 0 };
	struct seen s = { "", 0 };
	size_t used = 0;

	archive(&sb, a);
	archive(&sb, b);
	CHECK(!sb.oom);
	CHECK(vfe_cpio_walk((const uint8_t *)sb.s, sb.len, collect, &s, &used) == 0);
	CHECK_STREQ(s.names, "kernel kernel/x86/microcode.bin etc etc/vfio-early.conf");
	CHECK(used <= sb.len && used > 0);
	sb_free(&sb);
}

TEST(truncated_or_malformed_headers_are_refused_not_overread)
{
	static const char *const a[] = { "etc/vfio-early.conf", "device 0000:05:00.0\n", NULL };
	struct strbuf sb = { 0 };

	archive(&sb, a);
	for (size_t cut = 1; cut < 200; cut += 7) {
		uint8_t *copy = malloc(cut);
		memcpy(copy, sb.s, cut);
		int k = vfe_cpio_walk(copy, cut, NULL, NULL, NULL);
		CHECK(k == -EBADMSG || k == 0);
		free(copy);
	}
	sb.s[20] = 'G'; /* not hex */
	CHECK(vfe_cpio_walk((const uint8_t *)sb.s, sb.len, NULL, NULL, NULL) == -EBADMSG);
	sb_free(&sb);
}

TEST(compression_is_recognised_by_magic)
{
	CHECK(vfe_compression_detect((const uint8_t *)"\x28\xb5\x2f\xfd\x00", 5) == VFE_COMP_ZSTD);
	CHECK(vfe_compression_detect((const uint8_t *)"\x1f\x8b\x08", 3) == VFE_COMP_GZIP);
	CHECK(vfe_compression_detect((const uint8_t *)"\xfd" "7zXZ\0\0", 7) == VFE_COMP_XZ);
	CHECK(vfe_compression_detect((const uint8_t *)"070701", 6) == VFE_COMP_NONE);
	CHECK(vfe_compression_detect((const uint8_t *)"hello", 5) == VFE_COMP_UNKNOWN);
}

/* microcode cpio + gzip'd cpio, as update-initramfs builds it; the later copy of a file wins. */
TEST(image_with_a_compressed_part_through_gzip)
{
	static const char *const ucode[] = { "kernel/x86/microcode/GenuineIntel.bin", "UCODE", NULL };
	static const char *const main_[] = { "etc/vfio-early.conf", "old\n", "etc/vfio-early.conf", "new\n", NULL };
	struct strbuf a = { 0 }, b = { 0 };
	struct fake_root f;
	struct vfe_initramfs im;
	const uint8_t *data;
	size_t size;
	char cmd[PATH_MAX * 2 + 64];
	FILE *p;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	archive(&a, ucode);
	archive(&b, main_);
	REQUIRE(fake_mkdir(&f, "boot") == 0);
	snprintf(cmd, sizeof(cmd), "%s/boot/initrd.img-1.0", f.dir);
	p = fopen(cmd, "w");
	REQUIRE(p && fwrite(a.s, 1, a.len, p) == a.len);
	fclose(p);
	/* the test's own fixed command line; the code under test never uses a shell */
	snprintf(cmd, sizeof(cmd), "gzip -c >>'%s/boot/initrd.img-1.0'", f.dir);
	p = popen(cmd, "w");
	REQUIRE(p && fwrite(b.s, 1, b.len, p) == b.len);
	REQUIRE(pclose(p) == 0);
	REQUIRE(vfe_initramfs_load(&f.root, "boot/initrd.img-1.0", &im) == 0);
	CHECK(im.n == 2 && im.comp == VFE_COMP_GZIP);
	CHECK(vfe_initramfs_find(&im, "/etc/vfio-early.conf", &data, &size) == 0);
	CHECK(size == 4 && memcmp(data, "new\n", 4) == 0);
	CHECK(vfe_initramfs_find(&im, "kernel/x86/microcode/GenuineIntel.bin", &data, &size) == 0);
	CHECK(vfe_initramfs_find(&im, "usr/bin/nothing", &data, &size) == -ENOENT);
	vfe_initramfs_free(&im);
	CHECK(vfe_initramfs_load(&f.root, "boot/initrd.img-2.0", &im) == -ENOENT);
	CHECK(fake_write(&f, "boot/initrd.img-3.0", "this is not an initramfs\n") == 0);
	CHECK(vfe_initramfs_load(&f.root, "boot/initrd.img-3.0", &im) == -EBADMSG);
	CHECK(fake_write(&f, "boot/initrd.img-4.0", "\x1f\x8b\x08garbage") == 0);
	CHECK(vfe_initramfs_load(&f.root, "boot/initrd.img-4.0", &im) == -EBADMSG);
	sb_free(&a);
	sb_free(&b);
	fake_root_free(&f);
}

/* A real Debian image on this machine, when there is one: it must parse and hold /init. */
TEST(a_real_distribution_image)
{
	struct vfe_root root;
	struct vfe_initramfs im;
	const uint8_t *data;
	size_t size;
	glob_t g;

	if (glob("/boot/initrd.img-*", 0, NULL, &g) != 0)
		SKIP("no /boot/initrd.img-* on this machine");
	REQUIRE(vfe_root_open(&root, "/") == 0);
	REQUIRE(vfe_initramfs_load(&root, g.gl_pathv[0] + 1, &im) == 0);
	CHECK(vfe_initramfs_find(&im, "init", &data, &size) == 0 && size > 0);
	vfe_initramfs_free(&im);
	vfe_root_close(&root);
	globfree(&g);
}

TAP_MAIN()
