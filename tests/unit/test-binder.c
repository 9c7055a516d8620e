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
static bool fake_host_driver(void *ud, const struct vfe_dev *d, char *drv, size_t n)
{
	(void)ud;
	if (d->id.vendor == 0x8086 && d->id.device == 0x100e)
		return snprintf(drv, n, "e1000"), true;
	if (d->id.vendor == 0x8086 && d->id.device == 0x293e)
		return snprintf(drv, n, "snd_hda_intel"), true;
	return false;
}

static const struct vfe_plan_ops plan_ops = { fake_host_driver, NULL };

/* The fake kernel (tests/lib/fakesys.h): a probe binds vfio-pci when the override names it. */
static struct fake_kernel kernel;

static void run_with(struct fake_root *f, struct vfe_status *st, const struct vfe_bind_ops *bops)
{
	struct vfe_binder_opts o = { .plan = &plan_ops, .bind = bops };

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f->root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f->root, st) == 0);
}

static void run(struct fake_root *f, struct vfe_status *st)
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
	run(&f, &st);
	CHECK_STREQ(st.mode, "passthrough");
	CHECK_STREQ(st.state, "done");
	CHECK(st.n_devs == 2);
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "vfio-pci");
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "vfio-pci");
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_BOUND);
	CHECK_STREQ(d ? d->after : NULL, "vfio-pci");
	d = find(&st, "0000:00:05.1");
	CHECK(d && d->action == VFE_ACT_BOUND && strcmp(d->via, "0000:00:05.0") == 0);
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/drivers_probe"), "0000:00:05.1");
	/* the boot VGA with the same id was not touched */
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:01.0/driver_override"), "(null)\n");
	CHECK_CONTAINS(fake_read(&f, "dev/kmsg"), "vfio-early: 0000:00:05.1: bound to vfio-pci");
	CHECK_CONTAINS(fake_read(&f, "dev/kmsg"), "vfio-early: done in ");
	fake_root_free(&f);
}

TEST(unverified_bind_fails_and_gives_the_device_back)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;
	const struct vfe_bind_ops silent = { 0 }; /* a kernel that never binds, and vfio-pci "built in" */

	machine(&f);
	fake_write(&f, "etc/vfio-early.conf", "device 0000:00:05.0 id=1234:1111 group=whole\n");
	run_with(&f, &st, &silent);
	/* the binder must notice instead of trusting drivers_probe */
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "vfio-pci did not take it");
	CHECK_CONTAINS(d ? d->reason : NULL, "driver_override cleared");
	/* ... and leave no override behind: the host's drivers may have it */
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.0/driver_override"), "\n");
	/* the group failed at its first member: the second is not tried */
	d = find(&st, "0000:00:05.1");
	CHECK(d && d->action == VFE_ACT_FAILED);
	CHECK_CONTAINS(d ? d->reason : NULL, "not tried: 0000:00:05.0 in the same IOMMU group 2");
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/devices/0000:00:05.1/driver_override"), "(null)\n");
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
	CHECK(d && strcmp(d->before, "xhci_hcd") == 0 && d->action == VFE_ACT_BOUND);
	CHECK_STREQ(fake_read(&f, "sys/bus/pci/drivers/xhci_hcd/unbind"), "0000:00:05.1");
	kmsg = fake_read(&f, "dev/kmsg");
	CHECK_CONTAINS(kmsg, "vfio-early: 0000:00:05.1: bound to vfio-pci, taken from xhci_hcd");
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
