// SPDX-License-Identifier: GPL-2.0-or-later
/* The GRUB environment block: parse, format, escapes, size, atomic save. */
#include <stdio.h>
#include <sys/stat.h>

#include "efi/grub/grub.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

/* A block as grub-editenv writes it: header, variables, '#' up to 1024 bytes. */
static void make_block(char *out, const char *vars)
{
	size_t l = strlen(GRUBENV_HEADER) + strlen(vars);

	memset(out, '#', GRUBENV_SIZE);
	memcpy(out, GRUBENV_HEADER, strlen(GRUBENV_HEADER));
	memcpy(out + strlen(GRUBENV_HEADER), vars, strlen(vars));
	(void)l;
}

TEST(parses_what_grub_editenv_writes)
{
	char b[GRUBENV_SIZE];
	struct vfe_grubenv env;
	const char *err;

	make_block(b, "saved_entry=gnulinux-simple-1\nnext_entry=a>b\nempty=\n");
	CHECK(vfe_grubenv_parse(b, sizeof(b), &env, &err) == 0);
	CHECK(env.n == 3);
	CHECK_STREQ(vfe_grubenv_get(&env, "saved_entry"), "gnulinux-simple-1");
	CHECK_STREQ(vfe_grubenv_get(&env, "next_entry"), "a>b");
	CHECK_STREQ(vfe_grubenv_get(&env, "empty"), "");
	CHECK(vfe_grubenv_get(&env, "nope") == NULL);
	vfe_grubenv_free(&env);
}

TEST(format_is_exactly_1024_bytes_with_header_and_padding)
{
	struct vfe_grubenv env = { 0 };
	char b[GRUBENV_SIZE + 1];

	b[GRUBENV_SIZE] = 'X';
	CHECK(vfe_grubenv_set(&env, "next_entry", "vfio-early-nopt") == 1);
	CHECK(vfe_grubenv_format(&env, b) == 0);
	CHECK(b[GRUBENV_SIZE] == 'X');
	CHECK(memcmp(b, GRUBENV_HEADER GRUBENV_WARNING "next_entry=vfio-early-nopt\n#",
		     strlen(GRUBENV_HEADER GRUBENV_WARNING) + 28) == 0);
	CHECK(b[GRUBENV_SIZE - 1] == '#');
	vfe_grubenv_free(&env);
}

TEST(same_bytes_as_grub_editenv)
{
	struct vfe_grubenv env = { 0 };
	char b[GRUBENV_SIZE], path[PATH_MAX + 64], cmd[PATH_MAX * 2];
	struct fake_root f;
	char *theirs;

	if (system("command -v grub-editenv >/dev/null") != 0)
		SKIP("grub-editenv is not installed (grub-common)");
	REQUIRE(fake_root_new(&f, NULL) == 0);
	snprintf(path, sizeof(path), "%s/grubenv", f.dir);
	snprintf(cmd, sizeof(cmd), "grub-editenv %s create && grub-editenv %s set a=1 'b=x\\y' 'next_entry=s>e'", path,
		 path);
	REQUIRE(system(cmd) == 0);
	vfe_grubenv_set(&env, "a", "1");
	vfe_grubenv_set(&env, "b", "x\\y");
	vfe_grubenv_set(&env, "next_entry", "s>e");
	CHECK(vfe_grubenv_format(&env, b) == 0);
	theirs = fake_text(&f, "grubenv");
	CHECK(theirs && memcmp(theirs, b, GRUBENV_SIZE) == 0);
	vfe_grubenv_free(&env);
	fake_root_free(&f);
}

TEST(escapes_round_trip)
{
	struct vfe_grubenv env = { 0 }, back;
	char b[GRUBENV_SIZE];
	const char *err;

	vfe_grubenv_set(&env, "v", "a\\b\nc");
	CHECK(vfe_grubenv_format(&env, b) == 0);
	CHECK(memcmp(b + strlen(GRUBENV_HEADER GRUBENV_WARNING), "v=a\\\\b\\\nc\n", 10) == 0);
	CHECK(vfe_grubenv_parse(b, sizeof(b), &back, &err) == 0);
	CHECK_STREQ(vfe_grubenv_get(&back, "v"), "a\\b\nc");
	vfe_grubenv_free(&env);
	vfe_grubenv_free(&back);
}

TEST(set_unset_and_change_reporting)
{
	struct vfe_grubenv env = { 0 };

	CHECK(vfe_grubenv_set(&env, "x", "1") == 1);
	CHECK(vfe_grubenv_set(&env, "x", "1") == 0);
	CHECK(vfe_grubenv_set(&env, "x", "2") == 1);
	CHECK(vfe_grubenv_set(&env, "y", NULL) == 0);
	CHECK(vfe_grubenv_set(&env, "x", NULL) == 1);
	CHECK(env.n == 0);
	CHECK(vfe_grubenv_set(&env, "a=b", "1") == -EINVAL);
	vfe_grubenv_free(&env);
}

TEST(rejects_wrong_size_header_and_lines)
{
	char b[GRUBENV_SIZE];
	struct vfe_grubenv env;
	const char *err;

	make_block(b, "x=1\n");
	CHECK(vfe_grubenv_parse(b, sizeof(b) - 1, &env, &err) == -EINVAL);
	CHECK_CONTAINS(err, "1024");
	b[0] = 'X';
	CHECK(vfe_grubenv_parse(b, sizeof(b), &env, &err) == -EINVAL);
	CHECK_CONTAINS(err, "header");
	make_block(b, "garbage\n");
	CHECK(vfe_grubenv_parse(b, sizeof(b), &env, &err) == -EINVAL);
	make_block(b, "a=b");
	memset(b + strlen(GRUBENV_HEADER) + 3, 'v', GRUBENV_SIZE - strlen(GRUBENV_HEADER) - 3); /* no newline */
	CHECK(vfe_grubenv_parse(b, sizeof(b), &env, &err) == -EINVAL);
}

TEST(too_much_does_not_fit)
{
	struct vfe_grubenv env = { 0 };
	char b[GRUBENV_SIZE], big[1100];

	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vfe_grubenv_set(&env, "x", big);
	CHECK(vfe_grubenv_format(&env, b) == -ENOSPC);
	vfe_grubenv_free(&env);
}

TEST(load_missing_is_empty_save_is_atomic_and_exact)
{
	struct fake_root f;
	struct vfe_grubenv env;
	char p[PATH_MAX + 32];
	struct stat st;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	fake_mkdir(&f, "boot/grub");
	CHECK(vfe_grubenv_load(&f.root, "boot/grub/grubenv", &env) == 0 && env.n == 0);
	vfe_grubenv_set(&env, "next_entry", "vfio-early-nopt");
	CHECK(vfe_grubenv_save(&f.root, "boot/grub/grubenv", &env) == 0);
	snprintf(p, sizeof(p), "%s/boot/grub/grubenv", f.dir);
	CHECK(stat(p, &st) == 0 && st.st_size == GRUBENV_SIZE);
	vfe_grubenv_free(&env);
	CHECK(vfe_grubenv_load(&f.root, "boot/grub/grubenv", &env) == 0);
	CHECK_STREQ(vfe_grubenv_get(&env, "next_entry"), "vfio-early-nopt");
	vfe_grubenv_free(&env);
	fake_root_free(&f);
}

TEST(load_refuses_a_short_file)
{
	struct fake_root f;
	struct vfe_grubenv env;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	fake_write(&f, "boot/grub/grubenv", GRUBENV_HEADER "x=1\n");
	CHECK(vfe_grubenv_load(&f.root, "boot/grub/grubenv", &env) == -EINVAL);
	fake_root_free(&f);
}

TAP_MAIN()
