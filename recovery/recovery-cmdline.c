// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>

#include "common/macro.h"
#include "common/strbuf.h"
#include "early/cmdline.h"
#include "recovery/recovery-cmdline.h"

/* Parameters dropped whole, whatever their value. */
static const char *const dropped[] = {
	"vfio_pci.ids", "vfio_pci.disable_vga", "vfio_early", "vfio_early.devices", "rd.vfio_early",
	"rd.vfio_early.devices", "initcall_blacklist",
};

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

static bool needs_quotes(const char *v)
{
	for (; *v; v++)
		if (isspace((unsigned char)*v))
			return true;
	return false;
}

static void put_param(struct strbuf *sb, const char *param, const char *val)
{
	if (sb->len)
		sb_putc(sb, ' ');
	sb_puts(sb, param);
	if (!val)
		return;
	sb_printf(sb, needs_quotes(val) ? "=\"%s\"" : "=%s", val);
}

static void add_param(struct strbuf *sb, const char *param, const char *val)
{
	const char *name = param;

	if (in(name, dropped, ELEMENTSOF(dropped)) || is_fb_off(param, val))
		return;
	if (!strncmp(name, "vfio_pci.", 9) || !strncmp(name, "vfio-pci.", 9) || !strncmp(name, "vfio_early.", 11) ||
	    !strncmp(name, "vfio-early.", 11))
		return; /* every module option of vfio-pci, every vfio_early.* parameter */
	if (in(name, filtered_lists, ELEMENTSOF(filtered_lists))) {
		_cleanup_free_ char *rest = filter_list(val);
		if (rest && *rest)
			put_param(sb, param, rest);
		return;
	}
	put_param(sb, param, val);
}

int vfe_recovery_cmdline(const char *options, char **ret)
{
	_cleanup_free_ char *buf = strdup(options ? options : "");
	struct strbuf sb = { 0 };
	char *args, *param, *val;

	if (!buf)
		return -ENOMEM;
	args = vfe_cmdline_strip(buf);
	sb_puts(&sb, "");
	while (*args) {
		args = vfe_cmdline_next_arg(args, &param, &val);
		if (streq(param, "--") && !val) {
			/* init's arguments follow: keep them after ours */
			put_param(&sb, VFE_RECOVERY_PARAM, NULL);
			sb_printf(&sb, " --%s%s", *args ? " " : "", args);
			goto out;
		}
		add_param(&sb, param, val);
	}
	put_param(&sb, VFE_RECOVERY_PARAM, NULL);
out:
	*ret = sb_steal(&sb);
	return *ret ? 0 : -ENOMEM;
}
