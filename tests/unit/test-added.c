// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Devices added after boot (vfio-early-bind --added=BDF, from the udev
 * rule): the boot's config, plan and guards, for the new function's IOMMU
 * group only, recorded in the boot's status record as late. On the shared
 * fake machine, booted first by the binder, then given new PCI functions
 * the way a hotplug, an SR-IOV enable or a Thunderbolt authorisation does.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "early/binder.h"
#include "early/status.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/machines.h"
#include "tests/lib/tap.h"

static struct fake_kernel kernel;

static void boot(struct fake_root *f, const char *conf)
{
	struct vfe_bind_ops bops = { fake_kernel_load_module, fake_kernel_written, &kernel };
	struct vfe_binder_opts o = { .bind = &bops };

	REQUIRE(fake_root_new(f, NULL) == 0);
	REQUIRE(fake_machine_qemu(f) == 0);
	REQUIRE(fake_write(f, "etc/vfio-early.conf", conf) == 0);
	kernel.f = f;
	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f->root, &o) == 0);
	log_close();
}

static void added(struct fake_root *f, const char *bdf)
{
	struct vfe_bind_ops bops = { fake_kernel_load_module, fake_kernel_written, &kernel };
	struct vfe_binder_opts o = { .bind = &bops };

	kernel.f = f;
	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_added(&f->root, &o, bdf) == 0);
	log_close();
}

/* An Intel 82574L (e1000e) behind a root port: its own IOMMU group 7 */
static void plug_nic(struct fake_root *f, const char *driver)
{
	CHECK(fake_pci_add(f, &(struct fake_pci){ "0000:02:00.0", 0x8086, 0x10d3, 0x8086, 0x0000, 0x020000, 7, driver, -1 }) == 0);
}

/* An RTX 4090 (GPU + HDMI audio) behind a root port: its own IOMMU group 8, no driver yet */
static void plug_card(struct fake_root *f)
{
	CHECK(fake_pci_add(f, &(struct fake_pci){ "0000:03:00.0", 0x10de, 0x2684, 0x10de, 0x16f1, 0x030000, 8, NULL, 0 }) == 0);
	CHECK(fake_pci_add(f, &(struct fake_pci){ "0000:03:00.1", 0x10de, 0x22ba, 0x10de, 0x16f1, 0x040300, 8, NULL, -1 }) == 0);
}

static const struct vfe_status_dev *find(const struct vfe_status *st, const char *bdf)
{
	for (size_t i = 0; i < st->n_devs; i++)
		if (strcmp(st->devs[i].bdf, bdf) == 0)
			return &st->devs[i];
	return NULL;
}

TEST(hot_added_device_listed_by_id_is_bound_late)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	boot(&f, "device 0000:00:05.0 group=whole\ndevice 8086:10d3\n");
	plug_nic(&f, NULL);
	added(&f, "0000:02:00.0");
	CHECK(vfe_status_read(&f.root, &st) == 0);
	d = find(&st, "0000:02:00.0");
	CHECK(d && d->action == VFE_ACT_BOUND && d->late);
	CHECK_STREQ(d ? d->after : NULL, "vfio-pci");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:02:00.0/driver_override"), "vfio-pci");
	/* the boot's lines are kept, and the entry's "no device" line is replaced */
	d = find(&st, "0000:00:05.0");
	CHECK(d && d->action == VFE_ACT_BOUND && !d->late);
	for (size_t i = 0; i < st.n_devs; i++)
		CHECK(st.devs[i].bdf[0] != '\0');
	CHECK(st.n_devs == 3);
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: 0000:02:00.0: bound to vfio-pci after boot (listed by id)");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: 0000:02:00.0 added after boot: done in ");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(hot_added_device_a_driver_took_first_is_unbound)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	/* the VF driver was loaded already: the kernel bound it before udev saw the device */
	boot(&f, "device 8086:10d3\n");
	plug_nic(&f, "e1000e");
	added(&f, "0000:02:00.0");
	CHECK(vfe_status_read(&f.root, &st) == 0);
	d = find(&st, "0000:02:00.0");
	CHECK(d && d->action == VFE_ACT_BOUND && d->late);
	CHECK_STREQ(d ? d->before : NULL, "e1000e");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/drivers/e1000e/unbind"), "0000:02:00.0");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(device_not_configured_is_left_alone_silently)
{
	struct fake_root f;
	const char *before, *kmsg_before;

	boot(&f, "device 0000:00:05.0 group=whole\n");
	before = fake_text(&f, "run/vfio-early/status");
	kmsg_before = fake_text(&f, "dev/kmsg");
	plug_nic(&f, NULL);
	added(&f, "0000:02:00.0");
	CHECK_STREQ(fake_text(&f, "run/vfio-early/status"), before);
	CHECK_STREQ(fake_text(&f, "dev/kmsg"), kmsg_before);
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:02:00.0/driver_override"), "(null)\n");
	fake_root_free(&f);
}

TEST(recovery_boot_binds_nothing_late)
{
	struct fake_root f;

	CHECK(fake_root_new(&f, NULL) == 0);
	CHECK(fake_machine_qemu(&f) == 0);
	CHECK(fake_write(&f, "etc/vfio-early.conf", "device 8086:10d3\n") == 0);
	CHECK(fake_write(&f, "proc/cmdline", "root=/dev/vda vfio_early=off\n") == 0);
	plug_nic(&f, NULL);
	added(&f, "0000:02:00.0");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:02:00.0/driver_override"), "(null)\n");
	CHECK(fake_text(&f, "run/vfio-early/status") == NULL);
	fake_root_free(&f);
}

TEST(hot_added_card_binds_its_group_once)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	boot(&f, "device 0000:03:00.0 group=whole\n");
	/* a card of two functions: both appear, udev sees the audio function's event first */
	plug_card(&f);
	added(&f, "0000:03:00.1");
	added(&f, "0000:03:00.0");
	CHECK(vfe_status_read(&f.root, &st) == 0);
	CHECK(st.n_devs == 2);
	d = find(&st, "0000:03:00.0");
	CHECK(d && d->action == VFE_ACT_BOUND && d->late);
	/* bound by the first event; the second finds it on vfio-pci and keeps the line that says how */
	d = find(&st, "0000:03:00.1");
	CHECK(d && d->action == VFE_ACT_BOUND && d->late && strcmp(d->via, "0000:03:00.0") == 0);
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(hot_added_card_whose_second_function_fails_is_given_back_whole)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	boot(&f, "device 0000:03:00.0 group=whole\n");
	plug_card(&f);
	kernel.dev[0] = (struct fake_kdev){ "0000:03:00.1", NULL, FAKE_VFIO_REFUSES };
	added(&f, "0000:03:00.0");
	kernel.dev[0] = (struct fake_kdev){ 0 };
	CHECK(vfe_status_read(&f.root, &st) == 0);
	d = find(&st, "0000:03:00.0");
	CHECK(d && d->action == VFE_ACT_FAILED && d->late);
	CHECK_CONTAINS(d ? d->reason : NULL, "rolled back: 0000:03:00.1 in the same IOMMU group 8 could not be bound");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:03:00.0/driver_override"), "(null)\n");
	CHECK(fake_text(&f, "sys/bus/pci/devices/0000:03:00.0/driver") == NULL);
	d = find(&st, "0000:03:00.1");
	CHECK(d && d->action == VFE_ACT_FAILED && d->late);
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(the_guards_hold_for_late_devices)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	boot(&f, "device 8086:10d3\n");
	/* the new NIC shares its group with a function the host drives */
	CHECK(fake_pci_add(&f, &(struct fake_pci){ "0000:02:00.0", 0x8086, 0x10d3, 0x8086, 0x0000, 0x020000, 7, NULL, -1 }) == 0);
	CHECK(fake_pci_add(&f, &(struct fake_pci){ "0000:02:00.1", 0x8086, 0x1e31, 0x8086, 0x0000, 0x0c0330, 7, "xhci_hcd", -1 }) == 0);
	added(&f, "0000:02:00.0");
	CHECK(vfe_status_read(&f.root, &st) == 0);
	d = find(&st, "0000:02:00.0");
	CHECK(d && d->action == VFE_ACT_REFUSE && d->late);
	CHECK_CONTAINS(d ? d->reason : NULL, "half-bound");
	CHECK_STREQ(fake_text(&f, "sys/bus/pci/devices/0000:02:00.0/driver_override"), "(null)\n");
	CHECK_CONTAINS(fake_text(&f, "dev/kmsg"), "vfio-early: 0000:02:00.0: refused after boot: IOMMU group 7");
	vfe_status_free(&st);
	fake_root_free(&f);
}

TEST(without_a_boot_record_one_is_started)
{
	struct fake_root f;
	struct vfe_status st;
	const struct vfe_status_dev *d;

	CHECK(fake_root_new(&f, NULL) == 0);
	CHECK(fake_machine_qemu(&f) == 0);
	CHECK(fake_write(&f, "etc/vfio-early.conf", "device 8086:10d3\n") == 0);
	plug_nic(&f, NULL);
	added(&f, "0000:02:00.0");
	CHECK(vfe_status_read(&f.root, &st) == 0);
	CHECK_CONTAINS(st.reason, "no record from the initramfs binder");
	d = find(&st, "0000:02:00.0");
	CHECK(d && d->action == VFE_ACT_BOUND && d->late);
	vfe_status_free(&st);
	fake_root_free(&f);
}

TAP_MAIN()
