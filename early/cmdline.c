// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>

#include "common/macro.h"
#include "early/cmdline.h"

char *vfe_cmdline_next_arg(char *args, char **param, char **val)
{
	size_t i, equals = 0;
	bool in_quote = false, quoted = false;

	if (*args == '"') {
		args++;
		in_quote = quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (isspace((unsigned char)args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		args += i + 1;
	} else {
		args += i;
	}
	while (isspace((unsigned char)*args))
		args++;
	return args;
}

char *vfe_cmdline_strip(char *buf)
{
	for (size_t l = strlen(buf); l > 0 && isspace((unsigned char)buf[l - 1]); l--)
		buf[l - 1] = '\0';
	while (isspace((unsigned char)*buf))
		buf++;
	return buf;
}

bool vfe_param_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

static int parse_switch(const char *v, bool *ret_on)
{
	static const char *const off[] = { "off", "0", "no", "n", "false", "disable", "disabled" };
	static const char *const on[] = { "on", "1", "yes", "y", "true", "enable", "enabled" };

	for (size_t i = 0; i < ELEMENTSOF(off); i++)
		if (strcasecmp(v, off[i]) == 0)
			return *ret_on = false, 0;
	for (size_t i = 0; i < ELEMENTSOF(on); i++)
		if (strcasecmp(v, on[i]) == 0)
			return *ret_on = true, 0;
	return -EINVAL;
}

static int set_off(struct vfe_cmdline *c, const char *param, const char *val)
{
	bool on;

	if (!val || parse_switch(val, &on) < 0)
		return strv_pushf(&c->problems, "kernel command line: %s=%s: expected on or off; passthrough stays on",
				  param, val ? val : "");
	c->off = !on;
	free(c->off_reason);
	c->off_reason = NULL;
	if (!on && asprintf(&c->off_reason, "%s=%s", param, val) < 0)
		return -ENOMEM;
	return 0;
}

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

static int handle_param(struct vfe_cmdline *c, const char *param, const char *val)
{
	const char *name = param, *sub;
	bool on;

	if (startswith(name, "rd."))
		name += 3;
	if (vfe_param_eq(name, "vfio_early"))
		return set_off(c, param, val);
	if (vfe_param_eq(param, "vfio_pci.ids")) {
		free(c->vfio_pci_ids);
		c->vfio_pci_ids = strdup(val ? val : "");
		return c->vfio_pci_ids ? 0 : -ENOMEM;
	}
	if (strncmp(name, "vfio_early.", 11) != 0 && strncmp(name, "vfio-early.", 11) != 0)
		return 0;
	sub = name + 11;
	if (vfe_param_eq(sub, "devices"))
		return add_devices(c, val);
	if (vfe_param_eq(sub, "debug")) {
		if (val && parse_switch(val, &on) < 0)
			return strv_pushf(&c->problems, "kernel command line: %s=%s: expected on or off", param, val);
		c->debug = val ? on : true;
		return 0;
	}
	return strv_pushf(&c->problems, "kernel command line: unknown parameter %s (known: vfio_early=off, "
			  "vfio_early.devices=, vfio_early.debug)", param);
}

int vfe_cmdline_parse(const char *text, struct vfe_cmdline *ret)
{
	_cleanup_free_ char *buf = strdup(text);
	char *args, *param, *val;
	int r;

	*ret = (struct vfe_cmdline){ 0 };
	if (!buf)
		return -ENOMEM;
	args = vfe_cmdline_strip(buf);
	while (*args) {
		args = vfe_cmdline_next_arg(args, &param, &val);
		if (streq(param, "--") && !val)
			break; /* the rest belongs to init */
		r = handle_param(ret, param, val);
		if (r < 0) {
			vfe_cmdline_free(ret);
			return r;
		}
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
