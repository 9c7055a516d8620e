// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "common/kcmdline.h"
#include "common/macro.h"
#include "common/strbuf.h"
#include "recovery/recovery-cmdline.h"

/*
 * Parameters dropped whole, whatever their value; so are every vfio_early
 * parameter (ours) and every vfio_pci.* module option (vfio-pci.ids=, ...).
 */
static const char *const dropped[] = { "initcall_blacklist" };

/* Drivers a passthrough guide blacklists so the host never touches the card. */
static const char *const gpu_drivers[] = {
	"nouveau", "nvidia", "nvidia_drm", "nvidia_modeset", "nvidiafb", "amdgpu", "radeon", "snd_hda_intel",
	"xhci_hcd", "i2c_nvidia_gpu", "vfio_pci", "vfio-pci",
};

/* Comma lists where only some items are passthrough's: these keep the other items. */
static const char *const filtered_lists[] = {
	"modprobe.blacklist", "rd.driver.blacklist", "rd.driver.pre", "module_blacklist",
};

static bool in(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vfe_param_eq(s, set[i]))
			return true;
	return false;
}

static bool is_fb_off(const char *param, const char *val)
{
	return vfe_param_eq(param, "video") && val &&
	       (streq(val, "efifb:off") || streq(val, "simplefb:off") || streq(val, "vesafb:off") ||
		streq(val, "vesafb:off,efifb:off") || streq(val, "efifb:off,vesafb:off"));
}

/* "a,nouveau,b" -> "a,b"; "" when nothing is left. */
static char *filter_list(const char *val)
{
	struct strbuf sb = { 0 };
	_cleanup_free_ char *copy = strdup(val ? val : "");
	char *save = NULL;

	if (!copy)
		return NULL;
	sb_puts(&sb, "");
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (in(item, gpu_drivers, ELEMENTSOF(gpu_drivers)))
			continue;
		if (sb.len)
			sb_putc(&sb, ',');
		sb_puts(&sb, item);
	}
	return sb_steal(&sb);
}

static int add_param(const struct vfe_karg *a, void *userdata)
{
	struct strbuf *sb = userdata;

	if (in(a->name, dropped, ELEMENTSOF(dropped)) || is_fb_off(a->name, a->val) || vfe_kcmdline_ours(a->name) ||
	    vfe_param_prefix(a->name, "vfio_pci."))
		return 0;
	if (in(a->name, filtered_lists, ELEMENTSOF(filtered_lists))) {
		_cleanup_free_ char *rest = filter_list(a->val);
		if (rest && *rest)
			vfe_kcmdline_put(sb, a->name, rest);
		return 0;
	}
	vfe_kcmdline_put(sb, a->name, a->val);
	return 0;
}

int vfe_recovery_cmdline(const char *options, char **ret)
{
	_cleanup_free_ char *init = NULL;
	struct strbuf sb = { 0 };
	int k;

	sb_puts(&sb, "");
	k = vfe_kcmdline_each(options, add_param, &sb, &init);
	vfe_kcmdline_put(&sb, VFE_RECOVERY_PARAM, NULL);
	if (init) /* init's arguments follow: keep them after ours */
		sb_printf(&sb, " --%s%s", *init ? " " : "", init);
	*ret = sb_steal(&sb);
	if (k < 0 || !*ret)
		return free(*ret), *ret = NULL, k < 0 ? k : -ENOMEM;
	return 0;
}
