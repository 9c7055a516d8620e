// SPDX-License-Identifier: GPL-2.0-or-later
/* The GRUB environment block: our own parser and writer (see grubenv.h). */
#include <stdio.h>

#include "common/atomic.h"
#include "common/log.h"
#include "efi/grub/grub.h"

static int env_add(struct vfe_grubenv *env, char *name, char *value)
{
	char **nn = realloc(env->names, (env->n + 1) * sizeof(*nn));
	char **nv;

	if (nn)
		env->names = nn;
	nv = nn ? realloc(env->values, (env->n + 1) * sizeof(*nv)) : NULL;
	if (!nv) {
		free(name);
		free(value);
		return -ENOMEM;
	}
	env->values = nv;
	env->names[env->n] = name;
	env->values[env->n] = value;
	env->n++;
	return 0;
}

/* One "name=value" line from p (not past end); *next is after its newline. */
static int parse_line(const char *p, const char *end, struct vfe_grubenv *env, const char **next)
{
	const char *eq = memchr(p, '=', (size_t)(end - p));
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	char *name, *value, *v;

	if (!eq || (nl && nl < eq) || eq == p)
		return -EINVAL;
	name = strndup(p, (size_t)(eq - p));
	value = malloc((size_t)(end - eq));
	if (!name || !value) {
		free(name);
		free(value);
		return -ENOMEM;
	}
	v = value;
	for (p = eq + 1; p < end && *p != '\n'; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		*v++ = *p;
	}
	*v = '\0';
	if (p >= end) {
		free(name);
		free(value);
		return -EINVAL;
	}
	*next = p + 1;
	/* GRUB's load_env sets the variables in order: of two lines with one name, the last wins */
	for (size_t i = 0; i < env->n; i++)
		if (streq(env->names[i], name)) {
			free(name);
			free(env->values[i]);
			env->values[i] = value;
			return 0;
		}
	return env_add(env, name, value);
}

int vfe_grubenv_parse(const char *data, size_t len, struct vfe_grubenv *ret, const char **err)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv env = { 0 };
	const char *p, *end = data + len;
	int r;

	*err = NULL;
	if (len != GRUBENV_SIZE)
		return *err = "not 1024 bytes long", -EINVAL;
	if (memcmp(data, GRUBENV_HEADER, strlen(GRUBENV_HEADER)) != 0)
		return *err = "no '# GRUB Environment Block' header", -EINVAL;
	for (p = data + strlen(GRUBENV_HEADER); p < end;) {
		if (*p == '#') {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
			continue;
		}
		if (memchr(p, '\0', 1))
			return *err = "a NUL byte", -EINVAL;
		r = parse_line(p, end, &env, &p);
		if (r < 0)
			return *err = r == -EINVAL ? "a line that is not name=value" : NULL, r;
	}
	*ret = TAKE_STRUCT(env);
	return 0;
}

int vfe_grubenv_format(const struct vfe_grubenv *env, char *out)
{
	size_t at = strlen(GRUBENV_HEADER GRUBENV_WARNING);

	memcpy(out, GRUBENV_HEADER GRUBENV_WARNING, at);
	for (size_t i = 0; i < env->n; i++) {
		const char *s;
		/* name '=' escaped value '\n' must fit */
		size_t need = strlen(env->names[i]) + 2;
		for (s = env->values[i]; *s; s++)
			need += (*s == '\\' || *s == '\n') ? 2 : 1;
		if (at + need > GRUBENV_SIZE)
			return -ENOSPC;
		at += (size_t)sprintf(out + at, "%s=", env->names[i]);
		for (s = env->values[i]; *s; s++) {
			if (*s == '\\' || *s == '\n')
				out[at++] = '\\';
			out[at++] = *s;
		}
		out[at++] = '\n';
	}
	memset(out + at, '#', GRUBENV_SIZE - at);
	return 0;
}

static ssize_t env_find(const struct vfe_grubenv *env, const char *name)
{
	for (size_t i = 0; i < env->n; i++)
		if (streq(env->names[i], name))
			return (ssize_t)i;
	return -1;
}

const char *vfe_grubenv_get(const struct vfe_grubenv *env, const char *name)
{
	ssize_t i = env_find(env, name);

	return i < 0 ? NULL : env->values[i];
}

static int env_unset(struct vfe_grubenv *env, size_t i)
{
	free(env->names[i]);
	free(env->values[i]);
	memmove(env->names + i, env->names + i + 1, (env->n - i - 1) * sizeof(char *));
	memmove(env->values + i, env->values + i + 1, (env->n - i - 1) * sizeof(char *));
	env->n--;
	return 1;
}

int vfe_grubenv_set(struct vfe_grubenv *env, const char *name, const char *value)
{
	ssize_t i = env_find(env, name);
	char *n, *v;

	if (!*name || strpbrk(name, "=\n#"))
		return -EINVAL;
	if (!value)
		return i < 0 ? 0 : env_unset(env, (size_t)i);
	if (i >= 0 && streq(env->values[i], value))
		return 0;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	if (i >= 0) {
		free(env->values[i]);
		env->values[i] = v;
		return 1;
	}
	n = strdup(name);
	if (!n) {
		free(v);
		return -ENOMEM;
	}
	return env_add(env, n, v) < 0 ? -ENOMEM : 1;
}

void vfe_grubenv_free(struct vfe_grubenv *env)
{
	for (size_t i = 0; i < env->n; i++) {
		free(env->names[i]);
		free(env->values[i]);
	}
	free(env->names);
	free(env->values);
	*env = (struct vfe_grubenv){ 0 };
}

int vfe_grubenv_load(const struct vfe_root *r, const char *rel, struct vfe_grubenv *ret)
{
	_cleanup_free_ char *data = NULL;
	const char *err;
	int l, k;

	l = vfe_read_file(r, rel, 64 * 1024, &data);
	if (l == -ENOENT) {
		*ret = (struct vfe_grubenv){ 0 };
		return 0;
	}
	if (l < 0)
		return log_error_errno(l, "Cannot read /%s: %m", rel);
	k = vfe_grubenv_parse(data, (size_t)l, ret, &err);
	if (k == -EINVAL)
		return log_error_errno(k, "/%s is not a valid GRUB environment block (%s); "
				       "check it with 'grub-editenv /%s list'", rel, err, rel);
	return k;
}

int vfe_grubenv_save(const struct vfe_root *r, const char *rel, const struct vfe_grubenv *env)
{
	char block[GRUBENV_SIZE];
	int k;

	k = vfe_grubenv_format(env, block);
	if (k < 0)
		return log_error_errno(k, "The GRUB environment does not fit in 1024 bytes; not writing /%s", rel);
	k = vfe_write_file_atomic(r, rel, block, sizeof(block), 0644, 0);
	if (k < 0)
		return log_error_errno(k, "Cannot write /%s: %m", rel);
	return 0;
}
