// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The binder's PCI scan (early/pci.c): one readdir of sys/bus/pci/devices,
 * one modalias read per function, the result in address order whatever
 * order the directory gives; and the modalias parser it relies on.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/devspec.h"
#include "early/pci.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

static void add(struct fake_root *f, const char *bdf, uint16_t device, uint32_t class)
{
	struct fake_pci p = { bdf, 0x8086, device, 0x1043, 0x8694, class, -1, NULL, -1 };

	CHECK(fake_pci_add(f, &p) == 0);
}

TEST(scan_is_in_address_order_whatever_the_directory_order)
{
	/* created out of order, over three domains, one of them a VMD's five-digit one */
	static const char *const created[] = { "0000:03:00.0", "10000:e1:00.0", "0000:00:1f.3", "0001:00:00.0",
					       "0000:00:02.0", "0000:00:1f.0", "0000:0a:1c.7", "0000:03:00.1",
					       "10000:00:01.0", "0000:00:00.0" };
	static const char *const sorted[] = { "0000:00:00.0", "0000:00:02.0", "0000:00:1f.0", "0000:00:1f.3",
					      "0000:03:00.0", "0000:03:00.1", "0000:0a:1c.7", "0001:00:00.0",
					      "10000:00:01.0", "10000:e1:00.0" };
	struct fake_root f;
	struct vfe_pci pci;

	CHECK(fake_root_new(&f, NULL) == 0);
	for (size_t i = 0; i < ELEMENTSOF(created); i++)
		add(&f, created[i], (uint16_t)(0x1000 + i), 0x020000);
	CHECK(vfe_pci_scan(&f.root, &pci) == 0);
	CHECK(pci.n == ELEMENTSOF(sorted));
	for (size_t i = 0; i < pci.n && i < ELEMENTSOF(sorted); i++) {
		struct vfe_pci_addr a;
		CHECK_STREQ(pci.devs[i].name, sorted[i]);
		/* each function kept its own ids through the sort */
		CHECK(vfe_parse_pci_addr(sorted[i], &a) == 0 && vfe_pci_find(&pci, &a) == &pci.devs[i]);
		for (size_t j = 0; j < ELEMENTSOF(created); j++)
			if (strcmp(created[j], sorted[i]) == 0)
				CHECK(pci.devs[i].id.device == 0x1000 + j);
	}
	CHECK(pci.n && pci.devs[pci.n - 1].addr.domain == 0x10000 && pci.devs[pci.n - 1].addr.bus == 0xe1);
	vfe_pci_free(&pci);
	fake_root_free(&f);
}

/* Enough functions for the array to grow several times, on many buses. */
TEST(scan_of_many_functions_is_complete_and_ordered)
{
	struct fake_root f;
	struct vfe_pci pci;
	char bdf[32];
	int made = 0;

	CHECK(fake_root_new(&f, NULL) == 0);
	for (int bus = 40; bus >= 0; bus -= 3)
		for (int dev = 0; dev < 32; dev += 5) {
			snprintf(bdf, sizeof(bdf), "0000:%02x:%02x.%d", bus, dev, made % 8);
			add(&f, bdf, 0x1533, 0x020000);
			made++;
		}
	CHECK(vfe_pci_scan(&f.root, &pci) == 0);
	CHECK(pci.n == (size_t)made);
	for (size_t i = 1; i < pci.n; i++)
		CHECK(strcmp(pci.devs[i - 1].name, pci.devs[i].name) < 0);
	vfe_pci_free(&pci);
	fake_root_free(&f);
}

TEST(scan_leaves_out_what_is_not_a_readable_function)
{
	struct fake_root f;
	struct vfe_pci pci;

	CHECK(fake_root_new(&f, NULL) == 0);
	add(&f, "0000:00:02.0", 0x1901, 0x060400);
	/* no modalias (vanished during the scan), a garbage modalias, a name that is no address */
	CHECK(fake_mkdir(&f, "sys/bus/pci/devices/0000:00:03.0") == 0);
	add(&f, "0000:00:04.0", 0x1533, 0x020000);
	CHECK(fake_write(&f, "sys/bus/pci/devices/0000:00:04.0/modalias", "pci:v00008086d0000153\n") == 0);
	CHECK(fake_mkdir(&f, "sys/bus/pci/devices/not-a-function") == 0);
	CHECK(vfe_pci_scan(&f.root, &pci) == 0);
	CHECK(pci.n == 1);
	CHECK(pci.n == 1 && strcmp(pci.devs[0].name, "0000:00:02.0") == 0 && pci.devs[0].class == 0x0604);
	vfe_pci_free(&pci);
	fake_root_free(&f);
}

TEST(scan_without_the_bus_fails)
{
	struct fake_root f;
	struct vfe_pci pci;

	CHECK(fake_root_new(&f, NULL) == 0);
	CHECK(rmdir(strcat(strcpy((char[4096]){ 0 }, f.dir), "/sys/bus/pci/devices")) == 0);
	CHECK(vfe_pci_scan(&f.root, &pci) == -ENOENT);
	CHECK(pci.n == 0 && pci.devs == NULL);
	fake_root_free(&f);
}

/* A heap copy of exactly strlen(s) + 1 bytes: a read past the end is an ASan error. */
static int parse_exact(const char *s, size_t len, struct vfe_dev *d)
{
	char *copy = malloc(len + 1);
	int k;

	memcpy(copy, s, len);
	copy[len] = '\0';
	k = vfe_parse_modalias(copy, d);
	free(copy);
	return k;
}

TEST(modalias_is_parsed_at_its_fixed_places)
{
	static const char kernel[] = "pci:v000010DEd00002684sv00001458sd00004104bc03sc00i00";
	struct vfe_dev d = { 0 };
	char buf[VFE_MODALIAS_MAX];

	CHECK(vfe_parse_modalias(kernel, &d) == 0);
	CHECK(d.id.vendor == 0x10de && d.id.device == 0x2684 && d.subsys.vendor == 0x1458 &&
	      d.subsys.device == 0x4104 && d.class == 0x0300 && d.prog_if == 0 && d.has_subsys);
	vfe_format_modalias(&d, buf);
	CHECK_STREQ(buf, kernel);
	CHECK(vfe_parse_modalias("pci:v00008086d00007a60sv00001043sd00008882bc0csc03i30\n", &d) == 0);
	CHECK(d.id.device == 0x7a60 && d.class == 0x0c03 && d.prog_if == 0x30);
	/* without the interface: accepted, interface 0 */
	CHECK(vfe_parse_modalias("pci:v00008086d00007A60sv00001043sd00008882bc0Csc03", &d) == 0);
	CHECK(d.class == 0x0c03 && d.prog_if == 0);
	/* every shorter string fails, and none is read past its end */
	for (size_t l = 0; l < sizeof(kernel) - 4; l++)
		CHECK(parse_exact(kernel, l, &d) == -EINVAL);
	CHECK(parse_exact(kernel, sizeof(kernel) - 2, &d) == 0); /* "i0": lenient */
	CHECK(vfe_parse_modalias("pci:v000010DEd00002684sv00001458sd00004104bc03sc0Gi00", &d) == -EINVAL);
	CHECK(vfe_parse_modalias("pci:v000010DEd00002684sv00001458sd00004104bc03xc00i00", &d) == -EINVAL);
	CHECK(vfe_parse_modalias("usb:v000010DEd00002684sv00001458sd00004104bc03sc00i00", &d) == -EINVAL);
	/* a vendor of more than 16 bits is not PCI */
	CHECK(vfe_parse_modalias("pci:v000110DEd00002684sv00001458sd00004104bc03sc00i00", &d) == -EINVAL);
}

TEST(vmd_domains_have_five_digits)
{
	struct vfe_pci_addr a;
	char buf[VFE_ADDR_STRLEN];

	CHECK(vfe_parse_pci_addr("10000:e1:00.0", &a) == 0);
	CHECK(a.domain == 0x10000 && a.bus == 0xe1 && a.dev == 0 && a.func == 0);
	vfe_format_pci_addr(&a, buf);
	CHECK_STREQ(buf, "10000:e1:00.0");
	CHECK(vfe_parse_pci_addr("0000:e1:00.0", &a) == 0 && a.domain == 0);
	CHECK(vfe_parse_pci_addr("e1:00.0", &a) == 0 && a.bus == 0xe1);
	CHECK(vfe_parse_pci_addr("100000:e1:00.0", &a) < 0);
	CHECK(vfe_parse_pci_addr("1000:e1:00.00", &a) < 0);
	CHECK(vfe_parse_pci_addr("10000e1:00.0", &a) < 0);
}

TAP_MAIN()
