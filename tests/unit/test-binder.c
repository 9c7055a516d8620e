// SPDX-License-Identifier: GPL-2.0-or-later
/* The binder end to end on fake trees: decisions, sysfs writes, the status record, the kernel log. */
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
	CHECK(fake_root_new(f, NULL) == 0);
	CHECK(fake_machine_qemu(f) == 0);
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

/* The fake kernel: a probe request binds vfio-pci when the override names it. */
static int no_module(void *ud, const char *name)
{
	(void)ud;
	(void)name;
	return -ENOENT;
}
static const struct vfe_bind_ops bind_ops = { no_module, NULL };

static void run(struct fake_root *f, struct vfe_status *st)
{
	struct vfe_binder_opts o = { .plan = &plan_ops, .bind = &bind_ops };

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f->root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f->root, st) == 0);
}

static const struct vfe_status_dev *find(const struct vfe_status *st, const char *bdf)
{
	for (size_t i = 0; i < st->n_devs; i++)
		if (strcmp(st->devs[i].bdf, bdf) == 0)
			return &st->devs[i];
	return NULL;
}

TEST(whole_group_is_written_and_unverified_bind_fails)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "# GPU and its audio\ndevice 0000:00:05.0 id=1234:1111 group=whole\n");
	run(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK(st.n_devs == 2);
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "vfio-pci");
	/* the fake kernel never binds: the binder must notice instead of trusting drivers_probe */
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "did not bind");
	d = find(&st, "0000:00:05.1");
	CHECK(d && strcmp(d->via, "0000:00:05.0") == 0);
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/drivers_probe"), "0000:00:05.1");
	/* the boot VGA with the same id was not touched */
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:01.0/driver_override"), "(null)\n");
	fake_root_free(&f);
}

TEST(verified_bind_records_bound)
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
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_ALREADY);
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
	d = find(&st, "0000:00:05.1");
	CHECK(d && strcmp(d->before, "xhci_hcd") == 0);
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/drivers/xhci_hcd/unbind"), "0000:00:05.1");
	kmsg = fake_read(&f, "dev/kmsg");
	CHECK_CONTAINS(kmsg, "vfio-early: 0000:00:05.1: failed");
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
	d = find(&st, "0000:01:01.0");
	CHECK(d && d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d ? d->reason : NULL, "0000:01:02.0");
	CHECK_CONTAINS(d ? d->reason : NULL, "would get e1000");
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:01:01.0/driver_override"), "(null)\n");
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
	d = find(&st, "0000:00:01.0");
	CHECK(d && d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d ? d->reason : NULL, "boot VGA");
	CHECK_STREQ(d ? d->after : NULL, "bochs-drm");
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
	struct vfe_bind_ops ops = { load_taking, &tk };
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
	CHECK_CONTAINS(fake_read(&f, "dev/kmsg"), "vfio-pci took 0000:00:01.0");
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
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "(null)\n");
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
	run(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	for (size_t i = 0; i < st.problems.n; i++)
		saw_line |= strstr(st.problems.v[i], "/etc/vfio-early.conf:2:") != NULL;
	CHECK(saw_line);
	CHECK(st.problems.n >= 3);
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
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
	CHECK(system(p) == 0);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 group=whole\n");
	run(&f, &st);
	CHECK(!st.iommu);
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(d ? d->reason : NULL, "no active IOMMU");
	fake_root_free(&f);
}

TAP_MAIN()
