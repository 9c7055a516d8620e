// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading a kernel command line: splitting, names, lookup, the passthrough switch (see kcmdline.h). */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "common/kcmdline.h"
#include "common/paths.h"

#define KCMDLINE_MAX (64 * 1024)

char *vfe_kcmdline_next_arg(char *args, char **param, char **val)
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

char *vfe_kcmdline_strip(char *buf)
{
	for (size_t l = strlen(buf); l > 0 && isspace((unsigned char)buf[l - 1]); l--)
		buf[l - 1] = '\0';
	while (isspace((unsigned char)*buf))
		buf++;
	return buf;
}

static char dash_to_underscore(char c)
{
	return c == '-' ? '_' : c;
}

bool vfe_param_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = dash_to_underscore(*a), y = dash_to_underscore(*b);
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

const char *vfe_param_prefix(const char *name, const char *prefix)
{
	for (; *prefix; name++, prefix++)
		if (dash_to_underscore(*name) != dash_to_underscore(*prefix))
			return NULL;
	return name;
}

/*
 * The one loop over a command line. Works on a copy (next_arg writes into
 * it) whose offsets match the original, so each parameter is also handed
 * out as written. With stop, a bare "--" ends it and init's part is kept.
 */
static int each_word(const char *cmdline, bool stop, int (*fn)(const struct vfe_karg *a, void *userdata),
		     void *userdata, char **ret_init)
{
	const char *orig = cmdline ? cmdline : "";
	_cleanup_free_ char *buf = strdup(orig);
	char *args, *name, *val;
	int k;

	if (ret_init)
		*ret_init = NULL;
	if (!buf)
		return -ENOMEM;
	(void)vfe_kcmdline_strip(buf); /* the trailing blanks only: offsets stay */
	for (args = buf; isspace((unsigned char)*args); args++)
		;
	while (*args) {
		size_t off = (size_t)(args - buf), end;
		char *next = vfe_kcmdline_next_arg(args, &name, &val);
		if (stop && !val && streq(name, "--")) {
			if (ret_init && !(*ret_init = strdup(next)))
				return -ENOMEM;
			return 0;
		}
		for (end = (size_t)(next - buf); end > off && isspace((unsigned char)orig[end - 1]); end--)
			;
		k = fn(&(struct vfe_karg){ name, val, orig + off, end - off }, userdata);
		if (k < 0)
			return k;
		args = next;
	}
	return 0;
}

int vfe_kcmdline_each(const char *cmdline, int (*fn)(const struct vfe_karg *a, void *userdata), void *userdata,
		      char **ret_init)
{
	return each_word(cmdline, true, fn, userdata, ret_init);
}

static int push_text(const struct vfe_karg *a, void *userdata)
{
	_cleanup_free_ char *w = strndup(a->text, a->len);

	return w ? strv_push(userdata, w) : -ENOMEM;
}

int vfe_kcmdline_words(const char *cmdline, struct strv *ret)
{
	return each_word(cmdline, false, push_text, ret, NULL);
}

struct lookup {
	const char *name;
	char *found;
};

static int lookup_one(const struct vfe_karg *a, void *userdata)
{
	struct lookup *l = userdata;

	if (!vfe_param_eq(a->name, l->name))
		return 0;
	free(l->found);
	l->found = strdup(a->val ? a->val : "");
	return l->found ? 0 : -ENOMEM;
}

int vfe_kcmdline_get(const char *cmdline, const char *name, char **ret)
{
	struct lookup l = { name, NULL };
	int k = vfe_kcmdline_each(cmdline, lookup_one, &l, NULL);

	if (k < 0) {
		free(l.found);
		return k;
	}
	*ret = l.found;
	return l.found ? 1 : 0;
}

int vfe_kcmdline_bool(const char *v, bool *ret_on)
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

int vfe_kcmdline_read(const struct vfe_root *r, char **ret)
{
	int k = vfe_read_file(r, PATH_CMDLINE, KCMDLINE_MAX, ret);

	return k < 0 ? k : 0;
}

const char *vfe_kcmdline_ours(const char *name)
{
	const char *rest;

	if (startswith(name, "rd."))
		name += 3;
	rest = vfe_param_prefix(name, "vfio_early");
	return rest && (!*rest || *rest == '.') ? rest : NULL;
}

enum vfe_kswitch vfe_kcmdline_switch(const char *name, const char *val)
{
	const char *rest = vfe_kcmdline_ours(name);
	bool on;

	if (!rest || *rest)
		return VFE_KSWITCH_NONE;
	if (!val || vfe_kcmdline_bool(val, &on) < 0)
		return VFE_KSWITCH_BAD;
	return on ? VFE_KSWITCH_ON : VFE_KSWITCH_OFF;
}

struct off_state {
	bool off;
	char *reason;
	size_t n;
};

static int off_one(const struct vfe_karg *a, void *userdata)
{
	struct off_state *s = userdata;

	switch (vfe_kcmdline_switch(a->name, a->val)) {
	case VFE_KSWITCH_OFF:
		s->off = true;
		if (s->reason)
			snprintf(s->reason, s->n, "%s=%s", a->name, a->val);
		break;
	case VFE_KSWITCH_ON:
		s->off = false;
		break;
	default:
		break;
	}
	return 0;
}

bool vfe_kcmdline_passthrough_off(const char *cmdline, char *reason, size_t n)
{
	struct off_state s = { false, n ? reason : NULL, n };

	if (s.reason)
		s.reason[0] = '\0';
	/* out of memory: an answer must still come; passthrough is the default */
	if (vfe_kcmdline_each(cmdline, off_one, &s, NULL) < 0)
		return false;
	if (!s.off && s.reason)
		s.reason[0] = '\0';
	return s.off;
}

bool vfe_kcmdline_booted_off(const struct vfe_root *r, char *reason, size_t n)
{
	_cleanup_free_ char *text = NULL;

	if (vfe_kcmdline_read(r, &text) < 0) {
		if (reason && n)
			reason[0] = '\0';
		return false;
	}
	return vfe_kcmdline_passthrough_off(text, reason, n);
}
