// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "common/log.h"
#include "common/paths.h"
#include "early/modules.h"

/*
 * libkmod is opened with dlopen() the first time a module must be loaded or
 * a module alias looked up, never before. Linked, it cost every boot about
 * 3.4 million instructions of relocations before main() (libcrypto, libzstd
 * and liblzma come with it), while most boots need none of it: vfio-pci
 * built in or already loaded, vfio_early=off, nothing configured or
 * matched. The symbols are taken through the prototypes of <libkmod.h>, so
 * the compiler checks every call as if it were linked.
 */
#define KMOD_FUNCTIONS(X)                     \
	X(kmod_new)                           \
	X(kmod_unref)                         \
	X(kmod_set_log_fn)                    \
	X(kmod_load_resources)                \
	X(kmod_list_next)                     \
	X(kmod_module_new_from_lookup)        \
	X(kmod_module_get_module)             \
	X(kmod_module_get_name)               \
	X(kmod_module_probe_insert_module)    \
	X(kmod_module_insert_module)          \
	X(kmod_module_get_dependencies)       \
	X(kmod_module_get_softdeps)           \
	X(kmod_module_get_options)            \
	X(kmod_module_get_initstate)          \
	X(kmod_module_unref)                  \
	X(kmod_module_unref_list)

static struct {
	void *dl;
	int error; /* why it could not be opened, once tried */
#define KMOD_FIELD(f) __typeof__(f) *f;
	KMOD_FUNCTIONS(KMOD_FIELD)
#undef KMOD_FIELD
} kmod;

static int kmod_open(void)
{
	const char *what;

	if (kmod.dl || kmod.error)
		return kmod.error;
	kmod.dl = dlopen(VFE_LIBKMOD, RTLD_NOW | RTLD_LOCAL);
	if (!kmod.dl) {
		what = dlerror();
		goto fail;
	}
#define KMOD_SYM(f)                                             \
	if (!(kmod.f = (__typeof__(f) *)dlsym(kmod.dl, #f))) { \
		what = "it lacks " #f;                          \
		goto fail;                                      \
	}
	KMOD_FUNCTIONS(KMOD_SYM)
#undef KMOD_SYM
	return 0;
fail:
	log_error("cannot load %s (%s): no kernel module can be loaded; install libkmod and rebuild the initramfs "
		  "(update-initramfs -u, or dracut -f)",
		  VFE_LIBKMOD, what ? what : "unknown error");
	if (kmod.dl)
		dlclose(kmod.dl);
	kmod.dl = NULL;
	kmod.error = -ELIBACC;
	return kmod.error;
}

int vfe_modules_library_path(char **ret)
{
	struct link_map *map = NULL;
	int k = kmod_open();

	if (k < 0)
		return k;
	if (dlinfo(kmod.dl, RTLD_DI_LINKMAP, &map) < 0 || !map || !map->l_name || !*map->l_name)
		return -ENOENT;
	*ret = strdup(map->l_name);
	return *ret ? 0 : -ENOMEM;
}

struct vfe_modules {
	const struct vfe_root *root;
	char *index_dir; /* an index-only context: this directory, no modprobe.d */
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

int vfe_modules_new_index(const struct vfe_root *r, const char *dir, struct vfe_modules **ret)
{
	struct vfe_modules *m;
	int k;

	/* without the alias index every answer would be "no driver": the caller must know it knows nothing */
	if (!vfe_exists(r, "%s/modules.alias.bin", dir))
		return -ENOENT;
	k = vfe_modules_new(r, &m);
	if (k < 0)
		return k;
	m->index_dir = vfe_root_abspath(r, dir);
	if (!m->index_dir) {
		vfe_modules_free(m);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

void vfe_modules_free(struct vfe_modules *m)
{
	if (!m)
		return;
	if (m->ctx)
		kmod.kmod_unref(m->ctx);
	free(m->index_dir);
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
		return kmod.kmod_new(NULL, NULL);
	if (uname(&u) < 0)
		return NULL;
	if (asprintf(&dir, "%s/%s/%s", r->path, PATH_MODULES, u.release) < 0)
		return NULL;
	etc = vfe_root_abspath(r, PATH_MODPROBE_D);
	lib = vfe_root_abspath(r, PATH_LIB_MODPROBE_D);
	if (!etc || !lib)
		return NULL;
	const char *paths[] = { etc, lib, NULL };
	return kmod.kmod_new(dir, paths);
}

static struct kmod_ctx *get_ctx(struct vfe_modules *m)
{
	static const char *const no_config[] = { NULL };

	if (m->ctx || m->error)
		return m->ctx;
	m->error = kmod_open();
	if (m->error < 0)
		return NULL;
	/* an index context reads no modprobe.d: its aliases are the kernel's own */
	m->ctx = m->index_dir ? kmod.kmod_new(m->index_dir, no_config) : new_ctx(m->root);
	if (!m->ctx) {
		m->error = -ENOMEM;
		return NULL;
	}
	kmod.kmod_set_log_fn(m->ctx, kmod_log_cb, NULL);
	/* an index context holds two indexes, not all: libkmod opens them on demand */
	if (!m->index_dir)
		(void)kmod.kmod_load_resources(m->ctx);
	return m->ctx;
}

static bool is_dropped(const char *opt, size_t len, const char *const *drop)
{
	for (size_t i = 0; drop && drop[i]; i++) {
		size_t l = strlen(drop[i]);
		if (len >= l && strncmp(opt, drop[i], l) == 0 && (len == l || opt[l] == '='))
			return true;
	}
	return false;
}

char *vfe_modules_filter_options(const char *opts, const char *const *drop)
{
	char *out = malloc(strlen(opts ? opts : "") + 1), *o = out;
	const char *p = opts ? opts : "";

	if (!out)
		return NULL;
	while (*p) {
		const char *start;
		bool quoted = false;
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++)
			quoted ^= *p == '"';
		if (p > start && !is_dropped(start, (size_t)(p - start), drop)) {
			if (o > out)
				*o++ = ' ';
			memcpy(o, start, (size_t)(p - start));
			o += p - start;
		}
	}
	*o = '\0';
	return out;
}

static int probe_list(struct kmod_list *list)
{
	struct kmod_list *it;
	int r = 0;

	for (it = list; it; it = kmod.kmod_list_next(list, it)) {
		struct kmod_module *mod = kmod.kmod_module_get_module(it);
		int k = kmod.kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_COMMAND, NULL, NULL, NULL, NULL);
		if (k < 0 && k != -EEXIST && r == 0)
			r = k;
		kmod.kmod_module_unref(mod);
	}
	return r;
}

/*
 * What modprobe does for one module, in its order (dependencies and pre
 * soft dependencies, the module, post soft dependencies), but the module's
 * own options go through vfe_modules_filter_options(): libkmod's probe call
 * has no way to leave one out.
 */
static int load_one(struct kmod_module *mod, const char *const *drop)
{
	struct kmod_list *deps = kmod.kmod_module_get_dependencies(mod), *pre = NULL, *post = NULL;
	_cleanup_free_ char *opts = NULL;
	int k, r;

	if (kmod.kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
		return 0;
	(void)kmod.kmod_module_get_softdeps(mod, &pre, &post);
	r = probe_list(pre);
	k = probe_list(deps);
	r = r < 0 ? r : k;
	opts = vfe_modules_filter_options(kmod.kmod_module_get_options(mod), drop);
	k = opts ? kmod.kmod_module_insert_module(mod, 0, opts) : -ENOMEM;
	if (k == -EEXIST)
		k = 0;
	if (k >= 0)
		(void)probe_list(post);
	kmod.kmod_module_unref_list(deps);
	kmod.kmod_module_unref_list(pre);
	kmod.kmod_module_unref_list(post);
	return k < 0 ? k : r < 0 ? r : 0;
}

int vfe_modules_load(struct vfe_modules *m, const char *name, const char *const *drop)
{
	struct kmod_ctx *ctx = get_ctx(m);
	struct kmod_list *list = NULL, *it;
	int r, loaded = 0;

	if (!ctx)
		return m->error;
	r = kmod.kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return r;
	if (!list)
		return -ENOENT;
	r = 0;
	for (it = list; it; it = kmod.kmod_list_next(list, it)) {
		struct kmod_module *mod = kmod.kmod_module_get_module(it);
		int k = load_one(mod, drop);
		if (k < 0)
			r = k;
		else
			loaded++;
		kmod.kmod_module_unref(mod);
	}
	kmod.kmod_module_unref_list(list);
	return loaded ? 0 : r;
}

static bool is_passthrough_driver(const char *name)
{
	return streq(name, "vfio_pci") || streq(name, "pci_stub") || startswith(name, "vfio");
}

int vfe_modules_driver_for(struct vfe_modules *m, const char *modalias, char *driver, size_t n)
{
	struct kmod_ctx *ctx;
	struct kmod_list *list = NULL, *it;
	int found = 0, k;

	if (!modalias || !*modalias)
		return 0;
	if (!(ctx = get_ctx(m)))
		return m->error;
	k = kmod.kmod_module_new_from_lookup(ctx, modalias, &list);
	if (k < 0)
		return k;
	for (it = list; it; it = kmod.kmod_list_next(list, it)) {
		struct kmod_module *mod = kmod.kmod_module_get_module(it);
		const char *name = kmod.kmod_module_get_name(mod);
		if (!found && name && !is_passthrough_driver(name)) {
			snprintf(driver, n, "%s", name);
			found = 1;
		}
		kmod.kmod_module_unref(mod);
	}
	kmod.kmod_module_unref_list(list);
	return found;
}
