/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "tests/lib/fakesys.h"

/*
 * The fake machine the unit and integration tests share, laid out like the
 * QEMU boot tests' guest: boot VGA at 00:01.0 (1234:1111, bochs-drm), a
 * second 1234:1111 display + HDMI-style audio in one multifunction slot
 * (00:05.0/00:05.1, IOMMU group 2), a pci-bridge group with a display and
 * a NIC behind it (group 3), and the AHCI controller holding the disks.
 */
int fake_machine_qemu(struct fake_root *f);
