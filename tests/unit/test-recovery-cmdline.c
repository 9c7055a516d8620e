// SPDX-License-Identifier: GPL-2.0-or-later
/* The recovery entry's command line: passthrough's parameters out, vfio_early=off in, the rest kept. */
#include <stdlib.h>

#include "recovery/recovery-cmdline.h"
#include "tests/lib/tap.h"

static void check_transform(const char *in, const char *want)
{
	char *out = NULL;

	CHECK(vfe_recovery_cmdline(in, &out) == 0);
	CHECK_STREQ(out, want);
	free(out);
}

TEST(guide_parameters_are_dropped)
{
	check_transform("root=UUID=1 ro quiet vfio-pci.ids=10de:1b80,10de:10f0 vfio_pci.disable_vga=1 video=efifb:off",
			"root=UUID=1 ro quiet vfio_early=off");
	check_transform("rd.driver.pre=vfio-pci initcall_blacklist=sysfb_init vfio_early.devices=05:00.0 splash",
			"splash vfio_early=off");
}

TEST(only_the_gpu_drivers_leave_a_blacklist)
{
	check_transform("modprobe.blacklist=nouveau,pcspkr,snd_hda_intel rd.driver.blacklist=nvidia",
			"modprobe.blacklist=pcspkr vfio_early=off");
	check_transform("rd.driver.pre=vfio_pci,dm_mod", "rd.driver.pre=dm_mod vfio_early=off");
}

TEST(iommu_and_unrelated_parameters_stay_in_order)
{
	check_transform("intel_iommu=on iommu=pt kvm.ignore_msrs=1 video=1920x1080 acpi=\"a b\"",
			"intel_iommu=on iommu=pt kvm.ignore_msrs=1 video=1920x1080 acpi=\"a b\" vfio_early=off");
}

TEST(an_existing_switch_is_replaced_not_doubled)
{
	check_transform("quiet vfio_early=on", "quiet vfio_early=off");
	check_transform("vfio-early=off quiet", "quiet vfio_early=off");
}

TEST(init_arguments_stay_after_the_double_dash)
{
	check_transform("ro quiet -- single", "ro quiet vfio_early=off -- single");
}

TEST(empty_and_blank)
{
	check_transform("", "vfio_early=off");
	check_transform("  \n", "vfio_early=off");
}

TAP_MAIN()
