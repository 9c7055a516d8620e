// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early add: the items' entries into the config files, validated, atomically, the previous file kept. */
#include <stdio.h>

#include "cli/add.h"
#include "common/atomic.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/config-edit.h"

/* FILE:LINE of an entry's source into its parts; false when it is not a file's. */
static bool source_line(const struct vfe_entry *e, char *file, size_t n, unsigned *line)
{
	const char *colon = strrchr(e->source, ':');

	if (!colon || e->source[0] != '/' || sscanf(colon + 1, "%u", line) != 1)
		return false;
	snprintf(file, n, "%.*s", (int)(colon - e->source - 1), e->source + 1);
	return true;
}

/* Applies this call's changes to one file's text (rel has no leading '/'); the new text in *ret. */
static int edit_text(struct add_ctx *c, const char *rel, const char *text, size_t len, char **ret)
{
	_cleanup_free_ char *cur = text ? strndup(text, len) : NULL;
	int k = 0;

	if (text && !cur)
		return -ENOMEM;
	for (size_t i = 0; i < c->n && k >= 0; i++) {
		struct add_item *it = &c->items[i];
		_cleanup_free_ char *line = NULL, *next = NULL;
		char file[PATH_MAX], comment[512], name[400];
		unsigned no;
		if (!it->write)
			continue;
		line = vfe_entry_format(&it->e);
		if (!line)
			return -ENOMEM;
		if (it->old) {
			if (!source_line(it->old, file, sizeof(file), &no) || !streq(file, rel))
				continue;
			k = vfe_config_replace(cur, no, line, &next);
		} else if (streq(rel, PATH_CONFIG)) {
			vfe_names_lspci(c->nm, it->d, name, sizeof(name));
			snprintf(comment, sizeof(comment), "%s: %s %s", &VFE_CONFIG_ADD_COMMENT[2], it->d->name, name);
			k = vfe_config_append(cur, cur ? strlen(cur) : 0, comment, line, &next);
		} else
			continue;
		if (k >= 0)
			free(cur), cur = TAKE_PTR(next);
	}
	if (k < 0)
		return k;
	*ret = TAKE_PTR(cur);
	return 0;
}

static bool file_has_changes(const struct add_ctx *c, const char *rel)
{
	char file[PATH_MAX];
	unsigned no;

	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		if (it->write && (it->old ? source_line(it->old, file, sizeof(file), &no) && streq(file, rel)
					  : streq(rel, PATH_CONFIG)))
			return true;
	}
	return false;
}

static void print_changes(const struct add_ctx *c, const char *rel)
{
	char file[PATH_MAX];
	unsigned no;

	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		_cleanup_free_ char *line = it->write ? vfe_entry_format(&it->e) : NULL;
		if (!line)
			continue;
		if (it->old && source_line(it->old, file, sizeof(file), &no) && streq(file, rel))
			printf("%s /%s:%u: %s\n", c->cli->dry_run ? "Would change" : "Changed", rel, no, line);
		else if (!it->old && streq(rel, PATH_CONFIG))
			printf("%s /%s: %s\n", c->cli->dry_run ? "Would add to" : "Added to", rel, line);
	}
}

/* Writes one file's changes, validated and atomically, keeping the old file as .bak. */
static int write_file(struct add_ctx *c, const char *rel)
{
	_cleanup_free_ char *old = NULL, *new = NULL;
	int k = vfe_read_file(&c->cli->root, rel, VFE_CONFIG_MAX_SIZE, &old);

	if (k < 0 && k != -ENOENT)
		return log_error_errno(k, "cannot read /%s: %m; nothing changed", rel);
	if (k >= 0 && strlen(old) != (size_t)k)
		return log_error_errno(-EBADMSG, "/%s contains a NUL byte (binary file?): fix or remove it; nothing written",
				       rel);
	k = edit_text(c, rel, k < 0 ? NULL : old, k < 0 ? 0 : (size_t)k, &new);
	if (k == -EINVAL || k == -ENOENT)
		return log_error_errno(-EINVAL, "/%s would not parse after the change (or changed meanwhile); nothing "
				       "written", rel);
	if (k < 0)
		return log_error_errno(k, "out of memory");
	if (!c->cli->dry_run) {
		k = vfe_write_file_atomic(&c->cli->root, rel, new, strlen(new), 0644, VFE_ATOMIC_KEEP_BACKUP);
		if (k < 0)
			return log_error_errno(k, "cannot write /%s: %m; nothing changed", rel);
	}
	print_changes(c, rel);
	return 0;
}

int add_write(struct add_ctx *c)
{
	int k = 0;

	/* the drop-ins an entry was changed in first, the main file (new entries) last */
	for (size_t i = 0; i < c->cfg.files.n && k >= 0; i++)
		if (!streq(c->cfg.files.v[i] + 1, PATH_CONFIG) && file_has_changes(c, c->cfg.files.v[i] + 1))
			k = write_file(c, c->cfg.files.v[i] + 1);
	if (k >= 0 && file_has_changes(c, PATH_CONFIG))
		k = write_file(c, PATH_CONFIG);
	return k;
}
