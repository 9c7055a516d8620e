// SPDX-License-Identifier: GPL-2.0-or-later
/* Atomic file replacement: new content, backup of the old, nothing changed on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/atomic.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

TEST(replaces_and_keeps_backup)
{
	struct fake_root f;
	struct stat st;
	char p[PATH_MAX];

	REQUIRE(fake_root_new(&f, NULL) == 0);
	fake_write(&f, "etc/x.conf", "old\n");
	CHECK(vfe_write_file_atomic(&f.root, "etc/x.conf", "new\n", 4, 0640, VFE_ATOMIC_KEEP_BACKUP) == 0);
	CHECK_STREQ(fake_text(&f, "etc/x.conf"), "new\n");
	CHECK_STREQ(fake_text(&f, "etc/x.conf.bak"), "old\n");
	snprintf(p, sizeof(p), "%s/etc/x.conf", f.dir);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640);
	fake_root_free(&f);
}

TEST(creates_a_new_file_without_backup)
{
	struct fake_root f;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	CHECK(vfe_write_file_atomic(&f.root, "/etc/new.conf", "a", 1, 0644, VFE_ATOMIC_KEEP_BACKUP) == 0);
	CHECK_STREQ(fake_text(&f, "etc/new.conf"), "a");
	CHECK(fake_text(&f, "etc/new.conf.bak") == NULL);
	fake_root_free(&f);
}

TEST(missing_directory_fails_and_leaves_nothing)
{
	struct fake_root f;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	CHECK(vfe_write_file_atomic(&f.root, "nodir/x", "a", 1, 0644, 0) == -ENOENT);
	fake_root_free(&f);
}

TEST(failed_rename_leaves_old_content_and_no_temporary)
{
	struct fake_root f;
	char cmd[PATH_MAX + 64];

	REQUIRE(fake_root_new(&f, NULL) == 0);
	/* the target is a non-empty directory: the final rename fails even for root */
	fake_write(&f, "etc/x/keep", "old");
	CHECK(vfe_write_file_atomic(&f.root, "etc/x", "new", 3, 0644, 0) < 0);
	CHECK_STREQ(fake_text(&f, "etc/x/keep"), "old");
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/etc' | grep -v '^x$')\"", f.dir);
	CHECK(system(cmd) == 0);
	fake_root_free(&f);
}

TAP_MAIN()
