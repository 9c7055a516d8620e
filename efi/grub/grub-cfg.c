// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the menu entries out of a generated grub.cfg (see grub-cfg.h). */
#include <stdio.h>

#include "common/strbuf.h"
#include "efi/grub/grub.h"

#define MAX_DEPTH 8

/* The next word of a menuentry/submenu line: 'quoted', "quoted", \x and bare parts, as GRUB's lexer. */
static const char *next_arg(const char *p, struct strbuf *out)
{
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
		char q = *p;
		if (q == '\'' || q == '"') {
			for (p++; *p && *p != q; p++) {
				if (q == '"' && *p == '\\' && p[1])
					p++;
				sb_putc(out, *p);
			}
			if (*p)
				p++;
		} else {
			if (q == '\\' && p[1])
				p++;
			sb_putc(out, *p++);
		}
	}
	return p;
}

/* Where the parser is: the open blocks, each an entry/submenu (its id and index) or another block. */
struct cfg_state {
	char *ids[MAX_DEPTH];  /* NULL for a block that is not a menuentry or submenu */
	ssize_t entry[MAX_DEPTH]; /* index in c->e of that entry, -1 for other blocks */
	int depth;
};

/* Frees the ids of the blocks still open (the text ended inside them). */
static void cfg_state_free(struct cfg_state *st)
{
	while (st->depth > 0)
		free(st->ids[--st->depth]);
	*st = (struct cfg_state){ 0 };
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cfg_state, cfg_state_free);

static int add_entry(struct vfe_grub_cfg *c, const char *title, const char *id, bool submenu)
{
	struct vfe_grub_entry *ne = realloc(c->e, (c->n + 1) * sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	c->e = ne;
	ne[c->n] = (struct vfe_grub_entry){ .title = strdup(title), .id = strdup(id), .submenu = submenu };
	if (!ne[c->n].title || !ne[c->n].id) {
		free(ne[c->n].title);
		free(ne[c->n].id);
		return -ENOMEM;
	}
	ne[c->n].ours = startswith(id, GRUB_ID_RECOVERY) || strstr(id, ">" GRUB_ID_RECOVERY) ||
			startswith(id, GRUB_ID_SUBMENU);
	c->n++;
	return 0;
}

/* "menuentry 'Title' --class x $menuentry_id_option 'id' {": the title and the id. */
static int parse_entry_line(const char *p, struct strbuf *title, struct strbuf *id)
{
	_cleanup_(sb_freep) struct strbuf w = { 0 };
	bool want_id = false;

	p = next_arg(p, title);
	while (*p && *p != '{') {
		sb_free(&w);
		p = next_arg(p, &w);
		if (want_id && w.s) {
			sb_puts(id, w.s);
			want_id = false;
		}
		want_id = w.s && (streq(w.s, "$menuentry_id_option") || streq(w.s, "--id"));
		while (*p == ' ' || *p == '\t')
			p++;
	}
	return title->oom || id->oom ? -ENOMEM : 0;
}

static void push(struct cfg_state *st, char *id, ssize_t entry)
{
	if (st->depth >= MAX_DEPTH) {
		free(id);
		return;
	}
	st->ids[st->depth] = id;
	st->entry[st->depth++] = entry;
}

/* "linux /vmlinuz-... ARGS" inside an entry: the entry's kernel arguments (the first such line). */
static int linux_line(struct vfe_grub_cfg *c, struct cfg_state *st, const char *rest)
{
	for (int i = st->depth - 1; i >= 0; i--) {
		struct vfe_grub_entry *e;
		if (st->entry[i] < 0)
			continue;
		e = &c->e[st->entry[i]];
		if (e->linux_args)
			return 0;
		rest += strspn(rest, " \t");
		rest += strcspn(rest, " \t"); /* the kernel path */
		rest += strspn(rest, " \t");
		e->linux_args = strdup(rest);
		return e->linux_args ? 0 : -ENOMEM;
	}
	return 0;
}

static int handle_line(struct vfe_grub_cfg *c, const char *line, struct cfg_state *st)
{
	_cleanup_(sb_freep) struct strbuf title = { 0 }, id = { 0 }, path = { 0 };
	const char *rest;
	bool sub = false;
	int r;

	while (*line == ' ' || *line == '\t')
		line++;
	/* a hook commented out by hand does not run: it counts for nothing */
	if (*line == '#')
		return 0;
	if (strstr(line, GRUB_ENV_MENU))
		c->has_menu_hook = true;
	if (strstr(line, "save_env " GRUB_ENV_TRIES))
		c->has_count_hook = true;
	if (strstr(line, "set next_entry=\"${prev_entry}\""))
		c->has_initrdfail_hook = true;
	if (*line == '}') {
		if (st->depth > 0)
			free(st->ids[--st->depth]);
		return 0;
	}
	if ((rest = startswith(line, "linux")) && (*rest == ' ' || *rest == '\t'))
		return linux_line(c, st, rest);
	if (!(rest = startswith(line, "menuentry ")) && !(sub = !!(rest = startswith(line, "submenu ")))) {
		size_t l = strlen(line);
		while (l > 0 && (line[l - 1] == ' ' || line[l - 1] == '\t'))
			l--;
		/* another block ("function load_video {"): its '}' must not close a submenu */
		if (l > 0 && line[l - 1] == '{')
			push(st, NULL, -1);
		return 0;
	}
	r = parse_entry_line(rest, &title, &id);
	for (int i = 0; r >= 0 && i < st->depth; i++)
		if (st->ids[i])
			sb_printf(&path, "%s>", st->ids[i]);
	sb_puts(&path, id.s ? id.s : "");
	if (r >= 0)
		r = path.oom ? -ENOMEM : add_entry(c, title.s ? title.s : "", path.s ? path.s : "", sub);
	if (r >= 0 && strchr(rest, '{')) {
		/* an entry's own body ends with '}' too: push its id so the brace pops it */
		push(st, strdup(id.s ? id.s : ""), (ssize_t)c->n - 1);
	}
	return r;
}

int vfe_grub_cfg_parse(const char *text, struct vfe_grub_cfg *ret)
{
	_cleanup_(vfe_grub_cfg_freep) struct vfe_grub_cfg c = { 0 };
	_cleanup_(cfg_state_freep) struct cfg_state st = { .depth = 0 };
	_cleanup_free_ char *copy = strdup(text);
	char *line, *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); r >= 0 && line; line = strtok_r(NULL, "\n", &save))
		r = handle_line(&c, line, &st);
	if (r < 0)
		return r;
	*ret = TAKE_STRUCT(c);
	return 0;
}

int vfe_grub_cfg_load(const struct vfe_root *r, struct vfe_grub_cfg *ret)
{
	_cleanup_free_ char *text = NULL;
	int k = vfe_read_file(r, GRUB_PATH_CFG, 16 << 20, &text);

	return k < 0 ? k : vfe_grub_cfg_parse(text, ret);
}

const struct vfe_grub_entry *vfe_grub_cfg_find(const struct vfe_grub_cfg *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (streq(c->e[i].id, id))
			return &c->e[i];
	return NULL;
}

const struct vfe_grub_entry *vfe_grub_cfg_first_passthrough(const struct vfe_grub_cfg *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (!c->e[i].ours && !c->e[i].submenu && !strchr(c->e[i].id, '>'))
			return &c->e[i];
	return NULL;
}

void vfe_grub_cfg_free(struct vfe_grub_cfg *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].title);
		free(c->e[i].id);
		free(c->e[i].linux_args);
	}
	free(c->e);
	*c = (struct vfe_grub_cfg){ 0 };
}
