/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "tests/lib/fakesys.h"

/*
 * The fake machine the unit and integration tests share, laid out like the
 * QEMU boot tests' guest: boot VGA at 00:01.0 (1234:1111, bochs-drm), a
 * second 1234:1111 display + HDMI-style audio in one multifunction slot
 * (00:05.0/00:05.1, IOMMU group 2), a pci-bridge group with a display and
 * a NIC behind it (group 3), and the AHCI controller holding the disks.
 */
int fake_machine_qemu(struct fake_root *f);

/*
 * The installed Debian kernel's module indexes (modules.*), copied to
 * lib/modules/<running release> of the tree, as add and check ask them:
 * the real aliases of a distribution kernel (tests/deps.d installs
 * linux-image-amd64). False when no kernel is installed.
 */
bool fake_installed_modules(struct fake_root *f);

/*
 * What the initramfs hooks put into the image, made the way they make it
 * (check/image-facts.h, from the tree's own system and fake_installed_modules()):
 * usr/lib/vfio-early/host, where the binder reads it.
 */
int fake_image_facts(struct fake_root *f);
