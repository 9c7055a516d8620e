// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault injection on the binder: whatever breaks (no vfio-pci, a sysfs
 * write refused, a device gone between scan and bind, an unreadable or
 * garbage config, /run not writable, a junk command line), the boot goes
 * on, and the status record or the kernel log says why.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/log.h"
#include "early/binder.h"
#include "early/status.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/machines.h"
#include "tests/lib/tap.h"

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static void rm_rf(struct fake_root *f, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", f->dir, rel);
	REQUIRE(nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

struct hook {
	struct fake_root *f;
	int calls;
	const char *vanish; /* a device to delete when the module is loaded */
	bool registers;     /* loading makes the vfio-pci driver appear */
};

static int load_module(void *ud, const char *name)
{
	struct hook *h = ud;
	char rel[PATH_MAX];

	(void)name;
	h->calls++;
	if (h->vanish) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", h->vanish);
		rm_rf(h->f, rel);
	}
	if (!h->registers)
		return -ENOENT; /* no such module, not built in */
	return fake_driver(h->f, "vfio-pci");
}

static int run(struct fake_root *f, struct hook *h, struct vfe_status *st)
{
	struct vfe_bind_ops bops = { load_module, h };
	struct vfe_binder_opts o = { .bind = &bops };
	int k;

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	k = vfe_binder_run(&f->root, &o);
	log_close();
	if (st && vfe_status_read(&f->root, st) < 0)
		*st = (struct vfe_status){ 0 };
	return k;
}

static const struct vfe_status_dev *find(const struct vfe_status *st, const char *bdf)
{
	for (size_t i = 0; i < st->n_devs; i++)
		if (strcmp(st->devs[i].bdf, bdf) == 0)
			return &st->devs[i];
	return NULL;
}

static void machine(struct fake_root *f, const char *conf)
{
	REQUIRE(fake_root_new(f, NULL) == 0);
	REQUIRE(fake_machine_qemu(f) == 0);
	if (conf)
		REQUIRE(fake_write(f, "etc/vfio-early.conf", conf) == 0);
}

TEST(vfio_pci_unavailable_fails_each_target_and_boot_goes_on)
{
	struct fake_root f;
	struct hook h = { .f = &f };
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	rm_rf(&f, "sys/bus/pci/drivers/vfio-pci");
	CHECK(run(&f, &h, &st) == 0);
	CHECK(h.calls == 1);
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d->reason, "vfio-pci driver is not available");
	/* nothing was half-done: no override left behind */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "0000:00:05.0: failed");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(driver_override_write_failing_is_recorded)
{
	struct fake_root f;
	struct hook h = { .f = &f };
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	/* a directory where the attribute should be: every write fails (EISDIR), even as root */
	rm_rf(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override");
	REQUIRE(fake_mkdir(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override") == 0);
	CHECK(run(&f, &h, &st) == 0);
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d->reason, "cannot write driver_override");
	/* the other function is still tried */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "vfio-pci");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(device_vanishing_between_scan_and_bind)
{
	struct fake_root f;
	struct hook h = { .f = &f, .vanish = "0000:00:05.0", .registers = true };
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	rm_rf(&f, "sys/bus/pci/drivers/vfio-pci"); /* so the binder loads the module, and the hook runs */
	CHECK(run(&f, &h, &st) == 0);
	CHECK(h.calls == 1);
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d->reason, "No such file");
	CHECK(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override") == NULL); /* nothing created */
	vfe_status_free(&st);
	fake_root_free(&f);
}

static void check_bad_config(struct fake_root *f, const char *what)
{
	struct hook h = { .f = f };
	struct vfe_status st;

	CHECK(run(f, &h, &st) == 0);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK(st.n_devs == 0);
	CHECK(st.problems.n >= 1);
	CHECK_CONTAINS(st.problems.n ? st.problems.v[0] : NULL, what);
	CHECK(h.calls == 0);
	vfe_status_free(&st);
}

TEST(config_unreadable)
{
	struct fake_root f;

	machine(&f, NULL);
	REQUIRE(fake_mkdir(&f, "etc/vfio-early.conf") == 0); /* read() fails with EISDIR, even as root */
	check_bad_config(&f, "cannot read");
	fake_root_free(&f);
}

TEST(config_binary_garbage)
{
	struct fake_root f;
	char rel[PATH_MAX];
	unsigned char junk[4096];
	int fd;

	machine(&f, NULL);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	snprintf(rel, sizeof(rel), "%s/etc/vfio-early.conf", f.dir);
	fd = open(rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
	close(fd);
	check_bad_config(&f, "NUL byte");
	fake_root_free(&f);
}

TEST(config_with_a_1mib_line)
{
	struct fake_root f;
	char *big = malloc((1 << 20) + 64);

	REQUIRE(big != NULL);
	machine(&f, NULL);
	memset(big, 'x', 1 << 20);
	strcpy(big + (1 << 20) - 32, "\ndevice 0000:00:05.0\n");
	REQUIRE(fake_write(&f, "etc/vfio-early.conf", big) == 0);
	{
		struct hook h = { .f = &f };
		struct vfe_status st;
		CHECK(run(&f, &h, &st) == 0);
		/* the long line is skipped and named (first: the config is read before anything is decided); the
		 * good line after it still counts */
		CHECK(st.problems.n >= 1);
		CHECK_CONTAINS(st.problems.n ? st.problems.v[0] : NULL, "longer than");
		CHECK(st.problems.n < 2 || !strstr(st.problems.v[1], "longer than"));
		CHECK(find(&st, "0000:00:05.0") != NULL);
		vfe_status_free(&st);
	}
	free(big);
	fake_root_free(&f);
}

TEST(run_not_writable_logs_and_goes_on)
{
	struct fake_root f;
	struct hook h = { .f = &f };

	machine(&f, "device 0000:00:05.0 group=whole\n");
	/* a file where the status directory should be: the record cannot be written, even as root */
	REQUIRE(fake_write(&f, "run/vfio-early", "in the way\n") == 0);
	CHECK(run(&f, &h, NULL) < 0);
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "status");
	/* the binding itself was still done */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
	fake_root_free(&f);
}

TEST(junk_command_line_of_4kib)
{
	struct fake_root f;
	struct hook h = { .f = &f };
	struct vfe_status st;
	char junk[4097];

	machine(&f, "device 0000:00:05.0 group=whole\n");
	for (size_t i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = (char)(1 + (i * 37 + 11) % 255); /* every byte but NUL: quotes, '=', controls, high bytes */
	junk[sizeof(junk) - 1] = '\0';
	memcpy(junk + 100, " vfio_early.devices=\"zz:zz\" vfio_early.x= \"", 44);
	REQUIRE(fake_write(&f, "proc/cmdline", junk) == 0);
	CHECK(run(&f, &h, &st) == 0);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK(find(&st, "0000:00:05.0") != NULL);
	vfe_status_free(&st);
	fake_root_free(&f);
}

TAP_MAIN()
