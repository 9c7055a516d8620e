// SPDX-License-Identifier: GPL-2.0-or-later
/* The CPU probe that `boot install` (which IOMMU parameter) and `check` (vendor, VT-x/AMD-V) share. */
#include "common/cpu.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

static struct vfe_cpu probe(const char *cpuinfo)
{
	struct fake_root f;
	struct vfe_cpu c = { VFE_CPU_UNKNOWN, false, false };

	REQUIRE(fake_root_new(&f, NULL) == 0);
	if (cpuinfo)
		fake_write(&f, "proc/cpuinfo", cpuinfo);
	CHECK((vfe_cpu_probe(&f.root, &c) == 0) == (cpuinfo != NULL));
	fake_root_free(&f);
	return c;
}

TEST(intel_with_vt_x)
{
	struct vfe_cpu c = probe("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)\n"
				 "flags\t\t: fpu vme de vmx ept\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n");

	CHECK(c.vendor == VFE_CPU_INTEL && c.vmx && !c.svm);
	CHECK_STREQ(vfe_cpu_iommu_on(c.vendor), "intel_iommu=on");
}

TEST(amd_and_hygon_with_svm)
{
	struct vfe_cpu c = probe("vendor_id\t: AuthenticAMD\nflags\t\t: fpu svm npt\n");

	CHECK(c.vendor == VFE_CPU_AMD && c.svm && !c.vmx);
	/* on by default, and amd_iommu=on is no kernel option: nothing to add */
	CHECK_STREQ(vfe_cpu_iommu_on(c.vendor), "");
	c = probe("vendor_id\t: HygonGenuine\nflags\t\t: svm\n");
	CHECK(c.vendor == VFE_CPU_AMD);
}

TEST(flags_are_whole_words_and_the_vendor_comes_from_its_line)
{
	/* a model name naming the other vendor, a flag that only contains "vmx" */
	struct vfe_cpu c = probe("vendor_id\t: AuthenticAMD\nmodel name\t: not a GenuineIntel part\nflags\t\t: vmxe\n");

	CHECK(c.vendor == VFE_CPU_AMD);
	CHECK(!c.vmx && !c.svm);
}

TEST(unknown_or_unreadable)
{
	struct vfe_cpu c = probe("vendor_id\t: CentaurHauls\n");

	CHECK(c.vendor == VFE_CPU_UNKNOWN && vfe_cpu_iommu_on(c.vendor) == NULL);
	c = probe(NULL);
	CHECK(c.vendor == VFE_CPU_UNKNOWN);
}

TAP_MAIN()
