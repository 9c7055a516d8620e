// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early check: no target whose memory is held by the boot framebuffer (efifb, simplefb, simpledrm). */
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>

#include "check/check.h"
#include "common/paths.h"
#include "early/plan.h"

#define PATH_IOMEM "proc/iomem"
#define IORESOURCE_MEM 0x200

struct range {
	uint64_t start, end;
	char name[48];
};

static bool is_fb_name(const char *name)
{
	static const char *const fbs[] = { "BOOTFB", "efifb", "simplefb", "simpledrm", "simple-framebuffer",
					   "vesafb", "vesa-framebuffer", "efi-framebuffer" };

	for (size_t i = 0; i < ELEMENTSOF(fbs); i++)
		if (strcasestr(name, fbs[i]))
			return true;
	return false;
}

/* The framebuffer ranges of /proc/iomem; returns the count (at most max) or -errno. */
static int fb_ranges(const struct vfe_root *r, struct range *out, int max)
{
	_cleanup_free_ char *text = NULL;
	int k = vfe_read_file(r, PATH_IOMEM, 4 << 20, &text), n = 0;

	if (k < 0)
		return k;
	for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n")) {
		uint64_t s, e;
		int off = 0;
		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %n", &s, &e, &off) != 2 || !off)
			continue;
		if (!is_fb_name(line + off))
			continue;
		out[n] = (struct range){ s, e, "" };
		snprintf(out[n].name, sizeof(out[n].name), "%s", line + off);
		n++;
	}
	return n;
}

/* The first memory BAR of bdf overlapping a framebuffer range, or NULL. */
static const struct range *overlap(const struct vfe_root *r, const char *bdf, const struct range *fb, int n_fb)
{
	_cleanup_free_ char *text = NULL;
	char rel[128];
	int bar = 0;

	snprintf(rel, sizeof(rel), PATH_PCI_DEVICES "/%s/resource", bdf);
	if (vfe_read_file(r, rel, 64 << 10, &text) < 0)
		return NULL;
	for (char *line = strtok(text, "\n"); line && bar < 7; line = strtok(NULL, "\n"), bar++) {
		uint64_t s, e, flags;
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &flags) != 3 || !s || !(flags & IORESOURCE_MEM))
			continue;
		for (int i = 0; i < n_fb; i++)
			if (s <= fb[i].end && fb[i].start <= e)
				return &fb[i];
	}
	return NULL;
}

void check_framebuffer_targets(struct check_env *env, const struct vfe_plan *p)
{
	const char *title = "boot framebuffer";
	struct range fb[16];
	int n = fb_ranges(env->root, fb, (int)ELEMENTSOF(fb));
	bool hidden = n > 0, any = false;

	for (int i = 0; i < n; i++)
		hidden = hidden && fb[i].start == 0 && fb[i].end == 0;
	if (n < 0 || hidden) {
		check_add(env->rep, "framebuffer", title, CHECK_SKIP,
			  n < 0 ? NULL : "sudo vfio-early check: only root sees the addresses", "/%s %s", PATH_IOMEM,
			  n < 0 ? "cannot be read" : "hides its addresses from unprivileged users");
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct vfe_target *t = &p->t[i];
		const struct range *hit;
		char id[64];
		if (!t->dev || t->action != VFE_ACT_BIND || !(hit = overlap(env->root, t->dev->name, fb, n)))
			continue;
		any = true;
		snprintf(id, sizeof(id), "framebuffer:%s", t->dev->name);
		check_add(env->rep, id, title, CHECK_FAIL,
			  "add video=efifb:off video=simplefb:off (or initcall_blacklist=sysfb_init where simpledrm holds "
			  "it) to the kernel command line: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then "
			  "'sudo update-grub'; on Pop!_OS 'sudo kernelstub -a \"video=efifb:off video=simplefb:off\"'; "
			  "then reboot",
			  "%s: memory %" PRIx64 "-%" PRIx64 " is held by %s; vfio-pci cannot reserve that BAR", t->dev->name,
			  hit->start, hit->end, hit->name);
	}
	if (!any)
		check_add(env->rep, "framebuffer", title, CHECK_PASS, NULL,
			  "no target's memory is held by a boot framebuffer (%d framebuffer range%s)", n, n == 1 ? "" : "s");
}
