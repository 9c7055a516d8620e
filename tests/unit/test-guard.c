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
	CHECK(vfe_guard_device(dev(&x, "00:05.0"), &plain, VFE_IOMMU_ON) == VFE_GUARD_PASS);
	CHECK(vfe_guard_device(dev(&x, "00:05.0"), &plain, VFE_IOMMU_OFF) == VFE_GUARD_NO_IOMMU);
	CHECK(vfe_guard_device(dev(&x, "00:06.0"), &allow, VFE_IOMMU_ON) == VFE_GUARD_BRIDGE);
	CHECK(vfe_guard_device(dev(&x, "00:1f.2"), &plain, VFE_IOMMU_ON) == VFE_GUARD_STORAGE);
	CHECK(vfe_guard_device(dev(&x, "00:1f.2"), &allow, VFE_IOMMU_ON) == VFE_GUARD_PASS);
	CHECK(vfe_guard_device(dev(&x, "00:01.0"), &plain, VFE_IOMMU_ON) == VFE_GUARD_BOOT_VGA);
	CHECK(vfe_guard_device(dev(&x, "00:01.0"), &allow, VFE_IOMMU_ON) == VFE_GUARD_PASS);
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
	CHECK(vfe_guard_device(d, &plain, VFE_IOMMU_ON) == VFE_GUARD_NO_GROUP);
	CHECK(vfe_guard_device(d, &plain, VFE_IOMMU_LATER) == VFE_GUARD_STORAGE);
	d = dev(&x, "00:05.0");
	d->group = -1;
	CHECK(vfe_guard_device(d, &plain, VFE_IOMMU_LATER) == VFE_GUARD_PASS);
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
	a = (struct vfe_host_answer){ nic, true, "e1000" };
	vfe_guard_groups(&p, &f);
	CHECK(p.t[0].action == VFE_ACT_REFUSE);
	CHECK_CONTAINS(p.t[0].reason, "0000:01:02.0 (8086:100e) is not listed and would get e1000");
	p.t[0].action = VFE_ACT_BIND;
	a.claimed = false;
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

static bool count_and_claim(void *userdata, const struct vfe_dev *d, char *drv, size_t n)
{
	struct asked *a = userdata;

	if (a->n < 8)
		a->who[a->n++] = d;
	snprintf(drv, n, "e1000");
	return true;
}

/* The host-driver question is asked only about members left behind, each once, and never of a bound one. */
TEST(facts_ask_only_what_the_group_guard_will_look_at)
{
	struct fx x;
	struct vfe_entry e = { 0 }, whole = { .group = VFE_GROUP_WHOLE };
	struct asked asked = { 0 };
	struct vfe_plan_ops ops = { count_and_claim, &asked };
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

/* The installed Debian kernel's module indexes, copied under the fake root as the running kernel's. */
static bool copy_module_indexes(struct fake_root *f)
{
	const char *base = "/lib/modules";
	char cmd[3 * PATH_MAX], src[PATH_MAX] = "";
	struct utsname u;
	struct dirent *de;
	DIR *d = opendir(base);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(src, sizeof(src), "%s/%s/modules.alias.bin", base, de->d_name);
			if (access(src, R_OK) == 0) {
				snprintf(src, sizeof(src), "%s/%s", base, de->d_name);
				break;
			}
			src[0] = '\0';
		}
	if (d)
		closedir(d);
	if (!src[0] || uname(&u) < 0)
		return false;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/lib/modules/%s' && cp '%s'/modules.* '%s/lib/modules/%s/'", f->dir,
		 u.release, src, f->dir, u.release);
	return system(cmd) == 0;
}

TEST(host_driver_from_the_module_aliases)
{
	struct fx x;
	struct vfe_host_drivers *h = NULL;
	char drv[VFE_DRIVER_MAX] = "";

	machine(&x);
	if (!copy_module_indexes(&x.f)) {
		/* tests/deps.d/bench.list installs linux-image-amd64; without it there is nothing to ask */
		printf("# no installed kernel's modules.alias.bin under /lib/modules\n");
		CHECK(false);
	}
	CHECK(vfe_host_drivers_new(&x.f.root, NULL, &h) == 0);
	CHECK(vfe_host_driver_for(h, dev(&x, "00:05.1"), drv, sizeof(drv)));
	CHECK_STREQ(drv, "snd_hda_intel");
	CHECK(vfe_host_driver_for(h, dev(&x, "01:02.0"), drv, sizeof(drv)));
	CHECK_STREQ(drv, "e1000");
	/* no alias at all: nothing claims it (vfio-pci's own alias never counts) */
	dev(&x, "00:05.1")->id.vendor = 0xfffe;
	CHECK(!vfe_host_driver_for(h, dev(&x, "00:05.1"), drv, sizeof(drv)));
	/* without an index nothing is known: the answer is no */
	CHECK(!vfe_host_driver_for(NULL, dev(&x, "01:02.0"), drv, sizeof(drv)));
	vfe_host_drivers_free(h);
	done(&x);
}

/* ---- add, check and the binder on one tree ---- */

static const struct {
	const char *add;     /* vfio-early add's arguments */
	const char *line;    /* the entry add writes (or would have) */
	const char *bdf;     /* the device to look at */
	bool added;          /* add accepts it */
	bool refused;        /* check fails it and the binder refuses it */
} cases[] = {
	{ "--group 0000:00:05.0", "device 0000:00:05.0 id=1234:1111 group=whole", "0000:00:05.1", true, false },
	{ "0000:00:01.0", "device 0000:00:01.0 id=1234:1111", "0000:00:01.0", false, true },
	{ "--allow-boot-vga 0000:00:01.0", "device 0000:00:01.0 id=1234:1111 allow-boot-vga", "0000:00:01.0", true, false },
	{ "0000:00:06.0", "device 0000:00:06.0 id=1b36:0001", "0000:00:06.0", false, true },
	{ "0000:00:1f.2", "device 0000:00:1f.2 id=8086:2922", "0000:00:1f.2", false, true },
	/* a group with more endpoints: add wants --group or --function (off a terminal), the binder refuses it half */
	{ "0000:01:01.0", "device 0000:01:01.0 id=1af4:1050", "0000:01:01.0", false, true },
	/* --function: the user's word; add warns, and the binder refuses the half-bound group at boot */
	{ "--function 0000:01:01.0", "device 0000:01:01.0 id=1af4:1050", "0000:01:01.0", true, true },
	/* only add sees the mounted file system: allow-storage is the user's word at boot */
	{ "--allow-storage 0000:00:1f.2", "device 0000:00:1f.2 id=8086:2922 allow-storage", "0000:00:1f.2", false, false },
};

static bool add_accepts(struct fake_root *f, const char *args)
{
	struct vfe_cli cli = { .root = f->root };
	char buf[128], *argv[8] = { (char *)"add", (char *)"--dry-run" }, *save = NULL;
	int argc = 2, out = dup(STDOUT_FILENO), err = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY), k;

	snprintf(buf, sizeof(buf), "%s", args);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 7; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	optind = 0;
	k = verb_add(&cli, argc, argv);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out), close(err), close(null);
	return k == 0;
}

static bool check_fails(struct fake_root *f, const char *bdf)
{
	struct check_report rep = { 0 };
	struct check_env env = { .root = &f->root, .rep = &rep };
	char id[64];
	int level = -1;

	snprintf(id, sizeof(id), "device:%s", bdf);
	REQUIRE(vfe_config_load(&env.cfg, &f->root) == 0);
	REQUIRE(vfe_pci_scan(&f->root, &env.pci) == 0);
	vfe_pci_fill_all(&env.pci);
	check_devices(&env);
	for (size_t i = 0; i < rep.n; i++)
		if (strcmp(rep.items[i].id, id) == 0)
			level = rep.items[i].level;
	CHECK(level >= 0);
	check_report_free(&rep);
	vfe_config_free(&env.cfg);
	vfe_pci_free(&env.pci);
	return level == CHECK_FAIL;
}

static bool binder_refuses(struct fake_root *f, const char *bdf)
{
	struct vfe_binder_opts o = { .dry_run = true };
	struct vfe_status st;
	int action = -1;

	log_open(&f->root, VFE_LOG_KMSG, "vfio-early");
	CHECK(vfe_binder_run(&f->root, &o) == 0);
	log_close();
	CHECK(vfe_status_read(&f->root, &st) == 0);
	for (size_t i = 0; i < st.n_devs; i++)
		if (strcmp(st.devs[i].bdf, bdf) == 0)
			action = (int)st.devs[i].action;
	vfe_status_free(&st);
	CHECK(action == VFE_ACT_REFUSE || action == VFE_ACT_BIND);
	return action == VFE_ACT_REFUSE;
}

/* The host-driver answers of both check and the binder come from the same installed module indexes. */
TEST(add_check_and_the_binder_agree)
{
	struct fake_root f;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	REQUIRE(fake_machine_qemu(&f) == 0);
	CHECK(copy_module_indexes(&f));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char conf[160];
		printf("# add %s\n", cases[i].add);
		CHECK(add_accepts(&f, cases[i].add) == cases[i].added);
		snprintf(conf, sizeof(conf), "%s\n", cases[i].line);
		fake_write(&f, "etc/vfio-early.conf", conf);
		CHECK(check_fails(&f, cases[i].bdf) == cases[i].refused);
		CHECK(binder_refuses(&f, cases[i].bdf) == cases[i].refused);
	}
	fake_root_free(&f);
}

TAP_MAIN()
