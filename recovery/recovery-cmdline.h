/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The recovery entry's kernel command line: the default entry's options
 * without what passthrough guides tell people to add (vfio-pci.ids=,
 * rd.driver.pre=vfio-pci, driver blacklists for the GPU and its audio,
 * video=efifb:off, ...), plus vfio_early=off. Parameters are split and
 * quoted by the kernel's rules; everything else is kept as it was.
 */
/* What the recovery entry adds: the binder binds nothing on such a boot. */
#define VFE_RECOVERY_PARAM "vfio_early=off"

int vfe_recovery_cmdline(const char *options, char **ret);
