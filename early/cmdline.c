// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "common/macro.h"
#include "early/cmdline.h"

static int add_devices(struct vfe_cmdline *c, const char *val)
{
	_cleanup_free_ char *copy = strdup(val ? val : "");
	char *save = NULL;
	int r;

	if (!copy)
		return -ENOMEM;
	if (!val || !*val)
		return strv_push(&c->problems, "kernel command line: vfio_early.devices= is empty");
	for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		r = vfe_config_add_match(&c->extra, m, "kernel command line");
		if (r < 0)
			return r;
	}
	return 0;
}

/* The switch decides through vfe_kcmdline_passthrough_off(); here only a bad value is reported. */
static int check_switch(struct vfe_cmdline *c, const struct vfe_karg *a)
{
	if (vfe_kcmdline_switch(a->name, a->val) != VFE_KSWITCH_BAD)
		return 0;
	return strv_pushf(&c->problems, "kernel command line: %s=%s: expected on or off; passthrough stays on", a->name,
			  a->val ? a->val : "");
}

static int handle_param(const struct vfe_karg *a, void *userdata)
{
	struct vfe_cmdline *c = userdata;
	const char *ours = vfe_kcmdline_ours(a->name), *sub;
	bool on;

	if (vfe_param_eq(a->name, "vfio_pci.ids")) {
		free(c->vfio_pci_ids);
		c->vfio_pci_ids = strdup(a->val ? a->val : "");
		return c->vfio_pci_ids ? 0 : -ENOMEM;
	}
	if (!ours)
		return 0;
	if (!*ours)
		return check_switch(c, a);
	sub = ours + 1;
	if (vfe_param_eq(sub, "devices"))
		return add_devices(c, a->val);
	if (vfe_param_eq(sub, "debug")) {
		if (a->val && vfe_kcmdline_bool(a->val, &on) < 0)
			return strv_pushf(&c->problems, "kernel command line: %s=%s: expected on or off", a->name, a->val);
		c->debug = a->val ? on : true;
		return 0;
	}
	return strv_pushf(&c->problems, "kernel command line: unknown parameter %s (known: vfio_early=off, "
			  "vfio_early.devices=, vfio_early.debug)", a->name);
}

int vfe_cmdline_parse(const char *text, struct vfe_cmdline *ret)
{
	char reason[VFE_KSWITCH_REASON_MAX];
	int r;

	*ret = (struct vfe_cmdline){ 0 };
	ret->off = vfe_kcmdline_passthrough_off(text, reason, sizeof(reason));
	if (ret->off && !(ret->off_reason = strdup(reason)))
		return -ENOMEM;
	r = vfe_kcmdline_each(text, handle_param, ret, NULL);
	if (r < 0) {
		vfe_cmdline_free(ret);
		return r;
	}
	return 0;
}

void vfe_cmdline_free(struct vfe_cmdline *c)
{
	free(c->off_reason);
	free(c->vfio_pci_ids);
	vfe_config_free(&c->extra);
	strv_free(&c->problems);
	*c = (struct vfe_cmdline){ 0 };
}
