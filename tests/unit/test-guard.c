// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guards (pure: decided from facts alone), the facts gathered for them,
 * the host-driver decision, and add, check and the binder asking the same
 * of them, on the shared fake machine (tests/lib/machines.c).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "check/check.h"
#include "cli/cli.h"
#include "common/log.h"
#include "early/binder.h"
#include "early/facts.h"
#include "early/guard.h"
#include "early/host-driver.h"
#include "early/pci.h"
#include "early/status.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/machines.h"
#include "tests/lib/tap.h"

struct fx {
	struct fake_root f;
	struct vfe_pci pci;
};

static void machine(struct fx *x)
{
	REQUIRE(fake_root_new(&x->f, NULL) == 0);
	REQUIRE(fake_machine_qemu(&x->f) == 0);
	REQUIRE(vfe_pci_scan(&x->f.root, &x->pci) == 0);
	vfe_pci_fill_all(&x->pci);
}

static void done(struct fx *x)
{
	vfe_pci_free(&x->pci);
	fake_root_free(&x->f);
}

static struct vfe_dev *dev(struct fx *x, const char *bdf)
{
	struct vfe_pci_addr a;

	CHECK(vfe_parse_pci_addr(bdf, &a) == 0);
	return vfe_pci_find(&x->pci, &a);
}

TEST(device_guard_in_its_order)
{
	struct fx x;
	struct vfe_entry plain = { 0 }, allow = { .allow_boot_vga = true, .allow_storage = true };

	machine(&x);
	CHECK(vfe_guard_device(dev(&x, "00:05.0"), &plain, VFE_IOMMU_ON, NULL) == VFE_GUARD_PASS);
	CHECK(vfe_guard_device(dev(&x, "00:05.0"), &plain, VFE_IOMMU_OFF, NULL) == VFE_GUARD_NO_IOMMU);
	CHECK(vfe_guard_device(dev(&x, "00:06.0"), &allow, VFE_IOMMU_ON, NULL) == VFE_GUARD_BRIDGE);
	CHECK(vfe_guard_device(dev(&x, "00:1f.2"), &plain, VFE_IOMMU_ON, NULL) == VFE_GUARD_STORAGE);
	CHECK(vfe_guard_device(dev(&x, "00:1f.2"), &allow, VFE_IOMMU_ON, NULL) == VFE_GUARD_PASS);
	CHECK(vfe_guard_device(dev(&x, "00:01.0"), &plain, VFE_IOMMU_ON, NULL) == VFE_GUARD_BOOT_VGA);
	CHECK(vfe_guard_device(dev(&x, "00:01.0"), &allow, VFE_IOMMU_ON, NULL) == VFE_GUARD_PASS);
	done(&x);
}

/* `vfio-early add` runs before the IOMMU is on: a device with no group yet is judged on the rest. */
TEST(device_guard_before_the_iommu_is_on)
{
	struct fx x;
	struct vfe_entry plain = { 0 };
	struct vfe_dev *d;

	machine(&x);
	d = dev(&x, "00:1f.2");
	d->group = -1;
	CHECK(vfe_guard_device(d, &plain, VFE_IOMMU_ON, NULL) == VFE_GUARD_NO_GROUP);
	CHECK(vfe_guard_device(d, &plain, VFE_IOMMU_LATER, NULL) == VFE_GUARD_STORAGE);
	d = dev(&x, "00:05.0");
	d->group = -1;
	CHECK(vfe_guard_device(d, &plain, VFE_IOMMU_LATER, NULL) == VFE_GUARD_PASS);
	done(&x);
}

/* The group guard decides from the facts handed to it: the same plan, other answers, another decision. */
TEST(group_guard_decides_from_the_facts_alone)
{
	struct fx x;
	struct vfe_entry e = { 0 };
	struct vfe_plan p = { 0 };
	struct vfe_dev *gpu, *nic;
	struct vfe_dev *members[3];
	struct vfe_group g;
	struct vfe_host_answer a;
	struct vfe_facts f = { &g, 1, &a, 1 };

	machine(&x);
	gpu = dev(&x, "01:01.0");
	nic = dev(&x, "01:02.0");
	members[0] = dev(&x, "00:06.0"), members[1] = gpu, members[2] = nic;
	g = (struct vfe_group){ gpu->group, 3, members };
	CHECK(vfe_plan_push(&p, gpu, &e) != NULL);
	a = (struct vfe_host_answer){ nic, VFE_HOST_CLAIMED, "e1000" };
	vfe_guard_groups(&p, &f);
	CHECK(p.t[0].action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(p.t[0].reason, "0000:01:02.0 (8086:100e) is not listed and would get e1000");
	p.t[0].action = VFE_ACT_BIND;
	a.verdict = VFE_HOST_NONE;
	vfe_guard_groups(&p, &f);
	CHECK(p.t[0].action == VFE_ACT_BIND);
	/* a group nobody read is refused, never bound blind */
	f.n_groups = 0;
	vfe_guard_groups(&p, &f);
	CHECK(p.t[0].action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(p.t[0].reason, "cannot be read");
	vfe_plan_free(&p);
	done(&x);
}

struct asked {
	const struct vfe_dev *who[8];
	size_t n;
};

static enum vfe_host_verdict count_and_claim(void *userdata, const struct vfe_dev *d, char *drv, size_t n)
{
	struct asked *a = userdata;

	if (a->n < 8)
		a->who[a->n++] = d;
	snprintf(drv, n, "e1000");
	return VFE_HOST_CLAIMED;
}

/* The host-driver question is asked only about members left behind, each once, and never of a bound one. */
TEST(facts_ask_only_what_the_group_guard_will_look_at)
{
	struct fx x;
	struct vfe_entry e = { 0 }, whole = { .group = VFE_GROUP_WHOLE };
	struct asked asked = { 0 };
	struct vfe_plan_ops ops = { count_and_claim, &asked, NULL };
	struct vfe_plan p = { 0 };
	struct vfe_facts f = { 0 };

	machine(&x);
	CHECK(vfe_plan_push(&p, dev(&x, "01:01.0"), &e) != NULL);
	CHECK(vfe_plan_push(&p, dev(&x, "00:05.0"), &whole) != NULL);
	CHECK(vfe_plan_push(&p, dev(&x, "00:05.1"), &whole) != NULL);
	CHECK(vfe_facts_groups(&f, &x.pci, &p, &ops) == 0);
	CHECK(asked.n == 1 && asked.who[0] == dev(&x, "01:02.0"));
	CHECK(f.n_groups == 2);
	CHECK(vfe_facts_groups(&f, &x.pci, &p, &ops) == 0);
	CHECK(asked.n == 1); /* asked once */
	vfe_facts_free(&f);
	vfe_plan_free(&p);
	done(&x);
}

/* The modalias the host-driver decision asks with is the one the kernel wrote for the function. */
TEST(modalias_is_rebuilt_from_the_scan)
{
	struct fx x;
	char rel[128], *want, got[VFE_MODALIAS_MAX];

	machine(&x);
	for (size_t i = 0; i < x.pci.n; i++) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/modalias", x.pci.devs[i].name);
		want = fake_read(&x.f, rel);
		vfe_format_modalias(&x.pci.devs[i], got);
		CHECK(want && strncmp(want, got, strlen(got)) == 0 && want[strlen(got)] == '\n');
		free(want);
	}
	done(&x);
}

TEST(host_driver_from_the_module_aliases)
{
	struct fx x;
	struct vfe_host_drivers *h = NULL;
	char drv[VFE_DRIVER_MAX] = "";

	machine(&x);
	if (!fake_installed_modules(&x.f)) {
		/* tests/deps.d/bench.list installs linux-image-amd64; without it there is nothing to ask */
		printf("# no installed kernel's modules.alias.bin under /lib/modules\n");
		CHECK(false);
	}
	CHECK(vfe_host_drivers_installed(&x.f.root, NULL, &h) == 0);
	CHECK(vfe_host_drivers_known(h));
	CHECK(vfe_host_driver_for(h, dev(&x, "00:05.1"), drv, sizeof(drv)) == VFE_HOST_CLAIMED);
	CHECK_STREQ(drv, "snd_hda_intel");
	CHECK(vfe_host_driver_for(h, dev(&x, "01:02.0"), drv, sizeof(drv)) == VFE_HOST_CLAIMED);
	CHECK_STREQ(drv, "e1000");
	/* no alias at all: nothing claims it (vfio-pci's own alias never counts) */
	dev(&x, "00:05.1")->id.vendor = 0xfffe;
	CHECK(vfe_host_driver_for(h, dev(&x, "00:05.1"), drv, sizeof(drv)) == VFE_HOST_NONE);
	vfe_host_drivers_free(h);
	/* without an index nothing is known, and the answer says so */
	CHECK(vfe_host_driver_for(NULL, dev(&x, "01:02.0"), drv, sizeof(drv)) == VFE_HOST_UNKNOWN);
	CHECK(vfe_host_drivers_image(&x.f.root, &h) == 0);
	CHECK(!vfe_host_drivers_known(h));
	CHECK(vfe_host_driver_for(h, dev(&x, "01:02.0"), drv, sizeof(drv)) == VFE_HOST_UNKNOWN);
	vfe_host_drivers_free(h);
	done(&x);
}

/* ---- the group guard as the kernel's viability check sees it ---- */

struct tplan {
	struct vfe_config c;
	struct vfe_plan p;
};

static void plans_free(struct tplan *tp, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vfe_plan_free(&tp[i].p);
		vfe_config_free(&tp[i].c);
	}
}

/*
 * An Intel desktop: a GPU and its HDMI audio behind a PCIe root port in one
 * group, the PCH's xHCI beside its shared SRAM, and the PCH's LPC bridge
 * with its audio, SMBus and SPI functions in one group (as on 300-series
 * chipsets).
 */
static void desktop(struct fx *x)
{
	static const struct fake_pci devs[] = {
		{ "0000:00:00.0", 0x8086, 0x3e30, 0x1043, 0x8694, 0x060000, 0, NULL, -1 },
		{ "0000:00:01.0", 0x8086, 0x1901, 0x1043, 0x8694, 0x060400, 1, "pcieport", -1 },
		{ "0000:01:00.0", 0x10de, 0x2684, 0x1043, 0x88e2, 0x030000, 1, NULL, 0 },
		{ "0000:01:00.1", 0x10de, 0x22ba, 0x1043, 0x88e2, 0x040300, 1, NULL, -1 },
		{ "0000:00:02.0", 0x8086, 0x3e92, 0x1043, 0x8694, 0x030000, 2, "i915", 1 },
		{ "0000:00:14.0", 0x8086, 0xa36d, 0x1043, 0x8694, 0x0c0330, 4, "xhci_hcd", -1 },
		{ "0000:00:14.2", 0x8086, 0xa36f, 0x1043, 0x8694, 0x050000, 4, NULL, -1 },
		{ "0000:00:1f.0", 0x8086, 0xa305, 0x1043, 0x8694, 0x060100, 9, "lpc_ich", -1 },
		{ "0000:00:1f.3", 0x8086, 0xa348, 0x1043, 0x8694, 0x040300, 9, "snd_hda_intel", -1 },
		{ "0000:00:1f.4", 0x8086, 0xa323, 0x1043, 0x8694, 0x0c0500, 9, "i801_smbus", -1 },
		{ "0000:00:1f.5", 0x8086, 0xa324, 0x1043, 0x8694, 0x0c8000, 9, "intel-spi", -1 },
	};

	CHECK(fake_root_new(&x->f, NULL) == 0);
	for (size_t i = 0; i < ELEMENTSOF(devs); i++)
		CHECK(fake_pci_add(&x->f, &devs[i]) == 0);
	CHECK(fake_iommu_on(&x->f) == 0);
}

/* The installed kernel as these tests see it: no driver for anything left driverless. */
static enum vfe_host_verdict none(void *ud, const struct vfe_dev *d, char *drv, size_t n)
{
	(void)ud, (void)d, (void)drv, (void)n;
	return VFE_HOST_NONE;
}

/* A plan for conf (kept with its config in tp); the target of bdf in it. Each call scans anew (drivers changed). */
static const struct vfe_target *plan(struct fx *x, const char *conf, const struct vfe_plan_ops *ops,
				     struct tplan *tp, const char *bdf)
{
	struct vfe_plan *p = &tp->p;
	char *text = strdup(conf);

	vfe_pci_free(&x->pci);
	CHECK(vfe_pci_scan(&x->f.root, &x->pci) == 0);
	tp->c = (struct vfe_config){ 0 };
	CHECK(vfe_config_parse(&tp->c, "t.conf", text) == 0 && tp->c.problems.n == 0);
	free(text);
	CHECK(vfe_plan_build(&x->pci, tp->c.entries, tp->c.n, true, ops, p) == 0);
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].dev && strcmp(p->t[i].dev->name, bdf) == 0)
			return &p->t[i];
	return NULL;
}

TEST(class_06_is_no_free_pass)
{
	static const struct vfe_plan_ops ops = { none, NULL, NULL };
	struct fx x = { 0 };
	struct tplan p[6];
	const struct vfe_target *t;

	desktop(&x);
	/* a root port on pcieport is fine for the kernel: the GPU and its audio go */
	t = plan(&x, "device 0000:01:00.0 group=whole\n", &ops, &p[0], "0000:01:00.1");
	CHECK(t && t->action == VFE_ACT_BIND);
	/* the PCH's audio: its group holds the LPC bridge on lpc_ich, which group=whole never takes */
	t = plan(&x, "device 0000:00:1f.3 group=whole\n", &ops, &p[1], "0000:00:1f.3");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "0000:00:1f.0 (8086:a305) is not listed and is bound to lpc_ich; "
					     "a bridge is never passed through");
	/* a bridge on any driver but pcieport counts as the kernel counts it */
	CHECK(fake_set_driver(&x.f, "0000:00:01.0", "shpchp") == 0);
	t = plan(&x, "device 0000:01:00.0 group=whole\n", &ops, &p[2], "0000:01:00.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "0000:00:01.0 (8086:1901) is not listed and is bound to shpchp");
	/* driverless and no driver for it: fine; pci-stub holding a member: fine */
	CHECK(fake_set_driver(&x.f, "0000:00:01.0", NULL) == 0);
	CHECK(fake_set_driver(&x.f, "0000:01:00.1", "pci-stub") == 0);
	t = plan(&x, "device 0000:01:00.0\n", &ops, &p[3], "0000:01:00.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	/* an LPC bridge without a driver, and none for it: the kernel minds it no more than any function */
	CHECK(fake_set_driver(&x.f, "0000:00:1f.0", NULL) == 0);
	t = plan(&x, "device 0000:00:1f.3 group=whole\n", &ops, &p[4], "0000:00:1f.5");
	CHECK(t && t->action == VFE_ACT_BIND);
	/* ... but nothing known of the installed kernel: an endpoint counts as taken, a PCI bridge does not */
	t = plan(&x, "device 0000:00:1f.3 group=whole\n", NULL, &p[5], "0000:00:1f.3");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "0000:00:1f.0 (8086:a305) is not listed and has no driver yet, and which "
					     "one the installed system would give it is unknown");
	plans_free(p, ELEMENTSOF(p));
	done(&x);
}

TEST(unknown_drivers_block_endpoints_only)
{
	struct fx x = { 0 };
	struct tplan p[2];
	const struct vfe_target *t;

	desktop(&x);
	/* the GPU alone: its audio function has no driver, and nothing says which it would get */
	t = plan(&x, "device 0000:01:00.0\n", NULL, &p[0], "0000:01:00.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "rebuild the initramfs");
	/* the root port without a driver is a PCI bridge: never in the way */
	CHECK(fake_set_driver(&x.f, "0000:00:01.0", NULL) == 0);
	t = plan(&x, "device 0000:01:00.0 group=whole\n", NULL, &p[1], "0000:01:00.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	plans_free(p, ELEMENTSOF(p));
	done(&x);
}

/* The path to the running system: never, allow-storage or not, and a group=whole that sweeps it in is refused. */
TEST(protected_functions_are_refused)
{
	struct vfe_protected prot = { 0 };
	struct vfe_plan_ops ops = { none, NULL, &prot };
	struct vfe_pci_addr xhci = { 0, 0, 0x14, 0 };
	struct fx x = { 0 };
	struct tplan p[2];
	const struct vfe_target *t;

	desktop(&x);
	CHECK(vfe_protected_add(&prot, &xhci, "/ (sdc2)") == 0);
	t = plan(&x, "device 0000:00:14.0 allow-storage\n", &ops, &p[0], "0000:00:14.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "on the path to the host's running system: / (sdc2); never passed "
					     "through, allow-storage or not");
	t = plan(&x, "device 0000:00:14.2 group=whole\n", &ops, &p[1], "0000:00:14.2");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "0000:00:14.0 (8086:a36d) is not bound (see its own line)");
	plans_free(p, ELEMENTSOF(p));
	vfe_protected_free(&prot);
	done(&x);
}

/* group=whole pinned by add --group: the group must be the one add saw. */
TEST(pinned_group_refuses_a_member_it_did_not_record)
{
	static const struct vfe_plan_ops ops = { none, NULL, NULL };
	struct fx x;
	struct tplan p[4];
	const struct vfe_target *t;

	machine(&x);
	/* the NIC joined the group (another kernel, an ACS override gone, a firmware update) */
	t = plan(&x, "device 0000:01:01.0 group=whole members=0000:00:06.0/1b36:0001,0000:01:01.0/1af4:1050\n", &ops,
		 &p[0], "0000:01:02.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "IOMMU group 3 changed since 'vfio-early add --group' recorded it: "
					     "0000:01:02.0 (8086:100e) was not in it when the entry was added");
	CHECK(p[0].p.n == 2 && p[0].p.t[0].action == VFE_ACT_REFUSE);
	/* a member with another id now: another card in that slot */
	t = plan(&x, "device 0000:01:01.0 group=whole members=0000:00:06.0/1b36:0001,0000:01:01.0/1af4:1050,"
		     "0000:01:02.0/8086:10d3\n", &ops, &p[1], "0000:01:01.0");
	CHECK(t && t->action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(t ? t->reason : NULL, "0000:01:02.0 is now 8086:100e, recorded as 8086:10d3");
	/* the group as recorded: bound; a recorded member gone since (a card pulled) takes nothing away */
	t = plan(&x, "device 0000:01:01.0 group=whole members=0000:00:06.0/1b36:0001,0000:01:01.0/1af4:1050,"
		     "0000:01:02.0/8086:100e,0000:01:03.0/8086:100e\n", &ops, &p[2], "0000:01:02.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	/* not pinned: the group as the kernel shows it */
	t = plan(&x, "device 0000:01:01.0 group=whole\n", &ops, &p[3], "0000:01:02.0");
	CHECK(t && t->action == VFE_ACT_BIND);
	plans_free(p, ELEMENTSOF(p));
	done(&x);
}

/* ---- add, check and the binder on one tree ---- */

/*
 * Each case: what add is asked, the line it writes (or would), the device to
 * look at, and the one verdict all three must give: add refuses it (or
 * says the binder would), check fails it, the binder refuses it.
 */
static const struct {
	const char *add;
	const char *line;
	const char *bdf;
	bool refused;
	const char *why; /* in all three answers */
} cases[] = {
	{ "--group 0000:00:05.0",
	  "device 0000:00:05.0 id=1234:1111 group=whole members=0000:00:05.0/1234:1111,0000:00:05.1/8086:293e",
	  "0000:00:05.1", false, NULL },
	/* the audio function left behind gets snd_hda_intel from the installed kernel */
	{ "--function 0000:00:05.0", "device 0000:00:05.0 id=1234:1111", "0000:00:05.0", true, "would get snd_hda_intel" },
	{ "0000:00:01.0", "device 0000:00:01.0 id=1234:1111", "0000:00:01.0", true, "boot VGA" },
	{ "--allow-boot-vga 0000:00:01.0", "device 0000:00:01.0 id=1234:1111 allow-boot-vga", "0000:00:01.0", false,
	  NULL },
	{ "0000:00:06.0", "device 0000:00:06.0 id=1b36:0001", "0000:00:06.0", true, "bridge" },
	/* the NIC sharing the group gets e1000 */
	{ "--function 0000:01:01.0", "device 0000:01:01.0 id=1af4:1050", "0000:01:01.0", true, "would get e1000" },
	/* the AHCI controller holds /: never, allow-storage or not */
	{ "0000:00:1f.2", "device 0000:00:1f.2 id=8086:2922", "0000:00:1f.2", true, "/ (sda1)" },
	{ "--allow-storage 0000:00:1f.2", "device 0000:00:1f.2 id=8086:2922 allow-storage", "0000:00:1f.2", true,
	  "/ (sda1)" },
};

/* add --dry-run ARGS: its status, and what it printed (stdout and stderr) in out. */
static int add_says(struct fake_root *f, const char *args, char *out, size_t n)
{
	struct vfe_cli cli = { .root = f->root };
	char buf[128], path[PATH_MAX], *argv[8] = { (char *)"add", (char *)"--dry-run" }, *save = NULL, *text;
	int argc = 2, fd, o = dup(STDOUT_FILENO), e = dup(STDERR_FILENO), k;

	snprintf(path, sizeof(path), "%s/add.out", f->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	snprintf(buf, sizeof(buf), "%s", args);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 7; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	fflush(stdout);
	fflush(stderr);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	log_open(&f->root, VFE_LOG_STDERR, "vfio-early");
	optind = 0;
	k = verb_add(&cli, argc, argv);
	fflush(stdout);
	fflush(stderr);
	log_close();
	dup2(o, STDOUT_FILENO);
	dup2(e, STDERR_FILENO);
	close(o), close(e), close(fd);
	text = fake_read(f, "add.out");
	snprintf(out, n, "%s", text ? text : "");
	free(text);
	return k;
}

/* check's item for bdf: whether it failed, its detail in why. */
static bool check_fails(struct fake_root *f, const char *bdf, char *why, size_t n)
{
	struct check_report rep = { 0 };
	struct check_env env = { .root = &f->root, .rep = &rep };
	char id[64];
	int level = -1;

	snprintf(id, sizeof(id), "device:%s", bdf);
	snprintf(env.release, sizeof(env.release), "%s", "");
	{
		struct utsname u;
		CHECK(uname(&u) == 0);
		snprintf(env.release, sizeof(env.release), "%s", u.release);
	}
	REQUIRE(vfe_config_load(&env.cfg, &f->root) == 0);
	REQUIRE(vfe_pci_scan(&f->root, &env.pci) == 0);
	vfe_pci_fill_all(&env.pci);
	check_devices(&env);
	for (size_t i = 0; i < rep.n; i++)
		if (strcmp(rep.items[i].id, id) == 0 && level < (int)rep.items[i].level) {
			level = (int)rep.items[i].level;
			snprintf(why, n, "%s", rep.items[i].detail);
		}
	CHECK(level >= 0);
	check_report_free(&rep);
	vfe_config_free(&env.cfg);
	vfe_pci_free(&env.pci);
	return level == CHECK_FAIL;
}

/* The binder's decision for bdf (a dry run: the facts it reads are the image's), its reason in why. */
static bool binder_refuses(struct fake_root *f, const char *bdf, char *why, size_t n)
{
	struct vfe_binder_opts o = { .dry_run = true };
	struct vfe_status st;
	int action = -1;

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f->root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f->root, &st) == 0);
	for (size_t i = 0; i < st.n_devs; i++)
		if (strcmp(st.devs[i].bdf, bdf) == 0) {
			action = (int)st.devs[i].action;
			snprintf(why, n, "%s", st.devs[i].reason);
		}
	/* the image has every fact the binder needs: it complains of none missing */
	for (size_t i = 0; i < st.problems.n; i++)
		CHECK(!strstr(st.problems.v[i], "initramfs has no"));
	vfe_status_free(&st);
	CHECK(action == VFE_ACT_REFUSE || action == VFE_ACT_BIND);
	return action == VFE_ACT_REFUSE;
}

/*
 * add, check and the binder on one host: the facts of the installed system
 * (the Debian kernel's module indexes, the root file system's controller),
 * add and check reading them live, the binder from what the initramfs hooks
 * copied into the image. The same verdict, for the same reason.
 */
TEST(add_check_and_the_binder_agree)
{
	struct fake_root f;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	REQUIRE(fake_machine_qemu(&f) == 0);
	CHECK(fake_installed_modules(&f));
	CHECK(fake_image_facts(&f) == 0);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char conf[256], said[4096], chk[512], bnd[512];
		int k;
		printf("# add %s\n", cases[i].add);
		fake_write(&f, "etc/vfio-early.conf", "");
		k = add_says(&f, cases[i].add, said, sizeof(said));
		if (getenv("VERBOSE"))
			printf("%s", said);
		CHECK((k < 0 || strstr(said, "the binder would refuse")) == cases[i].refused);
		CHECK_CONTAINS(said, k < 0 ? "" : cases[i].line);
		snprintf(conf, sizeof(conf), "%s\n", cases[i].line);
		fake_write(&f, "etc/vfio-early.conf", conf);
		CHECK(check_fails(&f, cases[i].bdf, chk, sizeof(chk)) == cases[i].refused);
		CHECK(binder_refuses(&f, cases[i].bdf, bnd, sizeof(bnd)) == cases[i].refused);
		if (cases[i].why) {
			CHECK_CONTAINS(said, cases[i].why);
			CHECK_CONTAINS(chk, cases[i].why);
			CHECK_CONTAINS(bnd, cases[i].why);
		}
		if (!cases[i].refused || k < 0)
			continue;
		/* a verdict add gives but does not enforce is the binder's own words */
		CHECK_CONTAINS(said, bnd);
	}
	fake_root_free(&f);
}

TAP_MAIN()
