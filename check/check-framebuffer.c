// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early check: the firmware framebuffer and the console. A target whose
 * memory the boot framebuffer (efifb, simplefb, simpledrm, vesafb) holds;
 * and a boot VGA given away before an encrypted root's passphrase prompt.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

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

/*
 * Since 6.0 vfio-pci removes the firmware framebuffer of a VGA-class device
 * as it binds it (vfio_pci_vga_init: aperture_remove_conflicting_pci_devices),
 * so video=efifb:off and initcall_blacklist=sysfb_init are no longer needed
 * for one: only for a display of another class (3D, "other").
 */
static bool kernel_removes_framebuffer(const char *release, const struct vfe_dev *d)
{
	unsigned major = 0;

	return d->class == 0x0300 && sscanf(release, "%u.", &major) == 1 && major >= 6;
}

static void report_overlap(struct check_env *env, const struct vfe_dev *d, const struct range *hit)
{
	char id[64];

	snprintf(id, sizeof(id), "framebuffer:%s", d->name);
	if (kernel_removes_framebuffer(env->release, d))
		check_add(env->rep, id, "boot framebuffer", CHECK_PASS, NULL,
			  "%s: memory %" PRIx64 "-%" PRIx64 " is held by %s; vfio-pci (kernel %s) removes that "
			  "framebuffer as it binds this VGA device, so nothing is needed (its console goes dark then)",
			  d->name, hit->start, hit->end, hit->name, env->release);
	else
		check_add(env->rep, id, "boot framebuffer", CHECK_FAIL,
			  "add video=efifb:off video=simplefb:off (or initcall_blacklist=sysfb_init where simpledrm holds "
			  "it) to the kernel command line: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then "
			  "'sudo update-grub'; on Pop!_OS 'sudo kernelstub -a \"video=efifb:off video=simplefb:off\"'; "
			  "then reboot",
			  "%s: memory %" PRIx64 "-%" PRIx64 " is held by %s; vfio-pci cannot reserve that BAR%s", d->name,
			  hit->start, hit->end, hit->name,
			  d->class == 0x0300 ? " (kernels before 6.0 leave the framebuffer in place)"
					     : " (only a VGA-class device's framebuffer is removed by vfio-pci)");
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
		if (!t->dev || t->action != VFE_ACT_BIND || !(hit = overlap(env->root, t->dev->name, fb, n)))
			continue;
		any = true;
		report_overlap(env, t->dev, hit);
	}
	if (!any)
		check_add(env->rep, "framebuffer", title, CHECK_PASS, NULL,
			  "no target's memory is held by a boot framebuffer (%d framebuffer range%s)", n, n == 1 ? "" : "s");
}

/* ---- the passphrase prompt ---- */

static int find_cryptsetup(void *ud _unused_, const struct vfe_cpio_file *f)
{
	static const char *const names[] = { "/cryptsetup", "/systemd-cryptsetup" };

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		size_t l = strlen(names[i]);
		if ((f->mode & S_IFMT) == S_IFREG && f->name_len > l && memcmp(f->name + f->name_len - l, names[i], l) == 0)
			return 1;
	}
	return 0;
}

struct alias_find {
	const char *modalias;
	char *driver;
	size_t n;
};

/* The image's lib/modules/VERSION/modules.alias (depmod's, for the modules in the image): one that matches. */
static int find_alias(void *ud, const struct vfe_cpio_file *f)
{
	static const char suffix[] = "/modules.alias";
	struct alias_find *a = ud;
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	if ((f->mode & S_IFMT) != S_IFREG || f->name_len < sizeof(suffix) ||
	    memcmp(f->name + f->name_len - (sizeof(suffix) - 1), suffix, sizeof(suffix) - 1) != 0 ||
	    !(text = strndup((const char *)f->data, f->size)))
		return 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char pat[256], mod[64];
		if (sscanf(l, "alias %255s %63s", pat, mod) == 2 && fnmatch(pat, a->modalias, 0) == 0 &&
		    !startswith(mod, "vfio"))
			return snprintf(a->driver, a->n, "%s", mod), 1;
	}
	return 0;
}

/* A display the host keeps whose driver the image carries: its name and driver go to what. */
static bool kept_display_in_image(const struct check_env *env, const struct vfe_plan *p, char *what, size_t n)
{
	for (size_t i = 0; i < env->pci.n; i++) {
		const struct vfe_dev *d = &env->pci.devs[i];
		char modalias[VFE_MODALIAS_MAX], drv[64];
		struct alias_find a = { modalias, drv, sizeof(drv) };
		if (!vfe_dev_is_display(d) || vfe_plan_binds(p, d))
			continue;
		vfe_format_modalias(d, modalias);
		if (vfe_initramfs_walk(&env->image, find_alias, &a) == 1)
			return snprintf(what, n, "%s (%s)", d->name, drv), true;
	}
	return false;
}

/*
 * allow-boot-vga hands the boot VGA to vfio-pci from init-top, before the
 * initramfs asks for the encrypted root's passphrase; with its framebuffer
 * gone (kernel >= 6.0) that prompt has a screen only if the image drives
 * another display.
 */
void check_console_prompt(struct check_env *env, const struct vfe_plan *p)
{
	const struct vfe_dev *vga = NULL;
	char other[128];

	for (size_t i = 0; i < p->n && !vga; i++)
		if (p->t[i].dev && p->t[i].dev->boot_vga && p->t[i].action == VFE_ACT_BIND)
			vga = p->t[i].dev;
	if (!vga || !env->have_image || vfe_initramfs_walk(&env->image, find_cryptsetup, NULL) != 1)
		return;
	if (kept_display_in_image(env, p, other, sizeof(other)))
		check_add(env->rep, "console-prompt", "passphrase prompt", CHECK_PASS, NULL,
			  "the boot VGA %s goes to vfio-pci before the encrypted root's passphrase prompt; the initramfs "
			  "drives %s for it", vga->name, other);
	else
		check_add(env->rep, "console-prompt", "passphrase prompt", CHECK_WARN,
			  "put the host's other GPU driver into the initramfs (initramfs-tools: its name in "
			  "/etc/initramfs-tools/modules; dracut: add_drivers+=\" NAME \"), or unlock with a key file or the "
			  "TPM, or type the passphrase blind",
			  "allow-boot-vga: vfio-pci takes the boot VGA %s (and its console) at the start of the initramfs, "
			  "before cryptsetup asks for the root's passphrase, and the initramfs has no driver for another "
			  "display: the prompt will have no screen", vga->name);
}
