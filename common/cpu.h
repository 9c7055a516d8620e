/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "common/root.h"

/*
 * The CPU, from <root>/proc/cpuinfo: whose it is (which IOMMU parameter
 * `boot install` adds and `check` expects) and whether it can run KVM
 * guests.
 */
enum vfe_cpu_vendor {
	VFE_CPU_UNKNOWN,
	VFE_CPU_INTEL,
	VFE_CPU_AMD, /* and Hygon, AMD's design */
};

struct vfe_cpu {
	enum vfe_cpu_vendor vendor;
	bool vmx; /* Intel VT-x */
	bool svm; /* AMD-V */
};

/* 0, or the negative errno of reading /proc/cpuinfo (*ret is then all unknown). */
int vfe_cpu_probe(const struct vfe_root *r, struct vfe_cpu *ret);

/*
 * The kernel parameter that turns the vendor's IOMMU on: "intel_iommu=on"
 * on Intel; "" on AMD, whose IOMMU the kernel turns on by default
 * ("amd_iommu=on" is no kernel option: the kernel logs "Unknown option");
 * NULL when the vendor is unknown.
 */
const char *vfe_cpu_iommu_on(enum vfe_cpu_vendor v);
