// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <stdio.h>

#include "common/paths.h"
#include "common/strbuf.h"
#include "common/words.h"
#include "early/config.h"

static int push_entry(struct vfe_config *c, const struct vfe_entry *e)
{
	struct vfe_entry *n = realloc(c->entries, (c->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	c->entries = n;
	c->entries[c->n++] = *e;
	return 0;
}

/* A bare word: an address or a vendor:device id. */
static const char *parse_bare(struct vfe_entry *e, const char *w)
{
	if (vfe_parse_pci_addr(w, &e->addr) == 0) {
		if (e->has_addr)
			return "two addresses in one entry";
		e->has_addr = true;
		return NULL;
	}
	if (vfe_parse_pci_id(w, &e->id) == 0) {
		if (e->has_id)
			return "two ids in one entry";
		e->has_id = true;
		return NULL;
	}
	if (streq(w, "allow-boot-vga"))
		return e->allow_boot_vga = true, NULL;
	if (streq(w, "allow-storage"))
		return e->allow_storage = true, NULL;
	return "unknown word (expected an address like 0000:05:00.0, an id like 10de:2684, "
	       "key=value, allow-boot-vga or allow-storage)";
}

/* "0000:05:00.0/10de:2684,0000:05:00.1/10de:22ba" */
static const char *parse_members(struct vfe_entry *e, const char *v)
{
	char buf[VFE_MEMBERS_MAX * 32], *save = NULL;

	if (e->n_members)
		return "two members= in one entry";
	if (strlen(v) >= sizeof(buf))
		return "too many members (at most 32)";
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *m = strtok_r(buf, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		struct vfe_member *mb = &e->members[e->n_members];
		char *slash = strchr(m, '/');
		if (e->n_members == VFE_MEMBERS_MAX)
			return "too many members (at most 32)";
		if (!slash)
			return "bad members (expected ADDRESS/VENDOR:DEVICE,...)";
		*slash = '\0';
		if (vfe_parse_pci_addr(m, &mb->addr) < 0 || vfe_parse_pci_id(slash + 1, &mb->id) < 0)
			return "bad members (expected ADDRESS/VENDOR:DEVICE,...)";
		if (vfe_entry_member(e, &mb->addr))
			return "a member listed twice";
		e->n_members++;
	}
	return e->n_members ? NULL : "empty members=";
}

static const char *parse_keyed(struct vfe_entry *e, const char *k, const char *v)
{
	if (streq(k, "address")) {
		if (e->has_addr)
			return "two addresses in one entry";
		if (vfe_parse_pci_addr(v, &e->addr) < 0)
			return "bad address (expected DDDD:BB:DD.F or BB:DD.F, hex)";
		e->has_addr = true;
	} else if (streq(k, "id")) {
		if (e->has_id)
			return "two ids in one entry";
		if (vfe_parse_pci_id(v, &e->id) < 0)
			return "bad id (expected vendor:device, four hex digits each)";
		e->has_id = true;
	} else if (streq(k, "subsystem")) {
		if (e->has_subsys)
			return "two subsystem ids in one entry";
		if (vfe_parse_pci_id(v, &e->subsys) < 0)
			return "bad subsystem (expected vendor:device, four hex digits each)";
		e->has_subsys = true;
	} else if (streq(k, "group")) {
		if (streq(v, "whole"))
			e->group = VFE_GROUP_WHOLE;
		else if (streq(v, "function"))
			e->group = VFE_GROUP_FUNCTION;
		else
			return "bad group (expected group=whole or group=function)";
	} else if (streq(k, "members")) {
		return parse_members(e, v);
	} else {
		return "unknown key (known: address, id, subsystem, group, members)";
	}
	return NULL;
}

static const char *parse_device(struct vfe_entry *e, struct vfe_word *w, int n)
{
	const char *err;

	for (int i = 1; i < n; i++) {
		err = w[i].value ? parse_keyed(e, w[i].key, w[i].value) : parse_bare(e, w[i].key);
		if (err)
			return err;
	}
	if (!e->has_addr && !e->has_id)
		return "a device needs an address, an id, or both";
	if (e->n_members && e->group != VFE_GROUP_WHOLE)
		return "members= pins a group=whole entry; add group=whole or drop members=";
	return NULL;
}

/* "fallback N" or "fallback off"; the last line read counts. */
static const char *parse_fallback(struct vfe_config *c, struct vfe_word *w, int n)
{
	char *end;
	unsigned long v;

	if (n != 2 || w[1].value)
		return "fallback takes one value: a number of boots (1-9) or off";
	if (streq(w[1].key, "off")) {
		c->fallback_set = true, c->fallback = 0;
		return NULL;
	}
	errno = 0;
	v = strtoul(w[1].key, &end, 10);
	if (errno || *end || end == w[1].key || v < 1 || v > VFE_FALLBACK_MAX)
		return "bad fallback value (expected a number of boots from 1 to 9, or off)";
	c->fallback_set = true, c->fallback = (unsigned)v;
	return NULL;
}

unsigned vfe_config_fallback(const struct vfe_config *c)
{
	return c->fallback_set ? c->fallback : VFE_FALLBACK_DEFAULT;
}

static int parse_line(struct vfe_config *c, const char *name, unsigned lineno, char *line)
{
	struct vfe_word w[VFE_WORDS_MAX];
	struct vfe_entry e = { 0 };
	const char *err = NULL;
	int n;

	n = vfe_split_words(line, w, ELEMENTSOF(w), &err);
	if (n == 0)
		return 0;
	if (n > 0 && !w[0].value && streq(w[0].key, "fallback")) {
		err = parse_fallback(c, w, n);
		return err ? strv_pushf(&c->problems, "%s:%u: %s; line skipped", name, lineno, err) : 0;
	}
	if (n > 0 && (w[0].value || !streq(w[0].key, "device")))
		err = "unknown directive (lines start with \"device\" or \"fallback\")";
	else if (n > 0)
		err = parse_device(&e, w, n);
	if (err)
		return strv_pushf(&c->problems, "%s:%u: %s; line skipped", name, lineno, err);
	snprintf(e.source, sizeof(e.source), "%s:%u", name, lineno);
	return push_entry(c, &e);
}

int vfe_config_parse(struct vfe_config *c, const char *name, char *text)
{
	unsigned lineno = 0;
	char *line = text;
	int r;

	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (strlen(line) > 4096)
			r = strv_pushf(&c->problems, "%s:%u: line longer than 4096 bytes; skipped", name, lineno);
		else
			r = parse_line(c, name, lineno, line);
		if (r < 0)
			return r;
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static int load_file(struct vfe_config *c, const struct vfe_root *r, const char *rel, bool optional)
{
	_cleanup_free_ char *text = NULL, *name = NULL;
	int l;

	if (asprintf(&name, "/%s", rel) < 0)
		return -ENOMEM;
	l = vfe_read_file(r, rel, VFE_CONFIG_MAX_SIZE, &text);
	if (l == -ENOENT && optional)
		return 0;
	if (l == -EFBIG)
		return strv_pushf(&c->problems, "%s: larger than %d bytes; file skipped", name, VFE_CONFIG_MAX_SIZE);
	if (l < 0)
		return strv_pushf(&c->problems, "%s: cannot read: %s; file skipped", name, strerror(-l));
	if (strlen(text) != (size_t)l)
		return strv_pushf(&c->problems, "%s: contains a NUL byte (binary file?); file skipped", name);
	if (strv_push(&c->files, name) < 0)
		return -ENOMEM;
	return vfe_config_parse(c, name, text);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dropins(const struct vfe_root *r, struct strv *ret)
{
	DIR *d = vfe_opendir(r, PATH_CONFIG_DIR);
	struct dirent *de;
	int k = 0;

	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".conf"))
			continue;
		k = strv_pushf(ret, "%s/%s", PATH_CONFIG_DIR, de->d_name);
		if (k < 0)
			break;
	}
	closedir(d);
	if (ret->n)
		qsort(ret->v, ret->n, sizeof(char *), cmp_str);
	return k;
}

int vfe_config_load(struct vfe_config *c, const struct vfe_root *r)
{
	struct strv dropins = { 0 };
	int k;

	k = load_file(c, r, PATH_CONFIG, true);
	if (k < 0)
		return k;
	k = list_dropins(r, &dropins);
	if (k < 0 && k != -ENOMEM)
		k = strv_pushf(&c->problems, "/%s: cannot list: %s", PATH_CONFIG_DIR, strerror(-k));
	for (size_t i = 0; k >= 0 && i < dropins.n; i++)
		k = load_file(c, r, dropins.v[i], false);
	strv_free(&dropins);
	return k < 0 ? k : 0;
}

int vfe_config_add_match(struct vfe_config *c, const char *match, const char *source)
{
	struct vfe_entry e = { 0 };

	if (vfe_parse_pci_addr(match, &e.addr) == 0)
		e.has_addr = true;
	else if (vfe_parse_pci_id(match, &e.id) == 0)
		e.has_id = true;
	else
		return strv_pushf(&c->problems, "%s: \"%s\" is neither a PCI address (0000:05:00.0) nor an id "
				  "(10de:2684); ignored", source, match);
	snprintf(e.source, sizeof(e.source), "%s", source);
	return push_entry(c, &e);
}

const struct vfe_member *vfe_entry_member(const struct vfe_entry *e, const struct vfe_pci_addr *a)
{
	for (unsigned i = 0; i < e->n_members; i++)
		if (vfe_pci_addr_eq(&e->members[i].addr, a))
			return &e->members[i];
	return NULL;
}

char *vfe_entry_format(const struct vfe_entry *e)
{
	struct strbuf sb = { 0 };
	char a[VFE_ADDR_STRLEN], i[VFE_ID_STRLEN];

	sb_puts(&sb, "device");
	if (e->has_addr) {
		vfe_format_pci_addr(&e->addr, a);
		sb_printf(&sb, " %s", a);
	}
	if (e->has_id) {
		vfe_format_pci_id(&e->id, i);
		sb_printf(&sb, " id=%s", i);
	}
	if (e->has_subsys) {
		vfe_format_pci_id(&e->subsys, i);
		sb_printf(&sb, " subsystem=%s", i);
	}
	if (e->group == VFE_GROUP_WHOLE)
		sb_puts(&sb, " group=whole");
	for (unsigned m = 0; m < e->n_members; m++) {
		vfe_format_pci_addr(&e->members[m].addr, a);
		vfe_format_pci_id(&e->members[m].id, i);
		sb_printf(&sb, "%s%s/%s", m ? "," : " members=", a, i);
	}
	if (e->allow_boot_vga)
		sb_puts(&sb, " allow-boot-vga");
	if (e->allow_storage)
		sb_puts(&sb, " allow-storage");
	return sb_steal(&sb);
}

void vfe_config_free(struct vfe_config *c)
{
	free(c->entries);
	strv_free(&c->problems);
	strv_free(&c->files);
	*c = (struct vfe_config){ 0 };
}
