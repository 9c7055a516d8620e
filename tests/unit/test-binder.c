// SPDX-License-Identifier: GPL-2.0-or-later
/* The binder end to end on fake trees: decisions, sysfs writes, the status record, the kernel log. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "early/binder.h"
#include "early/status.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/machines.h"
#include "tests/lib/tap.h"

static void machine(struct fake_root *f)
{
	REQUIRE(fake_root_new(f, NULL) == 0);
	REQUIRE(fake_machine_qemu(f) == 0);
}

/* A host driver exists for the NIC and the audio function, as modules.alias would say. */
static enum vfe_host_verdict fake_host_driver(void *ud, const struct vfe_dev *d, char *drv, size_t n)
{
	(void)ud;
	if (d->id.vendor == 0x8086 && d->id.device == 0x100e)
		return snprintf(drv, n, "e1000"), VFE_HOST_CLAIMED;
	if (d->id.vendor == 0x8086 && d->id.device == 0x293e)
		return snprintf(drv, n, "snd_hda_intel"), VFE_HOST_CLAIMED;
	return VFE_HOST_NONE;
}

static const struct vfe_plan_ops plan_ops = { fake_host_driver, NULL, NULL };

/* A kernel that never binds (vfio-pci "built in", so no module to load): the binder must notice. */
static int no_module(void *ud, const char *name)
{
	(void)ud;
	(void)name;
	return -ENOENT;
}
static const struct vfe_bind_ops bind_ops = { .load_module = no_module };

static void run_with(struct fake_root *f, struct vfe_status *st, const struct vfe_bind_ops *bops)
{
	struct vfe_binder_opts o = { .plan = &plan_ops, .bind = bops };

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f->root, &o) == 0);
	log_close();
	REQUIRE(vfe_status_read(&f->root, st) == 0);
}

static void run(struct fake_root *f, struct vfe_status *st)
{
	run_with(f, st, &bind_ops);
}

/* The fake kernel of tests/lib/fakesys.h: a probe binds vfio-pci when the override names it. */
static struct fake_kernel kernel;

static void run_kernel(struct fake_root *f, struct vfe_status *st)
{
	struct vfe_bind_ops bops = { fake_kernel_load_module, fake_kernel_written, &kernel };

	kernel.f = f;
	run_with(f, st, &bops);
}

static const struct vfe_status_dev *find(const struct vfe_status *st, const char *bdf)
{
	for (size_t i = 0; i < st->n_devs; i++)
		if (strcmp(st->devs[i].bdf, bdf) == 0)
			return &st->devs[i];
	return NULL;
}

TEST(whole_group_is_bound_and_read_back)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "# GPU and its audio\ndevice 0000:00:05.0 id=1234:1111 group=whole\n");
	run_kernel(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK_STREQ(st.state, "done");
	CHECK(st.n_devs == 2);
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "vfio-pci");
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_BOUND);
	CHECK_STREQ(d->after, "vfio-pci");
	REQUIRE((d = find(&st, "0000:00:05.1")));
	CHECK(d->action == VFE_ACT_BOUND);
	CHECK_STREQ(d->via, "0000:00:05.0");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/drivers_probe"), "0000:00:05.1");
	/* the boot VGA with the same id was not touched */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:01.0/driver_override"), "(null)\n");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: 0000:00:05.1: bound to vfio-pci");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: done in ");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(unverified_bind_fails_and_gives_the_device_back)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 id=1234:1111 group=whole\n");
	run(&f, &st);
	/* the fake kernel never binds: the binder must notice instead of trusting drivers_probe */
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d->reason, "vfio-pci did not take it");
	CHECK_CONTAINS(d->reason, "its kernel messages: sudo dmesg | grep 0000:00:05.0");
	CHECK_CONTAINS(d->reason, "driver_override cleared");
	/* ... and leaves no override behind: the host's drivers may have it */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "\n");
	/* the group failed at its first member: the second is not tried */
	REQUIRE((d = find(&st, "0000:00:05.1")));
	CHECK(d->action == VFE_ACT_FAILED);
	CHECK_STREQ(d->via, "0000:00:05.0");
	CHECK_CONTAINS(d->reason, "not tried: 0000:00:05.0 in the same IOMMU group 2");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "(null)\n");
	/* the boot VGA with the same id was not touched */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:01.0/driver_override"), "(null)\n");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(device_already_on_vfio_pci_is_recorded_already_bound)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 group=whole\n");
	/* the kernel's answer to the probe, prepared in advance */
	fake_set_driver(&f, "0000:00:05.0", "vfio-pci");
	fake_set_driver(&f, "0000:00:05.1", NULL);
	run(&f, &st);
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_ALREADY);
	/* nothing to do for it: no override written */
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	vfe_status_free(&st);
	fake_root_free(&f);
}

/*
 * A fake kernel whose probe binds, for the binder's main path. On a real
 * system, writing an address to drivers_probe probes that device: when the
 * write returns, the driver its driver_override names owns it, and the binder
 * reads the driver link back to see so. Here drivers_probe is a symlink to a
 * file on which a thread holds a read lease, so the binder's open for writing
 * waits in the kernel while the thread is told (SIGIO). The thread then does
 * what the probe does: points the driver link of each listed device whose
 * override names vfio-pci at vfio-pci. It turns drivers_probe to a fresh
 * leased file for the next request and lets the open go on. Each request is
 * left in its own file, probe-0, probe-1, ...
 */
struct lease_kernel {
	struct fake_root *f;
	const char *bdfs[4];
	int fd;          /* the leased file the next request goes to */
	unsigned n;      /* requests so far */
	int arm_failed;  /* 0, or why drivers_probe could not be armed again */
	atomic_bool stop;
	pthread_t thread;
};

static int lease_arm(struct lease_kernel *k)
{
	char rel[64], p[PATH_MAX];
	int fd, r;

	snprintf(rel, sizeof(rel), "sys/bus/pci/probe-%u", k->n);
	if ((r = fake_write(k->f, rel, "")) < 0)
		return r;
	snprintf(p, sizeof(p), "%s/%s", k->f->dir, rel);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fcntl(fd, F_SETOWN, getpid()) < 0 || fcntl(fd, F_SETLEASE, F_RDLCK) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	k->fd = fd;
	return fake_symlink(k->f, "sys/bus/pci/drivers_probe", rel + strlen("sys/bus/pci/"));
}

/* The binder is waiting in open("drivers_probe"), the path already resolved to the leased file. */
static void lease_probe(struct lease_kernel *k)
{
	int leased = k->fd, r;

	for (size_t i = 0; i < ELEMENTSOF(k->bdfs) && k->bdfs[i]; i++) {
		char rel[PATH_MAX], *o = NULL;

		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", k->bdfs[i]);
		if (vfe_read_file(&k->f->root, rel, 64, &o) >= 0 && strncmp(o, "vfio-pci", 8) == 0)
			fake_set_driver(k->f, k->bdfs[i], "vfio-pci");
		free(o);
	}
	k->n++;
	if ((r = lease_arm(k)) < 0 && !k->arm_failed)
		k->arm_failed = r;
	fcntl(leased, F_SETLEASE, F_UNLCK);
	close(leased);
}

static void *lease_run(void *arg)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct lease_kernel *k = arg;
	sigset_t io;

	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	while (!atomic_load(&k->stop))
		if (sigtimedwait(&io, NULL, &tick) == SIGIO)
			lease_probe(k);
	return NULL;
}

static void lease_start(struct lease_kernel *k)
{
	sigset_t io;
	int r;

	/* the lease's SIGIO goes to the process; blocked everywhere, the thread takes it with sigtimedwait */
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	REQUIRE(pthread_sigmask(SIG_BLOCK, &io, NULL) == 0);
	if ((r = lease_arm(k)) < 0) {
		fake_root_free(k->f);
		SKIP("no file lease on drivers_probe here (fcntl F_SETLEASE)");
	}
	REQUIRE(pthread_create(&k->thread, NULL, lease_run, k) == 0);
}

static void lease_stop(struct lease_kernel *k)
{
	atomic_store(&k->stop, true);
	pthread_join(k->thread, NULL);
	fcntl(k->fd, F_SETLEASE, F_UNLCK);
	close(k->fd);
}

/* The requests the binder made, space-separated. */
static const char *lease_requests(struct lease_kernel *k, char *buf, size_t n)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < k->n; i++) {
		char rel[64];
		const char *req;

		snprintf(rel, sizeof(rel), "sys/bus/pci/probe-%u", i);
		req = fake_text(k->f, rel);
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? " " : "", req ? req : "?");
	}
	return buf;
}

TEST(probe_that_binds_is_recorded_bound)
{
	struct fake_root f;
	struct lease_kernel k = { .f = &f, .bdfs = { "0000:00:05.0", "0000:00:05.1" } };
	struct vfe_status st;
	const struct vfe_status_dev *d;
	char buf[128];

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 group=whole\n");
	lease_start(&k);
	run(&f, &st);
	lease_stop(&k);
	CHECK(k.arm_failed == 0);
	CHECK_STREQ(lease_requests(&k, buf, sizeof(buf)), "0000:00:05.0 0000:00:05.1"); /* one probe each, in order */
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_BOUND);
	CHECK_STREQ(d->before, "");
	CHECK_STREQ(d->after, "vfio-pci");
	REQUIRE((d = find(&st, "0000:00:05.1")));
	CHECK(d->action == VFE_ACT_BOUND);
	CHECK_STREQ(d->via, "0000:00:05.0");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "0000:00:05.0: bound");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(builtin_driver_is_unbound_first_and_recorded)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;
	char *kmsg;

	machine(&f);
	fake_set_driver(&f, "0000:00:05.1", "xhci_hcd");
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.1\ndevice 0000:00:05.0\n");
	run(&f, &st);
	REQUIRE((d = find(&st, "0000:00:05.1")));
	CHECK_STREQ(d->before, "xhci_hcd");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/drivers/xhci_hcd/unbind"), "0000:00:05.1");
	kmsg = fake_text(&f, "dev/kmsg");
	CHECK_CONTAINS(kmsg, "vfio-early: 0000:00:05.1: failed");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(shared_group_with_unlisted_device_is_refused)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:01:01.0 id=1af4:1050\n");
	run(&f, &st);
	REQUIRE((d = find(&st, "0000:01:01.0")));
	CHECK(d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d->reason, "0000:01:02.0");
	CHECK_CONTAINS(d->reason, "would get e1000");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:01:01.0/driver_override"), "(null)\n");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(boot_vga_is_refused_without_allow)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:01.0\n");
	run(&f, &st);
	REQUIRE((d = find(&st, "0000:00:01.0")));
	CHECK(d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d->reason, "boot VGA");
	CHECK_STREQ(d->after, "bochs-drm");
	vfe_status_free(&st);
	fake_root_free(&f);
}

struct taker {
	struct fake_root *f;
	const char *takes; /* what vfio-pci takes as it registers, as an ids= option would have it */
};

/* The fake kernel's vfio-pci module: it registers, and takes a driverless function of the id it was given. */
static int load_taking(void *ud, const char *name)
{
	struct taker *t = ud;

	(void)name;
	CHECK(fake_driver(t->f, "vfio-pci") == 0);
	return fake_set_driver(t->f, t->takes, "vfio-pci");
}

/*
 * A leftover "options vfio-pci ids=1234:1111" in the image: the binder loads
 * vfio-pci without it, and whatever vfio-pci still takes unasked (the boot
 * VGA has no driver yet in a distribution's image) is recorded, never silent.
 */
TEST(what_vfio_pci_takes_unasked_is_recorded)
{
	struct fake_root f;
	struct taker tk = { &f, "0000:00:01.0" };
	struct vfe_bind_ops ops = { load_taking, NULL, &tk };
	struct vfe_binder_opts o = { .plan = &plan_ops, .bind = &ops };
	struct vfe_status st;
	bool said = false;
	char p[PATH_MAX];

	machine(&f);
	snprintf(p, sizeof(p), "rm -rf '%s/sys/bus/pci/drivers/vfio-pci'", f.dir);
	CHECK(system(p) == 0);
	CHECK(fake_set_driver(&f, "0000:00:01.0", NULL) == 0);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 group=whole\n");
	log_open(&f.root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f.root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f.root, &st) == 0);
	for (size_t i = 0; i < st.problems.n; i++)
		said |= strstr(st.problems.v[i], "vfio-pci took 0000:00:01.0 (1234:1111, the boot VGA) as it loaded") != NULL;
	CHECK(said);
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-pci took 0000:00:01.0");
	vfe_status_free(&st);
	/* what the plan asked for is no surprise */
	CHECK(fake_set_driver(&f, "0000:00:01.0", NULL) == 0);
	snprintf(p, sizeof(p), "rm -rf '%s/sys/bus/pci/drivers/vfio-pci'", f.dir);
	CHECK(system(p) == 0);
	tk.takes = "0000:00:05.1";
	log_open(&f.root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f.root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f.root, &st) == 0);
	for (size_t i = 0; i < st.problems.n; i++)
		CHECK(!strstr(st.problems.v[i], "vfio-pci took"));
	vfe_status_free(&st);
	fake_root_free(&f);
}

/* The binder decides from what the hooks put into the image; without it, it says so and decides with less. */
TEST(image_facts_decide_and_their_absence_is_said)
{
	struct fake_root f;
	struct vfe_binder_opts o = { .dry_run = true };
	struct vfe_status st;
	const struct vfe_status_dev *d;
	size_t missing = 0;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:1f.2 allow-storage\ndevice 0000:00:05.0\n");
	log_open(&f.root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f.root, &o) == 0);
	CHECK(vfe_status_read(&f.root, &st) == 0);
	for (size_t i = 0; i < st.problems.n; i++)
		missing += strstr(st.problems.v[i], "the initramfs has no") != NULL;
	CHECK(missing == 2);
	d = find(&st, "0000:00:1f.2"); /* allow-storage is all it knows */
	CHECK(d && d->action == VFE_ACT_BIND);
	d = find(&st, "0000:00:05.0"); /* nothing known of the audio function's driver: taken */
	CHECK(d && d->action == VFE_ACT_REFUSE);
	vfe_status_free(&st);
	/* with the facts, as the hooks make them */
	CHECK(fake_installed_modules(&f));
	CHECK(fake_image_facts(&f) == 0);
	CHECK(vfe_binder_run(&f.root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f.root, &st) == 0);
	for (size_t i = 0; i < st.problems.n; i++)
		CHECK(!strstr(st.problems.v[i], "the initramfs has no"));
	d = find(&st, "0000:00:1f.2");
	CHECK(d && d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d ? d->reason : NULL, "/ (sda1)");
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d ? d->reason : NULL, "would get snd_hda_intel");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(recovery_mode_binds_nothing)
{
	struct fake_root f;
	struct vfe_status st;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 group=whole\n");
	fake_write(&f, "proc/cmdline", "root=/dev/vda ro vfio-early=off quiet\n");
	run(&f, &st);
	CHECK_STREQ(st.mode, "recovery");
	CHECK_CONTAINS(st.reason, "vfio-early=off");
	CHECK(st.iommu); /* recorded in recovery boots too */
	CHECK(st.n_devs == 0);
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(garbage_config_and_cmdline_still_bind_the_good_entry)
{
	struct fake_root f;
	struct vfe_status st;
	bool saw_line = false;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 group=whole\nfrobnicate 12\ndevice zz:zz.z\n");
	fake_write(&f, "proc/cmdline", "vfio_early.devices=nonsense vfio_early.bogus=1 vfio_early=maybe \"unbalanced\n");
	run_kernel(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	for (size_t i = 0; i < st.problems.n; i++)
		saw_line |= strstr(st.problems.v[i], "/etc/vfio-early.conf:2:") != NULL;
	CHECK(saw_line);
	CHECK(st.problems.n >= 3);
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(no_iommu_binds_nothing)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;
	char p[PATH_MAX];

	machine(&f);
	snprintf(p, sizeof(p), "rm -rf '%s/sys/class/iommu'", f.dir);
	REQUIRE(system(p) == 0);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 group=whole\n");
	run(&f, &st);
	CHECK(!st.iommu);
	REQUIRE((d = find(&st, "0000:00:05.0")));
	CHECK(d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d->reason, "no active IOMMU");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TAP_MAIN()
