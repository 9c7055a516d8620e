// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "common/strbuf.h"
#include "early/config-edit.h"

#define CONFIG_HEADER "# vfio-early: devices to bind to vfio-pci at boot; see vfio-early.conf(5)\n"

/* Parses a copy of text (the parser writes into it). */
static int parse_copy(const char *name, const char *text, struct vfe_config *ret)
{
	_cleanup_free_ char *copy = strdup(text);

	*ret = (struct vfe_config){ 0 };
	return copy ? vfe_config_parse(ret, name, copy) : -ENOMEM;
}

/* The edit adds exactly one entry and no problem. */
static int check_one_more(const char *old, const char *new)
{
	struct vfe_config before, after;
	int k = parse_copy("config", old, &before);

	if (k >= 0)
		k = parse_copy("config", new, &after);
	if (k >= 0 && (after.problems.n > before.problems.n || after.n != before.n + 1))
		k = -EINVAL;
	vfe_config_free(&before);
	vfe_config_free(&after);
	return k;
}

int vfe_config_append(const char *text, size_t len, const char *comment, const char *line, char **ret)
{
	const char *old = text ? text : CONFIG_HEADER;
	struct strbuf sb = { 0 };
	int k;

	if (text && strlen(text) != len)
		return -EBADMSG;
	sb_puts(&sb, old);
	if (sb.len && sb.s[sb.len - 1] != '\n')
		sb_putc(&sb, '\n');
	sb_printf(&sb, "# %s\n%s\n", comment, line);
	if (sb.oom) {
		sb_free(&sb);
		return -ENOMEM;
	}
	k = check_one_more(old, sb.s);
	if (k < 0) {
		sb_free(&sb);
		return k;
	}
	*ret = sb_steal(&sb);
	return 0;
}

/* The edit keeps the number of entries and adds no problem. */
static int check_as_many(const char *old, const char *new)
{
	struct vfe_config before, after;
	int k = parse_copy("config", old, &before);

	if (k >= 0)
		k = parse_copy("config", new, &after);
	if (k >= 0 && (after.problems.n > before.problems.n || after.n != before.n))
		k = -EINVAL;
	vfe_config_free(&before);
	vfe_config_free(&after);
	return k;
}

int vfe_config_replace(const char *text, unsigned line_no, const char *line, char **ret)
{
	struct strbuf sb = { 0 };
	const char *p = text;
	unsigned n = 1;
	int k;

	for (; *p && n < line_no; p++)
		n += *p == '\n';
	if (!*p || line_no == 0)
		return -ENOENT;
	sb_putn(&sb, text, (size_t)(p - text));
	sb_puts(&sb, line);
	p += strcspn(p, "\n");
	sb_puts(&sb, *p ? p : "\n");
	if (sb.oom) {
		sb_free(&sb);
		return -ENOMEM;
	}
	k = check_as_many(text, sb.s);
	if (k < 0) {
		sb_free(&sb);
		return k;
	}
	*ret = sb_steal(&sb);
	return 0;
}

bool vfe_entry_names_spec(const struct vfe_entry *e, const char *spec)
{
	struct vfe_pci_addr a;
	struct vfe_pci_id id;

	if (vfe_parse_pci_addr(spec, &a) == 0)
		return e->has_addr && vfe_pci_addr_eq(&e->addr, &a);
	if (vfe_parse_pci_id(spec, &id) == 0)
		return e->has_id && e->id.vendor == id.vendor && e->id.device == id.device;
	return false;
}

/* Is this one line an entry naming spec? */
static bool line_names(const char *name, const char *line, const char *spec)
{
	struct vfe_config one;
	bool yes = parse_copy(name, line, &one) >= 0 && one.n == 1 && vfe_entry_names_spec(&one.entries[0], spec);

	vfe_config_free(&one);
	return yes;
}

static void put_line(struct strbuf *sb, const char *line)
{
	sb_puts(sb, line);
	sb_putc(sb, '\n');
}

int vfe_config_remove(const char *text, const char *name, const char *spec, char **ret, struct strv *removed)
{
	_cleanup_free_ char *copy = strdup(text);
	const char *pending = NULL; /* an `add` comment, held until we know its entry stays */
	struct strbuf out = { 0 };
	char *line, *next;
	int n = 0, k = 0;

	if (!copy)
		return -ENOMEM;
	sb_puts(&out, "");
	for (line = copy; line && k >= 0; line = next) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		next = nl ? nl + 1 : NULL;
		if (!nl && !*line)
			break;
		if (startswith(line, VFE_CONFIG_ADD_COMMENT)) {
			if (pending)
				put_line(&out, pending);
			pending = line;
			continue;
		}
		if (!line_names(name, line, spec)) {
			if (pending)
				put_line(&out, pending);
			put_line(&out, line);
		} else if ((k = strv_push(removed, line)) >= 0)
			n++;
		pending = NULL;
	}
	if (pending)
		put_line(&out, pending);
	if (k < 0 || out.oom) {
		sb_free(&out);
		return k < 0 ? k : -ENOMEM;
	}
	*ret = sb_steal(&out);
	return n;
}

/* Is this one line a "fallback" directive? */
static bool is_fallback_line(const char *line)
{
	struct vfe_config one;
	bool yes = parse_copy("config", line, &one) >= 0 && one.fallback_set && one.n == 0;

	/* a bad value is a problem, not a setting: it is dropped all the same */
	if (!yes && one.problems.n && one.n == 0) {
		const char *p = line + strspn(line, " \t");
		yes = startswith(p, "fallback") && (p[8] == ' ' || p[8] == '\t' || !p[8]);
	}
	vfe_config_free(&one);
	return yes;
}

/* The result keeps every entry and has the setting asked for. */
static int check_fallback(const char *old, const char *new, const char *value)
{
	struct vfe_config before, after;
	int k = parse_copy("config", old, &before);

	if (k >= 0)
		k = parse_copy("config", new, &after);
	if (k >= 0 && (after.n != before.n || !after.fallback_set ||
		       after.fallback != (streq(value, "off") ? 0u : (unsigned)atoi(value))))
		k = -EINVAL;
	vfe_config_free(&before);
	vfe_config_free(&after);
	return k;
}

int vfe_config_set_fallback(const char *text, size_t len, const char *value, char **ret)
{
	_cleanup_free_ char *copy = strdup(text ? text : CONFIG_HEADER);
	struct strbuf out = { 0 };
	char *line, *next;
	int k;

	if (!copy)
		return -ENOMEM;
	if (text && strlen(text) != len)
		return -EBADMSG;
	for (line = copy; line; line = next) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		next = nl ? nl + 1 : NULL;
		if ((!nl && !*line) || streq(line, VFE_CONFIG_FALLBACK_COMMENT) || is_fallback_line(line))
			continue;
		put_line(&out, line);
	}
	sb_printf(&out, "%s\nfallback %s\n", VFE_CONFIG_FALLBACK_COMMENT, value);
	if (out.oom) {
		sb_free(&out);
		return -ENOMEM;
	}
	k = check_fallback(text ? text : CONFIG_HEADER, out.s, value);
	if (k < 0) {
		sb_free(&out);
		return k;
	}
	*ret = sb_steal(&out);
	return 0;
}
