// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early xml [DEVICE]: libvirt <hostdev> elements for the devices the
 * guest gets (the configured ones, or DEVICE; always every endpoint of
 * their IOMMU groups), the equivalent QEMU -device arguments, and for
 * NVIDIA cards the <hyperv>/<kvm> hints that keep Windows' driver from
 * stopping with Code 43.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>

#include "check/system-paths.h"
#include "cli/cli.h"
#include "cli/devices.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/strbuf.h"
#include "early/config.h"
#include "early/host-driver.h"
#include "early/pci.h"
#include "early/plan.h"

struct pick {
	const struct vfe_dev **d;
	size_t n;
};

static int pick_add(struct pick *p, const struct vfe_dev *d)
{
	const struct vfe_dev **n;

	for (size_t i = 0; i < p->n; i++)
		if (p->d[i] == d)
			return 0;
	n = realloc(p->d, (p->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->d = n;
	p->d[p->n++] = d;
	return 0;
}

/* d and every other endpoint of its IOMMU group: the guest must get the whole group. */
static int pick_with_group(struct pick *p, const struct vfe_pci *pci, const struct vfe_dev *d)
{
	struct vfe_dev **m = NULL;
	int n, k = 0;

	if (vfe_dev_is_bridge(d))
		return 0;
	if (d->group < 0)
		return pick_add(p, d);
	n = vfe_pci_group_members(pci, d->group, &m);
	if (n < 0)
		return pick_add(p, d);
	for (int j = 0; j < n && k >= 0; j++)
		if (!vfe_dev_is_bridge(m[j]))
			k = pick_add(p, m[j]);
	free(m);
	return k;
}

static int pick_device(struct pick *p, const struct vfe_pci *pci, const char *spec)
{
	_cleanup_free_ const struct vfe_dev **devs = calloc(pci->n + 1, sizeof(*devs));
	struct cli_devarg a;
	int n, k = 0;

	if (!devs)
		return log_error_errno(-ENOMEM, "out of memory");
	if (cli_devarg_parse(spec, &a) < 0)
		return -EINVAL;
	n = cli_devarg_find(&a, pci, devs);
	for (int i = 0; i < n && k >= 0; i++)
		k = pick_with_group(p, pci, devs[i]);
	return n < 0 ? n : k;
}

/* The config's targets that pass the guards, and whatever is on vfio-pci now. */
static int pick_configured(struct pick *p, const struct vfe_pci *pci, const struct vfe_root *r)
{
	struct vfe_config cfg = { 0 };
	struct vfe_plan plan = { 0 };
	_cleanup_(vfe_protected_freep) struct vfe_protected prot = { 0 };
	struct vfe_host_drivers *hosts = NULL;
	struct vfe_plan_ops ops;
	int k;

	(void)vfe_config_load(&cfg, r);
	(void)vfe_host_drivers_installed(r, NULL, &hosts);
	(void)vfe_system_paths(r, &prot);
	ops = vfe_host_drivers_ops(hosts, &prot);
	k = vfe_plan_build(pci, cfg.entries, cfg.n, true, &ops, &plan);
	vfe_host_drivers_free(hosts);
	for (size_t i = 0; k >= 0 && i < plan.n; i++)
		if (plan.t[i].dev && plan.t[i].action == VFE_ACT_BIND)
			k = pick_with_group(p, pci, plan.t[i].dev);
	for (size_t i = 0; k >= 0 && i < pci->n; i++)
		if (streq(pci->devs[i].driver, VFIO_PCI_DRIVER))
			k = pick_with_group(p, pci, &pci->devs[i]);
	vfe_plan_free(&plan);
	vfe_config_free(&cfg);
	if (k >= 0 && p->n == 0)
		return log_error_errno(-ENODEV, "no configured device passes the guards and none is on vfio-pci: "
				       "see 'vfio-early check', or name one: vfio-early xml 0000:05:00.0");
	return k;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct vfe_dev *x = *(const struct vfe_dev *const *)a, *y = *(const struct vfe_dev *const *)b;

	return strcmp(x->name, y->name);
}

static bool is_nvidia_gpu(const struct vfe_dev *d)
{
	return d->id.vendor == 0x10de && (d->class == 0x0300 || d->class == 0x0302);
}

static bool any_nvidia(const struct pick *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (is_nvidia_gpu(p->d[i]))
			return true;
	return false;
}

/* One <hostdev>, as virsh attach-device takes it; indent is where it sits. */
static void put_hostdev(struct strbuf *sb, const struct vfe_dev *d, const char *indent)
{
	sb_printf(sb,
		  "%s<hostdev mode='subsystem' type='pci' managed='yes'>\n"
		  "%s  <source>\n"
		  "%s    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
		  "%s  </source>\n"
		  "%s</hostdev>\n",
		  indent, indent, indent, d->addr.domain, d->addr.bus, d->addr.dev, d->addr.func, indent, indent);
}

/* One well-formed document: the <hostdev> itself, or <devices> holding one per function. */
static int print_xml(const struct pick *p)
{
	struct strbuf sb = { 0 };

	if (p->n == 1)
		put_hostdev(&sb, p->d[0], "");
	else {
		sb_puts(&sb, "<devices>\n");
		for (size_t i = 0; i < p->n; i++)
			put_hostdev(&sb, p->d[i], "  ");
		sb_puts(&sb, "</devices>\n");
	}
	if (p->n > 1)
		log_notice("%zu functions: virsh attach-device takes one <hostdev> at a time; 'vfio-early xml --domain "
			   "NAME' attaches each, or paste them into the domain's <devices> (virsh edit NAME)", p->n);
	if (any_nvidia(p))
		log_notice("an NVIDIA GPU: Windows guests also want 'vfio-early xml --features' inside the domain's "
			   "<features>, or its driver stops with Code 43");
	return cli_print(&sb);
}

/* The Code 43 hints for NVIDIA's Windows driver, as the <features> element they go into. */
static int print_features(const struct pick *p)
{
	fputs("<features>\n"
	      "  <hyperv>\n"
	      "    <vendor_id state='on' value='0123456789ab'/>\n"
	      "  </hyperv>\n"
	      "  <kvm>\n"
	      "    <hidden state='on'/>\n"
	      "  </kvm>\n"
	      "</features>\n", stdout);
	log_notice("merge these into the domain's <features> (virsh edit NAME): <vendor_id> into its <hyperv> "
		   "beside what is there, <kvm> as a child of <features>");
	if (!any_nvidia(p))
		log_notice("no NVIDIA GPU among the devices: only NVIDIA's Windows driver needs these");
	return 0;
}

static void print_qemu(const struct pick *p)
{
	for (size_t i = 0; i < p->n; i++)
		printf("-device vfio-pci,host=%s%s\n", p->d[i]->name, i + 1 < p->n ? " \\" : "");
	if (any_nvidia(p))
		printf("# NVIDIA GPU: add to -cpu: kvm=off,hv_vendor_id=0123456789ab\n");
}

/* Runs virsh VERB DOMAIN /dev/stdin --config with xml on its standard input; 0 when it succeeded. */
static int run_virsh(const char *verb, const char *domain, const char *xml)
{
	int fd[2], status;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return negative_errno();
	pid = fork();
	if (pid < 0) {
		close(fd[0]), close(fd[1]);
		return negative_errno();
	}
	if (pid == 0) {
		dup2(fd[0], STDIN_FILENO);
		/* its report goes where ours would: virsh prints "Device attached successfully" on stdout */
		execlp("virsh", "virsh", verb, domain, "/dev/stdin", "--config", (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	(void)!write(fd[1], xml, strlen(xml));
	close(fd[1]);
	if (waitpid(pid, &status, 0) < 0)
		return negative_errno();
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static bool virsh_installed(void)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = strdup(path ? path : "/usr/bin:/bin");
	char *save = NULL, file[PATH_MAX];

	for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/virsh", dir);
		if (access(file, X_OK) == 0)
			return true;
	}
	return false;
}

/* --domain NAME: attaches each <hostdev> to the domain's persistent definition; all or none. */
static int apply_domain(const struct vfe_cli *cli, const struct pick *p, const char *domain)
{
	size_t done = 0;
	int k = 0;

	if (!cli->dry_run && !virsh_installed())
		return log_error_errno(-ENOENT, "virsh is not installed (sudo apt install libvirt-clients); "
				       "'vfio-early xml' prints the XML to add with virsh edit %s", domain);
	for (size_t i = 0; i < p->n && k >= 0; i++) {
		struct strbuf sb = { 0 };
		put_hostdev(&sb, p->d[i], "");
		if (sb.oom) {
			sb_free(&sb);
			return log_error_errno(-ENOMEM, "out of memory");
		}
		if (cli->dry_run)
			printf("virsh attach-device %s /dev/stdin --config <<'EOF'\n%sEOF\n", domain, sb.s);
		else if ((k = run_virsh("attach-device", domain, sb.s)) < 0)
			log_error("virsh could not attach %s to %s (its message is above)%s", p->d[i]->name, domain,
				  done ? "; the functions attached before it are detached again" : "");
		else
			done++;
		sb_free(&sb);
	}
	for (size_t i = 0; k < 0 && i < done; i++) {
		struct strbuf sb = { 0 };
		put_hostdev(&sb, p->d[i], "");
		if (!sb.oom && run_virsh("detach-device", domain, sb.s) < 0)
			log_error("virsh could not detach %s from %s again: virsh edit %s", p->d[i]->name, domain, domain);
		sb_free(&sb);
	}
	if (k >= 0 && !cli->dry_run) {
		printf("Attached %zu function%s to %s; it gets them at its next start.\n", done, done == 1 ? "" : "s", domain);
		if (any_nvidia(p))
			log_notice("an NVIDIA GPU: add 'vfio-early xml --features' to %s's <features> (virsh edit %s), or "
				   "Windows' driver stops with Code 43", domain, domain);
	}
	return k;
}

static const struct cli_help help = {
	.cmd = "xml",
	.usage = "[--qemu|--features] [--domain NAME [--dry-run]] [DEVICE...]",
	.arg = "DEVICE",
	.text = "For the configured devices that pass the guards (or each DEVICE), with every other endpoint\n"
		"of their IOMMU groups: one well-formed libvirt document, the <hostdev> of a single function\n"
		"or <devices> holding one per function, managed='yes' (vfio-early(8) says why that is safe).\n"
		"  --qemu         the QEMU arguments instead: -device vfio-pci,host=...\n"
		"  --features     the <features> an NVIDIA card needs under Windows (Code 43): <hyperv>\n"
		"                 <vendor_id> and <kvm> <hidden>, to merge into the domain's <features>\n"
		"  --domain NAME  attach them to the libvirt domain NAME with virsh (its persistent\n"
		"                 definition; all or none); with --dry-run print the virsh commands\n",
};

struct xml_opts {
	enum { OUT_XML, OUT_QEMU, OUT_FEATURES } out;
	bool out_set;
	const char *domain;
};

/* optind (>= 1), 0 after printing the help, -CLI_EUSAGE after a usage error. */
static int parse_opts(struct vfe_cli *cli, int argc, char **argv, struct xml_opts *o)
{
	enum { ARG_XML = 0x100, ARG_QEMU, ARG_FEATURES, ARG_DOMAIN };
	static const struct option options[] = {
		{ "xml", no_argument, NULL, ARG_XML },   { "qemu", no_argument, NULL, ARG_QEMU },
		{ "features", no_argument, NULL, ARG_FEATURES }, { "domain", required_argument, NULL, ARG_DOMAIN },
		{ "dry-run", no_argument, NULL, 'n' },   { "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = cli_getopt(argc, argv, "h", options, &help)) > 0) {
		switch (c) {
		case ARG_XML:
		case ARG_QEMU:
		case ARG_FEATURES: {
			int out = c == ARG_XML ? OUT_XML : c == ARG_QEMU ? OUT_QEMU : OUT_FEATURES;
			if (o->out_set && (int)o->out != out)
				return cli_usage_error(&help, "--xml, --qemu and --features exclude each other");
			o->out = out;
			o->out_set = true;
			break;
		}
		case ARG_DOMAIN:
			o->domain = optarg;
			break;
		case 'n':
			cli->dry_run = true;
			break;
		case 'h':
			return cli_help(&help);
		}
	}
	if (c < 0)
		return c;
	if (o->domain && o->out != OUT_XML)
		return cli_usage_error(&help, "--domain attaches the <hostdev> elements: it goes with neither --qemu nor "
				       "--features");
	if (cli->dry_run && !o->domain)
		return cli_usage_error(&help, "--dry-run goes with --domain (xml alone changes nothing)");
	return optind;
}

int verb_xml(struct vfe_cli *cli, int argc, char **argv)
{
	struct xml_opts o = { 0 };
	struct vfe_pci pci;
	struct pick p = { 0 };
	int k = parse_opts(cli, argc, argv, &o), s;

	if (k <= 0)
		return k;
	s = vfe_pci_scan(&cli->root, &pci);
	if (s < 0)
		return log_error_errno(s, "cannot scan /%s: %m", PATH_PCI_DEVICES);
	vfe_pci_fill_all(&pci);
	if (k == argc)
		s = pick_configured(&p, &pci, &cli->root);
	for (int i = k; i < argc && s >= 0; i++)
		s = pick_device(&p, &pci, argv[i]);
	if (s >= 0 && p.n == 0)
		s = log_error_errno(-ENODEV, "nothing to pass through: a bridge is never passed through");
	if (s >= 0) {
		qsort(p.d, p.n, sizeof(*p.d), cmp_dev);
		if (o.domain)
			s = apply_domain(cli, &p, o.domain);
		else if (o.out == OUT_QEMU)
			print_qemu(&p);
		else if (o.out == OUT_FEATURES)
			s = print_features(&p);
		else
			s = print_xml(&p);
	}
	free(p.d);
	vfe_pci_free(&pci);
	return s < 0 ? s : 0;
}
