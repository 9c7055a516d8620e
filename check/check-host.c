// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early check: the CPU, the IOMMU, the kernel command line and the vfio modules. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "check/check.h"
#include "common/kcmdline.h"
#include "common/paths.h"

void check_cpu(struct check_env *env)
{
	int k = vfe_cpu_probe(env->root, &env->cpu);

	if (k < 0)
		check_add(env->rep, "cpu-virt", "CPU virtualization", CHECK_WARN, NULL, "cannot read /%s: %s",
			  PATH_CPUINFO, strerror(-k));
	else if (env->cpu.vmx || env->cpu.svm)
		check_add(env->rep, "cpu-virt", "CPU virtualization", CHECK_PASS, NULL, "%s",
			  env->cpu.vmx ? "vmx (Intel VT-x)" : "svm (AMD-V)");
	else
		check_add(env->rep, "cpu-virt", "CPU virtualization", CHECK_FAIL,
			  "enable Intel VT-x (\"Virtualization Technology\") or AMD SVM in the firmware setup",
			  "neither vmx nor svm in /%s: the CPU cannot run KVM guests", PATH_CPUINFO);
}

/* The first kernel log line containing one of needles; 1 found, 0 not, <0 unreadable. */
static int kernel_log_find(const struct vfe_root *r, const char *const *needles, char *found, size_t n)
{
	_cleanup_close_ int fd = openat(r->fd, PATH_KMSG, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char rec[8192];
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISCHR(st.st_mode)) { /* a fixture: a plain file of lines */
		_cleanup_free_ char *text = NULL;
		int k = vfe_read_file(r, PATH_KMSG, 4 << 20, &text);
		if (k < 0)
			return k;
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			for (size_t i = 0; needles[i]; i++)
				if (strstr(line, needles[i]))
					return snprintf(found, n, "%s", line), 1;
		return 0;
	}
	/* /dev/kmsg: one record per read, "prio,seq,usec,flags;message\n" */
	for (unsigned records = 0; records < 200000; records++) {
		ssize_t k = read(fd, rec, sizeof(rec) - 1);
		if (k < 0 && (errno == EPIPE || errno == EINTR))
			continue; /* overwritten while reading: go on */
		if (k <= 0)
			return k < 0 && errno != EAGAIN ? negative_errno() : 0;
		rec[k] = '\0';
		char *msg = strchr(rec, ';'), *nl;
		msg = msg ? msg + 1 : rec;
		if ((nl = strchr(msg, '\n')))
			*nl = '\0';
		for (size_t i = 0; needles[i]; i++)
			if (strstr(msg, needles[i]))
				return snprintf(found, n, "%s", msg), 1;
	}
	return 0;
}

static void iommu_units(const struct vfe_root *r, char *buf, size_t n)
{
	DIR *d = vfe_opendir(r, PATH_CLASS_IOMMU);
	struct dirent *de;
	size_t l = 0;

	buf[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d)) && l + 1 < n)
		if (de->d_name[0] != '.')
			l += (size_t)snprintf(buf + l, n - l, "%s%s", l ? " " : "", de->d_name);
	closedir(d);
}

/* How to turn the IOMMU on, for this CPU's vendor. */
static const char *iommu_fix(enum vfe_cpu_vendor v)
{
	switch (v) {
	case VFE_CPU_INTEL:
		return "enable VT-d (\"Intel Virtualization Technology for Directed I/O\") in the firmware setup, run "
		       "'sudo vfio-early boot install' (it adds intel_iommu=on to the kernel command line) and reboot";
	case VFE_CPU_AMD:
		return "enable the IOMMU (\"IOMMU\" or \"AMD-Vi\", often beside SVM) in the firmware setup and reboot; the "
		       "kernel turns it on by itself, no parameter needed (amd_iommu=on is not a kernel option)";
	default:
		return "enable VT-d (Intel) or the IOMMU/AMD-Vi (AMD) in the firmware setup; Intel also needs "
		       "intel_iommu=on on the kernel command line ('sudo vfio-early boot install' adds it); then reboot";
	}
}

void check_iommu(struct check_env *env)
{
	static const char *const needles[] = { "DMAR: IOMMU enabled", "AMD-Vi: ", "DMAR-IR: Enabled", NULL };
	char units[128], line[256];
	int k;

	iommu_units(env->root, units, sizeof(units));
	k = kernel_log_find(env->root, needles, line, sizeof(line));
	if (units[0])
		check_add(env->rep, "iommu", "IOMMU active", CHECK_PASS, NULL, "%s in /%s%s%s", units, PATH_CLASS_IOMMU,
			  k > 0 ? "; kernel log: " : "", k > 0 ? line : "");
	else
		check_add(env->rep, "iommu", "IOMMU active", CHECK_FAIL, iommu_fix(env->cpu.vendor),
			  "no IOMMU registered (/%s is empty); kernel log: %s", PATH_CLASS_IOMMU,
			  k > 0 ? line : k == 0 ? "no DMAR or AMD-Vi line" : "not readable (only root may read it)");
}

/* The value of a kernel parameter on this boot's command line ("" for a bare word), NULL when absent. */
static char *param(const struct check_env *env, const char *name)
{
	char *v = NULL;

	return vfe_kcmdline_get(env->cmdline, name, &v) > 0 ? v : NULL;
}

/*
 * AMD: the kernel turns the IOMMU on by itself; amd_iommu= takes off,
 * fullflush, force_isolation, pgtbl_v1/v2 and the like, and "on" is not one
 * of them (the kernel logs "Unknown option"): say so, never suggest it.
 */
static void check_amd_iommu_param(struct check_env *env)
{
	_cleanup_free_ char *v = param(env, "amd_iommu");
	bool active = vfe_iommu_active(env->root);

	if (v && streq(v, "off"))
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_FAIL,
			  "remove amd_iommu=off from the kernel command line", "amd_iommu=off turns the IOMMU off");
	else if (v && streq(v, "on"))
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_WARN,
			  "remove amd_iommu=on from the kernel command line (with vfio-early's own: sudo vfio-early boot "
			  "remove && sudo vfio-early boot install)",
			  "amd_iommu=on is not a kernel option (the kernel logs \"Unknown option\" and ignores it); the AMD "
			  "IOMMU is on by default%s", active ? " and it is active" : "");
	else if (v)
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_PASS, NULL,
			  "amd_iommu=%s; the kernel turns the AMD IOMMU on by default%s", v, active ? " and it is active" : "");
	else
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_PASS, NULL,
			  "no amd_iommu= needed: the kernel turns the AMD IOMMU on by default%s",
			  active ? " and it is active" : "");
}

static void check_iommu_param(struct check_env *env)
{
	_cleanup_free_ char *v = NULL;
	bool active = vfe_iommu_active(env->root);
	const char *fix = "add intel_iommu=on to the kernel command line: sudo vfio-early boot install";

	if (env->cpu.vendor == VFE_CPU_AMD)
		return check_amd_iommu_param(env);
	v = param(env, "intel_iommu");
	if (v && (streq(v, "off") || streq(v, "0")))
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_FAIL, fix,
			  "intel_iommu=%s turns the IOMMU off", v);
	else if (v)
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_PASS, NULL, "intel_iommu=%s", v);
	else if (active)
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_PASS, NULL,
			  "no intel_iommu= on the command line; the kernel enables it by default and it is active");
	else
		check_add(env->rep, "cmdline-iommu", "IOMMU kernel parameter", CHECK_FAIL, fix,
			  "no intel_iommu=on on the kernel command line%s",
			  env->cpu.vendor != VFE_CPU_UNKNOWN ? "" : " (CPU vendor unknown)");
}

void check_cmdline(struct check_env *env)
{
	_cleanup_free_ char *pt = param(env, "iommu");
	_cleanup_free_ char *acs = param(env, "pcie_acs_override");
	_cleanup_free_ char *ids = param(env, "vfio-pci.ids");
	char off[VFE_KSWITCH_REASON_MAX];

	check_iommu_param(env);
	if (pt && streq(pt, "off"))
		check_add(env->rep, "cmdline-iommu-pt", "iommu=pt", CHECK_FAIL,
			  "remove iommu=off from the kernel command line (GRUB: from GRUB_CMDLINE_LINUX* in "
			  "/etc/default/grub, then 'sudo update-grub'; Pop!_OS: 'sudo kernelstub -d iommu=off'), then "
			  "'sudo vfio-early boot install' and reboot",
			  "iommu=off disables every IOMMU");
	else
		check_add(env->rep, "cmdline-iommu-pt", "iommu=pt", pt && streq(pt, "pt") ? CHECK_PASS : CHECK_WARN,
			  "add iommu=pt (host devices skip IOMMU translation): sudo vfio-early boot install",
			  pt ? "iommu=%s" : "%s", pt ? pt : "absent: host devices pay for IOMMU translation");
	if (acs)
		check_add(env->rep, "cmdline-acs-override", "ACS override", CHECK_WARN,
			  "remove pcie_acs_override: it splits IOMMU groups the hardware does not isolate, so the "
			  "guest can reach host memory through peer-to-peer DMA; pass the whole group (group=whole) instead",
			  "pcie_acs_override=%s is on the command line (needs a patched kernel; unsafe)", acs);
	if (ids)
		check_add(env->rep, "cmdline-vfio-pci-ids", "vfio-pci.ids= on the command line", CHECK_WARN,
			  "remove vfio-pci.ids= from the kernel command line: vfio-early binds by address, with guards",
			  "vfio-pci.ids=%s makes vfio-pci take every device with those ids, whatever the guards say", ids);
	if (vfe_kcmdline_passthrough_off(env->cmdline, off, sizeof(off)))
		check_add(env->rep, "cmdline-vfio-early", "vfio-early on this boot", CHECK_WARN,
			  "boot the normal (passthrough) entry, or remove vfio_early=off from the command line",
			  "%s: this is a no-passthrough (recovery) boot", off);
}

/* True when a modules.builtin or modules.dep line names module "name" ("vfio_pci" matches vfio-pci.ko.zst). */
static bool lists_module(const char *text, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *end = p + strcspn(p, ":\n"), *base = end;
		while (base > p && base[-1] != '/')
			base--;
		if ((size_t)(end - base) < nl + 3)
			continue;
		bool same = true;
		for (size_t i = 0; i < nl && same; i++)
			same = (base[i] == '-' ? '_' : base[i]) == (name[i] == '-' ? '_' : name[i]);
		if (same && startswith(base + nl, ".ko"))
			return true;
	}
	return false;
}

void check_modules(struct check_env *env)
{
	static const char *const mods[] = { "vfio", "vfio_iommu_type1", "vfio_pci" };
	_cleanup_free_ char *builtin = NULL, *dep = NULL;
	char rel[256], missing[128] = "", how[128] = "";
	size_t ml = 0, hl = 0;

	snprintf(rel, sizeof(rel), PATH_MODULES "/%s/modules.builtin", env->release);
	(void)vfe_read_file(env->root, rel, 8 << 20, &builtin);
	snprintf(rel, sizeof(rel), PATH_MODULES "/%s/modules.dep", env->release);
	(void)vfe_read_file(env->root, rel, 32 << 20, &dep);
	if (!builtin && !dep) {
		check_add(env->rep, "vfio-modules", "vfio modules", CHECK_FAIL,
			  "reinstall the kernel's modules (apt install --reinstall linux-image-$(uname -r)), or boot a "
			  "kernel that has them",
			  "no /%s/%s/modules.dep or modules.builtin for the running kernel", PATH_MODULES, env->release);
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(mods); i++) {
		bool b = builtin && lists_module(builtin, mods[i]), m = dep && lists_module(dep, mods[i]);
		if (!b && !m)
			ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "", mods[i]);
		else if (hl < sizeof(how))
			hl += (size_t)snprintf(how + hl, sizeof(how) - hl, "%s%s %s", hl ? ", " : "", mods[i],
					       b ? "built in" : "module");
	}
	if (ml)
		check_add(env->rep, "vfio-modules", "vfio modules", CHECK_FAIL,
			  "use a kernel built with CONFIG_VFIO_PCI (Debian/Ubuntu kernels have it as a module)",
			  "kernel %s lacks %s", env->release, missing);
	else
		check_add(env->rep, "vfio-modules", "vfio modules", CHECK_PASS, NULL, "kernel %s: %s", env->release, how);
}
