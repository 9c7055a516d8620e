/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/root.h"

/*
 * Fake root trees for tests and benchmarks: a temporary directory laid out
 * like /sys, /proc, /etc and /run, with the same relative symlinks the
 * kernel uses, opened as a vfe_root.
 */
struct fake_root {
	char dir[PATH_MAX];
	struct vfe_root root;
	char **owned; /* strings handed out by fake_read and fake_own, freed with the tree */
	size_t n_owned;
};

/* A PCI function to create under sys/bus/pci/devices. */
struct fake_pci {
	const char *bdf;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;     /* 24 bits as in sysfs, e.g. 0x030000 */
	int group;          /* -1: no IOMMU group */
	const char *driver; /* NULL: unbound */
	int boot_vga;       /* -1: no boot_vga file (not VGA class) */
};

/* Makes an empty tree under $TMPDIR (or at dir when not NULL), with dev/kmsg and proc/cmdline. */
int fake_root_new(struct fake_root *f, const char *dir);
void fake_root_free(struct fake_root *f);

/* Writes a file (parents created). */
int fake_write(struct fake_root *f, const char *rel, const char *content);
int fake_symlink(struct fake_root *f, const char *rel, const char *target);
int fake_mkdir(struct fake_root *f, const char *rel);
/* Reads a file back, malloc'd (the caller frees it); NULL when missing. */
char *fake_read(struct fake_root *f, const char *rel);
/*
 * The same, but the string belongs to the tree and lives until fake_root_free,
 * so a test can write CHECK_STREQ(fake_text(f, "etc/x"), "...") and leak nothing.
 */
char *fake_text(struct fake_root *f, const char *rel);
/* Hands a malloc'd string (or NULL) to the tree, freed by fake_root_free; returns it. */
char *fake_own(struct fake_root *f, char *s);

int fake_pci_add(struct fake_root *f, const struct fake_pci *p);
/* Registers sys/class/iommu/dmar0. */
int fake_iommu_on(struct fake_root *f);
/* Creates sys/bus/pci/drivers/NAME with bind/unbind files. */
int fake_driver(struct fake_root *f, const char *name);
/* Points a device's driver link at NAME (NULL removes it), as the kernel does after a probe. */
int fake_set_driver(struct fake_root *f, const char *bdf, const char *name);

/*
 * A block device as the kernel lays it out: its directory sys/PATH
 * ("devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1",
 * "devices/virtual/block/dm-0") with "dev", and the relative links
 * sys/dev/block/DEVNUM and sys/class/block/NAME.
 */
int fake_block_add(struct fake_root *f, const char *devnum, const char *path);
/* slave under holder's slaves/ (dm, LUKS, LVM, md), both added with fake_block_add() first. */
int fake_block_slave(struct fake_root *f, const char *holder, const char *slave);

/*
 * The kernel's side of the binder's sysfs writes, on a fake tree: what the
 * PCI driver core does when driver_override, an unbind file or drivers_probe
 * is written (pci_match_device() honours the override; a probe binds the
 * override's driver, or without one the device's native driver). Plugged
 * into struct vfe_bind_ops.sysfs_written; faults per device make it
 * misbehave the ways real kernels and devices do.
 */
enum fake_fault {
	FAKE_OK,
	FAKE_VFIO_REFUSES, /* vfio-pci's probe fails: the device is left without a driver */
	FAKE_PROBE_HANGS,  /* a probe with vfio-pci never returns (the process stays in the kernel) */
	FAKE_PROBE_SLOW,   /* ... returns after slow_ms, then binds */
	FAKE_UNBIND_HANGS, /* unbinding its driver never returns */
};

struct fake_kernel {
	struct fake_root *f;
	struct fake_kdev {
		const char *bdf;
		const char *native; /* the driver a probe without override binds; NULL: none loaded */
		enum fake_fault fault;
	} dev[16];
	unsigned slow_ms;
	int load_error; /* what loading a module returns (0: vfio-pci registers) */
};

/* The hook itself (userdata: struct fake_kernel *). A hang writes its pid to <root>/hang.pid first. */
void fake_kernel_written(void *userdata, const char *path, const char *value);
/* Loading a module: registers the vfio-pci driver, or fails with k->load_error. */
int fake_kernel_load_module(void *userdata, const char *name);
/* Memory that a forked child's writes reach too (counters of hooks that run in the binder's child). */
void *fake_shared(size_t n);
/* Kills and reaps the process whose pid <root>/hang.pid holds; true when there was one. */
bool fake_kernel_end_hang(struct fake_root *f);
