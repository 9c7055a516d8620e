// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault injection on the binder: whatever breaks (no vfio-pci, a module
 * refused under Secure Boot, a sysfs write refused, a device gone between
 * scan and bind, a probe that never returns or leaves no driver, a group
 * whose second function fails, an unreadable or garbage config, /run not
 * writable, a junk command line), the boot goes on without waiting more
 * than the binder's bound, no device is left stranded or a group
 * half-bound, and the status record and the kernel log say why.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

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

/* Counts in shared memory: the module is loaded in the binder's child process. */
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

static struct hook *new_hook(struct fake_root *f)
{
	struct hook *h = fake_shared(sizeof(*h));

	h->f = f;
	return h;
}

/*
 * The installed system's facts, fixed: no host driver for any driverless
 * function (these tests are about binding, not about the group guard).
 */
static enum vfe_host_verdict no_host_driver(void *ud, const struct vfe_dev *d, char *drv, size_t n)
{
	(void)ud, (void)d, (void)drv, (void)n;
	return VFE_HOST_NONE;
}
static const struct vfe_plan_ops plan_ops = { no_host_driver, NULL, NULL };

static int run_ops(struct fake_root *f, const struct vfe_bind_ops *bops, unsigned timeout_ms, struct vfe_status *st)
{
	struct vfe_binder_opts o = { .bind = bops, .plan = &plan_ops, .timeout_ms = timeout_ms };
	int k;

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	k = vfe_binder_run(&f->root, &o);
	log_close();
	if (st && vfe_status_read(&f->root, st) < 0)
		*st = (struct vfe_status){ 0 };
	return k;
}

static int run(struct fake_root *f, struct hook *h, struct vfe_status *st)
{
	struct vfe_bind_ops bops = { .load_module = load_module, .userdata = h };

	return run_ops(f, &bops, 0, st);
}

/* The fake kernel of tests/lib/fakesys.h, with faults. */
static int run_kernel(struct fake_root *f, struct fake_kernel *k, unsigned timeout_ms, struct vfe_status *st)
{
	struct vfe_bind_ops bops = { fake_kernel_load_module, fake_kernel_written, k };

	k->f = f;
	return run_ops(f, &bops, timeout_ms, st);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	struct hook *h = new_hook(&f);
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	rm_rf(&f, "sys/bus/pci/drivers/vfio-pci");
	CHECK(run(&f, h, &st) == 0);
	CHECK(h->calls == 1);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "vfio-pci driver is not available");
	/* nothing was half-done: no override left behind */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "0000:00:05.0: failed");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(driver_override_write_failing_is_recorded)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.1", NULL, FAKE_OK } } };
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	/* a directory where the attribute should be: every write fails (EISDIR), even as root */
	rm_rf(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override");
	CHECK(fake_mkdir(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override") == 0);
	CHECK(run_kernel(&f, &k, 0, &st) == 0);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "cannot write driver_override");
	/* its group is not half-bound: the other function is not tried */
	d = find(&st, "0000:00:05.1");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "not tried");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "(null)\n");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(device_vanishing_between_scan_and_bind)
{
	struct fake_root f;
	struct hook *h = new_hook(&f);
	struct vfe_status st;
	const struct vfe_status_dev *d;

	h->vanish = "0000:00:05.0", h->registers = true;
	machine(&f, "device 0000:00:05.0 group=whole\n");
	rm_rf(&f, "sys/bus/pci/drivers/vfio-pci"); /* so the binder loads the module, and the hook runs */
	CHECK(run(&f, h, &st) == 0);
	CHECK(h->calls == 1);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "No such file");
	CHECK(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override") == NULL); /* nothing created */
	vfe_status_free(&st);
	fake_root_free(&f);
}

static void check_bad_config(struct fake_root *f, const char *what)
{
	struct hook *h = new_hook(f);
	struct vfe_status st;

	CHECK(run(f, h, &st) == 0);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK(st.n_devs == 0);
	CHECK(st.problems.n >= 1);
	CHECK_CONTAINS(st.problems.n ? st.problems.v[0] : NULL, what);
	CHECK(h->calls == 0);
	vfe_status_free(&st);
}

TEST(config_unreadable)
{
	struct fake_root f;

	machine(&f, NULL);
	CHECK(fake_mkdir(&f, "etc/vfio-early.conf") == 0); /* read() fails with EISDIR, even as root */
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
	CHECK(fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
	close(fd);
	check_bad_config(&f, "NUL byte");
	fake_root_free(&f);
}

TEST(config_with_a_1mib_line)
{
	struct fake_root f;
	char *big = malloc((1 << 20) + 64);

	machine(&f, NULL);
	CHECK(big != NULL);
	memset(big, 'x', 1 << 20);
	strcpy(big + (1 << 20) - 32, "\ndevice 0000:00:05.0\n");
	CHECK(fake_write(&f, "etc/vfio-early.conf", big) == 0);
	{
		struct vfe_status st;
		CHECK(run(&f, new_hook(&f), &st) == 0);
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
	struct fake_kernel k = { 0 };

	machine(&f, "device 0000:00:05.0 group=whole\n");
	/* a file where the status directory should be: the record cannot be written, even as root */
	CHECK(fake_write(&f, "run/vfio-early", "in the way\n") == 0);
	CHECK(run_kernel(&f, &k, 0, NULL) < 0);
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "status");
	/* the binding itself was still done */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
	fake_root_free(&f);
}

TEST(junk_command_line_of_4kib)
{
	struct fake_root f;
	struct vfe_status st;
	char junk[4097];

	machine(&f, "device 0000:00:05.0 group=whole\n");
	for (size_t i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = (char)(1 + (i * 37 + 11) % 255); /* every byte but NUL: quotes, '=', controls, high bytes */
	junk[sizeof(junk) - 1] = '\0';
	memcpy(junk + 100, " vfio_early.devices=\"zz:zz\" vfio_early.x= \"", 44);
	CHECK(fake_write(&f, "proc/cmdline", junk) == 0);
	CHECK(run(&f, new_hook(&f), &st) == 0);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK(find(&st, "0000:00:05.0") != NULL);
	vfe_status_free(&st);
	fake_root_free(&f);
}

/* ---- (1) never block ---- */

TEST(probe_that_never_returns_does_not_hold_the_boot)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.0", NULL, FAKE_PROBE_HANGS } } };
	struct vfe_status st;
	const struct vfe_status_dev *d;
	const char *first;
	double t0;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	t0 = now_s();
	CHECK(run_kernel(&f, &k, 300, &st) == 0);
	/* the run came back after its 0.3 s bound, though the probe is still "in the kernel" */
	CHECK(now_s() - t0 < 5);
	CHECK_STREQ(st.state, "done");
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_TIMEOUT);
	CHECK_CONTAINS(d ? d->reason : NULL, "still in the kernel after 0.3 s (probing it with vfio-pci had not returned)");
	d = find(&st, "0000:00:05.1");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "not tried: the binder stopped waiting after 0.3 s (the kernel was still busy with 0000:00:05.0)");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: 0000:00:05.0: timed-out: still in the kernel");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: done in ");
	/* the provisional record was there before the first sysfs write */
	first = fake_text(&f, "status-at-first-write");
	CHECK_CONTAINS(first, " state=binding");
	CHECK_CONTAINS(first, "bdf=0000:00:05.0 ");
	CHECK_CONTAINS(first, "action=bind ");
	CHECK(fake_kernel_end_hang(&f));
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(unbind_that_never_returns_is_named)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.0", "bochs-drm", FAKE_UNBIND_HANGS } } };
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0\n");
	fake_set_driver(&f, "0000:00:05.0", "bochs-drm");
	CHECK(run_kernel(&f, &k, 300, &st) == 0);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_TIMEOUT);
	CHECK_CONTAINS(d ? d->reason : NULL, "unbinding it from bochs-drm had not returned");
	CHECK_STREQ(d ? d->before : NULL, "bochs-drm");
	CHECK(fake_kernel_end_hang(&f));
	vfe_status_free(&st);
	fake_root_free(&f);
}

/* Waits (up to 10 s) for the record to contain what; the binder's child writes it after the run returned. */
static const char *wait_record(struct fake_root *f, const char *what)
{
	for (int i = 0; i < 200; i++) {
		char *s = fake_read(f, "run/vfio-early/status");
		if (s && strstr(s, what))
			return fake_own(f, s);
		free(s);
		usleep(50000);
	}
	return fake_text(f, "run/vfio-early/status");
}

TEST(probe_that_returns_late_rewrites_the_record)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.0", NULL, FAKE_PROBE_SLOW } }, .slow_ms = 1000 };
	struct vfe_status st;
	const struct vfe_status_dev *d;
	const char *rec;

	machine(&f, "device 0000:00:05.0\n");
	CHECK(run_kernel(&f, &k, 200, &st) == 0);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_TIMEOUT);
	/* the kernel returns 0.8 s later; the child finishes the bind and says so */
	rec = wait_record(&f, "action=bound");
	CHECK_CONTAINS(rec, "bdf=0000:00:05.0 id=1234:1111");
	CHECK_CONTAINS(rec, "action=bound before=- after=vfio-pci");
	CHECK_CONTAINS(rec, " state=done");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: 0000:00:05.0: bound to vfio-pci late");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "the kernel returned");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(group_started_before_the_wait_ended_is_given_back_whole)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.0", "bochs-drm", FAKE_PROBE_SLOW },
					  { "0000:00:05.1", "snd_hda_intel", FAKE_OK } },
				 .slow_ms = 1000 };
	struct vfe_status st;
	const char *rec;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	fake_set_driver(&f, "0000:00:05.0", "bochs-drm");
	fake_set_driver(&f, "0000:00:05.1", "snd_hda_intel");
	CHECK(run_kernel(&f, &k, 200, &st) == 0);
	/* when the slow probe returns, the boot has gone on: 05.1 is not started, 05.0 given back */
	rec = wait_record(&f, "rolled back");
	CHECK_CONTAINS(rec, "rolled back: the binder stopped waiting after 0.2 s before IOMMU group 2 was complete; "
			    "restored to bochs-drm");
	CHECK_CONTAINS(rec, "action=failed before=snd_hda_intel after=snd_hda_intel reason=\"not tried: the binder stopped waiting");
	CHECK(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver") == NULL); /* a symlink: read through it fails */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "(null)\n");
	{
		char drv[64];
		CHECK(vfe_readlink_base(&f.root, drv, sizeof(drv), "sys/bus/pci/devices/0000:00:05.0/driver") >= 0 &&
		      strcmp(drv, "bochs-drm") == 0);
		CHECK(vfe_readlink_base(&f.root, drv, sizeof(drv), "sys/bus/pci/devices/0000:00:05.1/driver") >= 0 &&
		      strcmp(drv, "snd_hda_intel") == 0);
	}
	vfe_status_free(&st);
	fake_root_free(&f);
}

/* ---- (2) never strand a device ---- */

static const char *driver_of(struct fake_root *f, const char *bdf, char *buf, size_t n)
{
	return vfe_readlink_base(&f->root, buf, n, "sys/bus/pci/devices/%s/driver", bdf) < 0 ? "" : buf;
}

TEST(probe_that_leaves_no_driver_restores_the_native_one)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.0", "bochs-drm", FAKE_VFIO_REFUSES } } };
	struct vfe_status st;
	const struct vfe_status_dev *d;
	char drv[64];

	machine(&f, "device 0000:00:05.0\n");
	fake_set_driver(&f, "0000:00:05.0", "bochs-drm");
	CHECK(run_kernel(&f, &k, 0, &st) == 0);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "vfio-pci did not take it (driver after the probe: none");
	CHECK_CONTAINS(d ? d->reason : NULL, "; restored to bochs-drm");
	CHECK_STREQ(d ? d->before : NULL, "bochs-drm");
	CHECK_STREQ(d ? d->after : NULL, "bochs-drm");
	CHECK_STREQ(driver_of(&f, "0000:00:05.0", drv, sizeof(drv)), "bochs-drm");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "restored to bochs-drm");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(group_whose_second_function_fails_is_rolled_back_whole)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.0", "bochs-drm", FAKE_OK },
					  { "0000:00:05.1", "snd_hda_intel", FAKE_VFIO_REFUSES } } };
	struct vfe_status st;
	const struct vfe_status_dev *d;
	char drv[64];

	machine(&f, "device 0000:00:05.0 group=whole\n");
	fake_set_driver(&f, "0000:00:05.0", "bochs-drm");
	fake_set_driver(&f, "0000:00:05.1", "snd_hda_intel");
	CHECK(run_kernel(&f, &k, 0, &st) == 0);
	d = find(&st, "0000:00:05.1");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "restored to snd_hda_intel");
	/* the first function was bound, then given back: no half-bound group */
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "rolled back: 0000:00:05.1 in the same IOMMU group 2 could not be bound; "
					     "restored to bochs-drm");
	CHECK_STREQ(d ? d->after : NULL, "bochs-drm");
	CHECK_STREQ(driver_of(&f, "0000:00:05.0", drv, sizeof(drv)), "bochs-drm");
	CHECK_STREQ(driver_of(&f, "0000:00:05.1", drv, sizeof(drv)), "snd_hda_intel");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/drivers/vfio-pci/unbind"), "0000:00:05.0");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "(null)\n");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(driverless_device_vfio_refuses_is_left_to_the_host)
{
	struct fake_root f;
	struct fake_kernel k = { .dev = { { "0000:00:05.0", NULL, FAKE_VFIO_REFUSES } } };
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0\n");
	CHECK(run_kernel(&f, &k, 0, &st) == 0);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "driver_override cleared, left to the host's drivers");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	vfe_status_free(&st);
	fake_root_free(&f);
}

#define BURN_US 100000

/* Loading the module costs CPU in the bind child, as the module's initialisation does at boot. */
static int load_module_slowly(void *ud, const char *name)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < BURN_US * 1000L);
	return load_module(ud, name);
}

TEST(cpu_in_the_record_counts_the_bind_child)
{
	struct fake_root f;
	struct hook *h = new_hook(&f);
	struct vfe_bind_ops bops = { .load_module = load_module_slowly, .userdata = h };
	struct vfe_status st;
	struct rusage self;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	rm_rf(&f, "sys/bus/pci/drivers/vfio-pci");
	h->registers = true;
	CHECK(run_ops(&f, &bops, 0, &st) == 0);
	CHECK(h->calls == 1);
	/* the burn was the child's: the test process itself spent less than that */
	REQUIRE(getrusage(RUSAGE_SELF, &self) == 0);
	CHECK(self.ru_utime.tv_sec * 1000000L + self.ru_utime.tv_usec + self.ru_stime.tv_sec * 1000000L +
		      self.ru_stime.tv_usec < BURN_US);
	CHECK(st.cpu_us >= BURN_US);
	if (st.cpu_us < BURN_US)
		printf("# cpu_us=%" PRIu64 "\n", st.cpu_us);
	vfe_status_free(&st);
	fake_root_free(&f);
}

/* ---- (6) the true reason ---- */

static const struct vfe_status_dev *run_module_error(struct fake_root *f, int err, struct vfe_status *st)
{
	struct fake_kernel k = { .load_error = err };

	rm_rf(f, "sys/bus/pci/drivers/vfio-pci");
	CHECK(run_kernel(f, &k, 0, st) == 0);
	return find(st, "0000:00:05.0");
}

TEST(module_refused_under_lockdown_says_so)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	fake_write(&f, "sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	d = run_module_error(&f, -EPERM, &st);
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "the kernel refused to load vfio_pci (EPERM): it is locked down "
					     "(lockdown: none [integrity] confidentiality, as under Secure Boot)");
	CHECK(d && !strstr(d->reason, "missing from the initramfs"));
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "locked down");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(module_with_a_rejected_signature_says_so)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	d = run_module_error(&f, -EKEYREJECTED, &st);
	CHECK_CONTAINS(d ? d->reason : NULL, "the kernel rejected the signature of vfio_pci (EKEYREJECTED)");
	CHECK(d && !strstr(d->reason, "missing from the initramfs"));
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(module_loading_disabled_says_so)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f, "device 0000:00:05.0 group=whole\n");
	fake_write(&f, "proc/sys/kernel/modules_disabled", "1\n");
	d = run_module_error(&f, -EPERM, &st);
	CHECK_CONTAINS(d ? d->reason : NULL, "module loading is disabled (kernel.modules_disabled=1)");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TAP_MAIN()
