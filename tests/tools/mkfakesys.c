// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkfakesys --functions=N --matches=M DIR: a synthetic machine for the
 * benchmarks (tests/bench/run.sh), built with tests/lib/fakesys.c, so it is
 * the same root-prefix tree the unit tests use, only larger.
 *
 * Layout, N >= 8 functions:
 *   bus 00, slot 1f: a chipset in one IOMMU group of 4 functions
 *                    (ISA bridge, SATA on "ahci", SMBus, USB)
 *   then, repeated until N functions exist, one "cycle" of 3 slots:
 *     a GPU card:    display + HDMI audio, functions .0 and .1, one group
 *     a NIC:         one function, its own group
 *     a root port:   PCI bridge on "pcieport", its own group
 *   the first GPU is the boot VGA (boot_vga=1) and is never configured.
 * Slots are numbered bus 01 upwards, 32 slots per bus.
 *
 * M "device ADDR id=VVVV:DDDD group=whole" lines go into etc/vfio-early.conf,
 * spread evenly over the GPUs (other than the boot VGA) and the NICs, so
 * that the binder must walk the whole tree. sys/bus/pci/drivers/vfio-pci
 * exists (vfio-pci "built in": no module to load) and an IOMMU is on.
 *
 * bench/reset.list (inside the tree, never read by the binder) lists every
 * file a binder writes, so the benchmark can put them back between runs:
 * the driver_override of each function to bind, drivers_probe, dev/kmsg.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/fakesys.h"

enum kind { K_GPU, K_NIC, K_BRIDGE };

struct slot {
	enum kind kind;
	unsigned bus, dev;
	int group;
};

static int die(const char *what, int r)
{
	fprintf(stderr, "mkfakesys: %s: %s\n", what, strerror(-r));
	return 1;
}

static void bdf(char *buf, size_t n, const struct slot *s, unsigned fn)
{
	snprintf(buf, n, "0000:%02x:%02x.%u", s->bus, s->dev, fn);
}

static int add_chipset(struct fake_root *f)
{
	static const struct fake_pci devs[] = {
		{ "0000:00:1f.0", 0x8086, 0x7a06, 0x1043, 0x8882, 0x060100, 0, NULL, -1 },
		{ "0000:00:1f.2", 0x8086, 0x7a62, 0x1043, 0x8882, 0x010601, 0, "ahci", -1 },
		{ "0000:00:1f.4", 0x8086, 0x7a23, 0x1043, 0x8882, 0x0c0500, 0, NULL, -1 },
		{ "0000:00:1f.5", 0x8086, 0x7a60, 0x1043, 0x8882, 0x0c0330, 0, NULL, -1 },
	};
	int r;

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if ((r = fake_pci_add(f, &devs[i])) < 0)
			return r;
	return 0;
}

static uint16_t gpu_device_id(const struct slot *s)
{
	return (uint16_t)(0x2600 + (s->dev & 0x3f)); /* some cards share an id, as identical cards do */
}

static int add_slot(struct fake_root *f, const struct slot *s, bool boot_vga)
{
	char a[32], b[32];
	struct fake_pci p;
	int r;

	bdf(a, sizeof(a), s, 0);
	switch (s->kind) {
	case K_GPU:
		p = (struct fake_pci){ a, 0x10de, gpu_device_id(s), 0x1458, 0x4104, 0x030000, s->group, NULL, boot_vga };
		if ((r = fake_pci_add(f, &p)) < 0)
			return r;
		bdf(b, sizeof(b), s, 1);
		p = (struct fake_pci){ b, 0x10de, 0x22ba, 0x1458, 0x4104, 0x040300, s->group, NULL, -1 };
		return fake_pci_add(f, &p);
	case K_NIC:
		p = (struct fake_pci){ a, 0x8086, 0x1533, 0x1043, 0x8692, 0x020000, s->group, NULL, -1 };
		return fake_pci_add(f, &p);
	case K_BRIDGE:
	default:
		p = (struct fake_pci){ a, 0x8086, 0x1901, 0x1043, 0x8694, 0x060400, s->group, "pcieport", -1 };
		return fake_pci_add(f, &p);
	}
}

static unsigned slot_functions(enum kind k)
{
	return k == K_GPU ? 2 : 1;
}

/* Writes the config and the reset list for the M chosen slots. */
static int write_matches(struct fake_root *f, const struct slot *slots, size_t n_slots, unsigned matches)
{
	static const char *const header = "# mkfakesys: benchmark machine\n";
	size_t n_cand = 0, conf_len = 0, reset_len = 0;
	size_t *cand = calloc(n_slots, sizeof(*cand));
	char *conf = NULL, *reset = NULL;
	int r = -ENOMEM;

	if (!cand)
		goto out;
	/* candidates: every GPU but the first (the boot VGA), every NIC */
	for (size_t i = 0, gpus = 0; i < n_slots; i++) {
		if (slots[i].kind == K_GPU && gpus++ == 0)
			continue;
		if (slots[i].kind != K_BRIDGE)
			cand[n_cand++] = i;
	}
	if (matches > n_cand) {
		fprintf(stderr, "mkfakesys: %u matches asked, this tree has only %zu devices to match\n", matches,
			n_cand);
		r = -EINVAL;
		goto out;
	}
	conf = malloc(strlen(header) + (size_t)matches * 80 + 1);
	reset = malloc(((size_t)matches * 2 + 2) * 80 + 1);
	if (!conf || !reset)
		goto out;
	conf_len = (size_t)sprintf(conf, "%s", header);
	reset_len = (size_t)sprintf(reset, "sys/bus/pci/drivers_probe\ndev/kmsg\n");
	for (unsigned i = 0; i < matches; i++) {
		/* evenly spread, the last one near the end of the tree */
		const struct slot *s = &slots[cand[(size_t)(i + 1) * n_cand / matches - 1]];
		uint16_t vendor = s->kind == K_GPU ? 0x10de : 0x8086;
		uint16_t device = s->kind == K_GPU ? gpu_device_id(s) : 0x1533;
		char a[32];

		bdf(a, sizeof(a), s, 0);
		conf_len += (size_t)sprintf(conf + conf_len, "device %s id=%04x:%04x group=whole\n", a, vendor, device);
		for (unsigned fn = 0; fn < slot_functions(s->kind); fn++) {
			bdf(a, sizeof(a), s, fn);
			reset_len += (size_t)sprintf(reset + reset_len, "sys/bus/pci/devices/%s/driver_override\n", a);
		}
	}
	if ((r = fake_write(f, "etc/vfio-early.conf", conf)) == 0)
		r = fake_write(f, "bench/reset.list", reset);
out:
	free(cand);
	free(conf);
	free(reset);
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: mkfakesys --functions=N --matches=M DIR   (N >= 8)\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "functions", required_argument, NULL, 'n' },
		{ "matches", required_argument, NULL, 'm' },
		{},
	};
	unsigned functions = 256, matches = 8, made = 4, groups = 1;
	struct fake_root f;
	struct slot *slots = NULL;
	size_t n_slots = 0, cap;
	int c, r;

	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
		if (c == 'n')
			functions = (unsigned)strtoul(optarg, NULL, 10);
		else if (c == 'm')
			matches = (unsigned)strtoul(optarg, NULL, 10);
		else
			return usage(), 2;
	}
	if (optind != argc - 1 || functions < 8 || functions > 8 * 32 * 255)
		return usage(), 2;
	cap = functions;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return die("slots", -ENOMEM);
	/* lay out the slots first: the config needs to know them all */
	for (unsigned i = 0; made < functions; i++) {
		static const enum kind cycle[] = { K_GPU, K_NIC, K_BRIDGE };
		struct slot s = { cycle[i % 3], 1 + i / 32, i % 32, groups };
		if (made + slot_functions(s.kind) > functions)
			s.kind = K_NIC; /* the last function: no room for a card's second one */
		slots[n_slots++] = s;
		made += slot_functions(s.kind);
		groups++;
	}
	if ((r = fake_root_new(&f, argv[optind])) < 0)
		return die(argv[optind], r);
	if ((r = add_chipset(&f)) < 0)
		return die("chipset", r);
	for (size_t i = 0; i < n_slots; i++)
		if ((r = add_slot(&f, &slots[i], i == 0)) < 0)
			return die("slot", r);
	if ((r = fake_iommu_on(&f)) < 0 || (r = fake_driver(&f, "vfio-pci")) < 0)
		return die("iommu / vfio-pci", r);
	if ((r = write_matches(&f, slots, n_slots, matches)) < 0)
		return die("config", r);
	printf("functions=%u groups=%u matches=%u\n", made, groups, matches);
	free(slots);
	vfe_root_close(&f.root);
	return 0;
}
