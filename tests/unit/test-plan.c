// SPDX-License-Identifier: GPL-2.0-or-later
/* Matching and every guard, on the shared fake machine (tests/lib/machines.c). */
#include <stdio.h>
#include <stdlib.h>

#include "early/config.h"
#include "early/pci.h"
#include "early/plan.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/machines.h"
#include "tests/lib/tap.h"

struct fx {
	struct fake_root f;
	struct vfe_pci pci;
	struct vfe_config cfg;
	struct vfe_plan plan;
};

/* The installed kernel as these tests see it: e1000 for the NIC (when nic is set), nothing else. */
static enum vfe_host_verdict host_drivers(void *nic, const struct vfe_dev *d, char *drv, size_t n)
{
	if (!nic || d->id.device != 0x100e)
		return VFE_HOST_NONE;
	snprintf(drv, n, "e1000");
	return VFE_HOST_CLAIMED;
}

static const struct vfe_plan_ops no_host_driver = { host_drivers, NULL, NULL };

static void build(struct fx *x, const char *conf, bool iommu, bool nic_driver)
{
	struct vfe_plan_ops ops = { host_drivers, nic_driver ? (void *)1 : NULL, NULL };
	char *text = strdup(conf);

	memset(x, 0, sizeof(*x));
	REQUIRE(text != NULL);
	REQUIRE(fake_root_new(&x->f, NULL) == 0);
	REQUIRE(fake_machine_qemu(&x->f) == 0);
	REQUIRE(vfe_pci_scan(&x->f.root, &x->pci) == 0);
	REQUIRE(vfe_config_parse(&x->cfg, "t.conf", text) == 0);
	REQUIRE(x->cfg.problems.n == 0);
	free(text);
	REQUIRE(vfe_plan_build(&x->pci, x->cfg.entries, x->cfg.n, iommu, &ops, &x->plan) == 0);
}

static const struct vfe_target *target(const struct fx *x, const char *bdf)
{
	for (size_t i = 0; i < x->plan.n; i++)
		if (x->plan.t[i].dev && strcmp(x->plan.t[i].dev->name, bdf) == 0)
			return &x->plan.t[i];
	return NULL;
}

static void done(struct fx *x)
{
	vfe_plan_free(&x->plan);
	vfe_config_free(&x->cfg);
	vfe_pci_free(&x->pci);
	fake_root_free(&x->f);
}

TEST(scan_reads_ids_and_class_from_modalias)
{
	struct fx x;
	struct vfe_pci_addr a = { 0, 0, 5, 1 };
	const struct vfe_dev *d;

	build(&x, "", true, false);
	CHECK(x.pci.n == 8);
	d = vfe_pci_find(&x.pci, &a);
	CHECK(d && d->id.vendor == 0x8086 && d->id.device == 0x293e && d->class == 0x0403);
	CHECK(d && d->has_subsys && d->subsys.vendor == 0x1af4);
	done(&x);
}

TEST(group_whole_takes_the_audio_function)
{
	struct fx x;
	const struct vfe_target *t;

	build(&x, "device 0000:00:05.0 id=1234:1111 group=whole\n", true, false);
	CHECK(x.plan.n == 2);
	t = target(&x, "0000:00:05.1");
	CHECK(t && t->action == VFE_ACT_BIND && t->via && strcmp(t->via->name, "0000:00:05.0") == 0);
	done(&x);
}

TEST(group_function_alone_binds_when_the_rest_of_the_group_needs_no_host_driver)
{
	struct fx x;
	const struct vfe_target *t;
	build(&x, "device 0000:00:05.0\n", true, false);
	/* the audio function has no driver and the installed kernel has none for it: the group is viable */
	t = target(&x, "0000:00:05.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	done(&x);
}

TEST(card_swapped_in_the_slot_is_skipped)
{
	struct fx x;
	const struct vfe_target *t;

	build(&x, "device 0000:00:05.0 id=10de:2684\n", true, false);
	t = target(&x, "0000:00:05.0");
	CHECK(t && t->action == VFE_ACT_SKIP);
	CHECK_CONTAINS(t ? t->reason : NULL, "is now 1234:1111");
	done(&x);
}

TEST(subsystem_mismatch_is_skipped)
{
	struct fx x;
	const struct vfe_target *t;

	build(&x, "device 0000:00:05.0 id=1234:1111 subsystem=1043:88e2\n", true, false);
	t = target(&x, "0000:00:05.0");
	CHECK(t && t->action == VFE_ACT_SKIP);
	done(&x);
}

TEST(absent_device_and_unknown_id_are_reported)
{
	struct fx x;

	build(&x, "device 0000:42:00.0\ndevice 10de:2684\n", true, false);
	CHECK(x.plan.n == 2);
	CHECK(x.plan.n == 2 && !x.plan.t[0].dev && x.plan.t[0].action == VFE_ACT_SKIP);
	CHECK_CONTAINS(x.plan.n == 2 ? x.plan.t[0].reason : NULL, "no PCI device at 0000:42:00.0");
	CHECK_CONTAINS(x.plan.n == 2 ? x.plan.t[1].reason : NULL, "no PCI device with id 10de:2684");
	done(&x);
}

TEST(id_matching_two_cards_binds_the_second_and_refuses_the_boot_vga)
{
	struct fx x;
	const struct vfe_target *vga, *other;

	build(&x, "device 1234:1111\n", true, false);
	vga = target(&x, "0000:00:01.0");
	other = target(&x, "0000:00:05.0");
	CHECK(vga && vga->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(vga ? vga->reason : NULL, "boot VGA");
	CHECK(other && other->action == VFE_ACT_BIND);
	done(&x);
}

TEST(boot_vga_with_allow_is_bound_but_not_the_last_display_without)
{
	struct fx x;
	const struct vfe_target *t;

	build(&x, "device 0000:00:01.0 allow-boot-vga\n", true, false);
	t = target(&x, "0000:00:01.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	done(&x);
	/* every display taken, none allows it: the host would be headless */
	build(&x, "device 0000:00:05.0\ndevice 0000:01:01.0\ndevice 0000:01:02.0\n", true, false);
	t = target(&x, "0000:00:05.0");
	CHECK(t && t->action == VFE_ACT_BIND); /* the boot VGA stays with the host */
	done(&x);
}

TEST(last_display_guard)
{
	struct fx x;
	const struct vfe_target *t;

	/* a machine where no function reports boot_vga: only the last-display guard protects the host */
	memset(&x, 0, sizeof(x));
	REQUIRE(fake_root_new(&x.f, NULL) == 0);
	REQUIRE(fake_machine_qemu(&x.f) == 0);
	fake_write(&x.f, "sys/bus/pci/devices/0000:00:01.0/boot_vga", "0\n");
	REQUIRE(vfe_pci_scan(&x.f.root, &x.pci) == 0);
	char text[] = "device 0000:00:05.0\ndevice 0000:01:01.0 group=whole\ndevice 0000:00:01.0\n";
	REQUIRE(vfe_config_parse(&x.cfg, "t.conf", text) == 0);
	REQUIRE(vfe_plan_build(&x.pci, x.cfg.entries, x.cfg.n, true, &no_host_driver, &x.plan) == 0);
	t = target(&x, "0000:00:05.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "last display");
	t = target(&x, "0000:01:02.0"); /* not a display: unaffected */
	CHECK(t && t->action == VFE_ACT_BIND);
	vfe_plan_free(&x.plan);
	vfe_config_free(&x.cfg);
	/* one entry accepting a headless host lets all of them through */
	char text2[] = "device 0000:00:05.0\ndevice 0000:01:01.0 group=whole\ndevice 0000:00:01.0 allow-boot-vga\n";
	REQUIRE(vfe_config_parse(&x.cfg, "t.conf", text2) == 0);
	REQUIRE(vfe_plan_build(&x.pci, x.cfg.entries, x.cfg.n, true, &no_host_driver, &x.plan) == 0);
	t = target(&x, "0000:00:05.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	done(&x);
}

TEST(bridge_and_storage_guards)
{
	struct fx x;
	const struct vfe_target *t;

	build(&x, "device 0000:00:06.0\ndevice 0000:00:1f.2\n", true, false);
	t = target(&x, "0000:00:06.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "bridge");
	t = target(&x, "0000:00:1f.2");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "allow-storage");
	done(&x);
	build(&x, "device 0000:00:1f.2 allow-storage\n", true, false);
	t = target(&x, "0000:00:1f.2");
	CHECK(t && t->action == VFE_ACT_BIND);
	done(&x);
}

TEST(shared_group_needs_every_endpoint)
{
	struct fx x;
	const struct vfe_target *t;

	build(&x, "device 0000:01:01.0\n", true, true);
	t = target(&x, "0000:01:01.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "would get e1000");
	done(&x);
	/* no host driver would claim the NIC: nothing else in the group needs the host */
	build(&x, "device 0000:01:01.0\n", true, false);
	t = target(&x, "0000:01:01.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	done(&x);
	/* group=whole takes the NIC too, never the bridge */
	build(&x, "device 0000:01:01.0 group=whole\n", true, true);
	CHECK(x.plan.n == 2);
	CHECK(target(&x, "0000:00:06.0") == NULL);
	t = target(&x, "0000:01:02.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	done(&x);
}

TEST(no_iommu_refuses_everything)
{
	struct fx x;

	build(&x, "device 0000:00:05.0 group=whole\n", false, false);
	for (size_t i = 0; i < x.plan.n; i++)
		CHECK(x.plan.t[i].action == VFE_ACT_REFUSE);
	done(&x);
}

TEST(listed_twice_counts_once)
{
	struct fx x;

	build(&x, "device 0000:00:05.0\ndevice 1234:1111\n", true, false);
	CHECK(x.plan.n == 2); /* 05.0 once, plus the boot VGA from the id entry */
	done(&x);
}

TAP_MAIN()
