// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>

#include "common/cpu.h"
#include "common/paths.h"

#define CPUINFO_MAX (16 << 20) /* about 1.5 KiB per CPU: room for thousands */

static bool has_word(const char *line, const char *word)
{
	size_t l = strlen(word);

	for (const char *p = line; (p = strstr(p, word)); p += l)
		if ((p == line || isspace((unsigned char)p[-1])) && (!p[l] || isspace((unsigned char)p[l])))
			return true;
	return false;
}

static void probe_line(const char *line, struct vfe_cpu *c)
{
	if (startswith(line, "vendor_id") && strstr(line, "GenuineIntel"))
		c->vendor = VFE_CPU_INTEL;
	else if (startswith(line, "vendor_id") && (strstr(line, "AuthenticAMD") || strstr(line, "HygonGenuine")))
		c->vendor = VFE_CPU_AMD;
	else if (startswith(line, "flags")) {
		c->vmx = c->vmx || has_word(line, "vmx");
		c->svm = c->svm || has_word(line, "svm");
	}
}

int vfe_cpu_probe(const struct vfe_root *r, struct vfe_cpu *ret)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int k = vfe_read_file(r, PATH_CPUINFO, CPUINFO_MAX, &text);

	*ret = (struct vfe_cpu){ VFE_CPU_UNKNOWN, false, false };
	if (k < 0)
		return k;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		probe_line(line, ret);
	return 0;
}

const char *vfe_cpu_iommu_on(enum vfe_cpu_vendor v)
{
	switch (v) {
	case VFE_CPU_INTEL:
		return "intel_iommu=on";
	case VFE_CPU_AMD:
		return "";
	default:
		return NULL;
	}
}
