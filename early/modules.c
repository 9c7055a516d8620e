// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "common/log.h"
#include "common/paths.h"
#include "early/modules.h"

struct vfe_modules {
	const struct vfe_root *root;
	struct kmod_ctx *ctx;
	int error; /* why ctx could not be made, once tried */
};

int vfe_modules_new(const struct vfe_root *r, struct vfe_modules **ret)
{
	struct vfe_modules *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->root = r;
	*ret = m;
	return 0;
}

void vfe_modules_free(struct vfe_modules *m)
{
	if (!m)
		return;
	if (m->ctx)
		kmod_unref(m->ctx);
	free(m);
}

static void kmod_log_cb(void *data _unused_, int priority, const char *file _unused_, int line _unused_,
			const char *fn _unused_, const char *format, va_list args)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), format, args);
	buf[strcspn(buf, "\n")] = '\0';
	log_full(priority > LOG_INFO ? LOG_DEBUG : LOG_INFO, 0, "libkmod: %s", buf);
}

/* The real root uses libkmod's defaults (and module options from /proc/cmdline); a fake root its own tree. */
static struct kmod_ctx *new_ctx(const struct vfe_root *r)
{
	_cleanup_free_ char *dir = NULL, *etc = NULL, *lib = NULL;
	struct utsname u;

	if (!*r->path)
		return kmod_new(NULL, NULL);
	if (uname(&u) < 0)
		return NULL;
	if (asprintf(&dir, "%s/%s/%s", r->path, PATH_MODULES, u.release) < 0)
		return NULL;
	etc = vfe_root_abspath(r, PATH_MODPROBE_D);
	lib = vfe_root_abspath(r, PATH_LIB_MODPROBE_D);
	if (!etc || !lib)
		return NULL;
	const char *paths[] = { etc, lib, NULL };
	return kmod_new(dir, paths);
}

static struct kmod_ctx *get_ctx(struct vfe_modules *m)
{
	if (m->ctx || m->error)
		return m->ctx;
	m->ctx = new_ctx(m->root);
	if (!m->ctx) {
		m->error = -ENOMEM;
		return NULL;
	}
	kmod_set_log_fn(m->ctx, kmod_log_cb, NULL);
	(void)kmod_load_resources(m->ctx);
	return m->ctx;
}

int vfe_modules_load(struct vfe_modules *m, const char *name)
{
	struct kmod_ctx *ctx = get_ctx(m);
	struct kmod_list *list = NULL, *it;
	int r, loaded = 0;

	if (!ctx)
		return m->error;
	r = kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return r;
	if (!list)
		return -ENOENT;
	r = 0;
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);
		int k = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
		if (k < 0 && k != -EEXIST)
			r = k;
		else
			loaded++;
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return loaded ? 0 : r;
}

static bool is_passthrough_driver(const char *name)
{
	return streq(name, "vfio_pci") || streq(name, "pci_stub") || startswith(name, "vfio");
}

bool vfe_modules_driver_for(struct vfe_modules *m, const char *modalias, char *driver, size_t n)
{
	struct kmod_ctx *ctx;
	struct kmod_list *list = NULL, *it;
	bool found = false;

	if (!modalias || !*modalias || !(ctx = get_ctx(m)))
		return false;
	if (kmod_module_new_from_lookup(ctx, modalias, &list) < 0)
		return false;
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);
		const char *name = kmod_module_get_name(mod);
		if (!found && name && !is_passthrough_driver(name)) {
			snprintf(driver, n, "%s", name);
			found = true;
		}
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return found;
}
