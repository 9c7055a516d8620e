// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early check: the running kernel's initramfs holds the binder, today's config and vfio-pci. */
#include <stdio.h>
#include <sys/stat.h>

#include "check/check.h"
#include "check/initramfs.h"
#include "common/paths.h"

#define BINDER_IN_IMAGE "usr/libexec/vfio-early/vfio-early-bind"
#define IT_SCRIPT_IN_IMAGE "scripts/init-top/00_vfio_early"

struct generator {
	const char *name, *image_fmt, *rebuild_fmt;
};

static const struct generator generators[] = {
	{ "initramfs-tools", "boot/initrd.img-%s", "sudo update-initramfs -u -k %s" },
	{ "dracut", "boot/initramfs-%s.img", "sudo dracut -f --kver %s" },
	{ "dracut", "boot/initrd.img-%s", "sudo dracut -f --kver %s" }, /* dracut on Debian/Ubuntu */
};

/* initramfs-tools when update-initramfs is installed, else dracut when it is, else initramfs-tools. */
static const struct generator *detect_generator(const struct vfe_root *r)
{
	if (vfe_exists(r, "usr/sbin/update-initramfs") || vfe_exists(r, "sbin/update-initramfs"))
		return &generators[0];
	if (vfe_exists(r, "usr/bin/dracut") || vfe_exists(r, "usr/sbin/dracut") || vfe_exists(r, "sbin/dracut"))
		return &generators[1];
	return &generators[0];
}

static int load_image(struct check_env *env, const struct generator *g, struct vfe_initramfs *im, char *path,
		      size_t n)
{
	int k = -ENOENT;

	for (size_t i = 0; i < ELEMENTSOF(generators) && k == -ENOENT; i++) {
		if (!streq(generators[i].name, g->name))
			continue;
		snprintf(path, n, generators[i].image_fmt, env->release);
		k = vfe_initramfs_load(env->root, path, im);
	}
	return k;
}

struct stale_ctx {
	const struct strv *files;
	char *why;
	size_t n;
};

/* A config file in the image that is no longer on disk: the next boot still obeys it. */
static int find_stale(void *ud, const struct vfe_cpio_file *f)
{
	static const char conf[] = "etc/vfio-early.conf", dir[] = "etc/vfio-early.d/";
	struct stale_ctx *x = ud;

	if ((f->mode & S_IFMT) != S_IFREG)
		return 0;
	if (!(f->name_len == sizeof(conf) - 1 && memcmp(f->name, conf, f->name_len) == 0) &&
	    !(f->name_len > sizeof(dir) - 1 && memcmp(f->name, dir, sizeof(dir) - 1) == 0))
		return 0;
	for (size_t i = 0; i < x->files->n; i++)
		if (strlen(x->files->v[i]) == f->name_len + 1 && memcmp(x->files->v[i] + 1, f->name, f->name_len) == 0)
			return 0;
	snprintf(x->why, x->n, "/%.*s is in the image but no longer on disk", (int)f->name_len, f->name);
	return 1;
}

/* Compares each config file with its copy in the image; the first difference goes to why. */
static bool config_current(struct check_env *env, const struct vfe_initramfs *im, char *why, size_t n)
{
	struct stale_ctx x = { &env->cfg.files, why, n };

	if (vfe_initramfs_walk(im, find_stale, &x) == 1)
		return false;
	for (size_t i = 0; i < env->cfg.files.n; i++) {
		const char *name = env->cfg.files.v[i];
		_cleanup_free_ char *now = NULL;
		const uint8_t *data;
		size_t size;
		int l = vfe_read_file(env->root, name + (*name == '/'), VFE_CONFIG_MAX_SIZE, &now);
		if (vfe_initramfs_find(im, name, &data, &size) < 0)
			return snprintf(why, n, "%s is not in the image", name), false;
		if (l < 0 || (size_t)l != size || memcmp(now, data, size) != 0)
			return snprintf(why, n, "%s changed since the image was built", name), false;
	}
	return true;
}

static int find_ko(void *ud, const struct vfe_cpio_file *f)
{
	const char *want = ud;
	size_t wl = strlen(want);
	const char *base = f->name + f->name_len;

	while (base > f->name && base[-1] != '/')
		base--;
	return (size_t)(f->name + f->name_len - base) > wl && memcmp(base, want, wl) == 0 &&
	       startswith(base + wl, ".ko");
}

static bool image_has_module(const struct vfe_initramfs *im, const char *file)
{
	return vfe_initramfs_walk(im, find_ko, (void *)file) == 1;
}

/*
 * dracut: the cmdline hook or the systemd unit that starts the binder,
 * wherever dracut put it (1); or the pre-udev hook of images built by
 * vfio-early 0.1, which runs after the shell init loaded rd.driver.pre (2).
 */
static int find_dracut_starter(void *ud, const struct vfe_cpio_file *f)
{
	static const char *const ends[] = { "vfio-early-cmdline.sh", "/vfio-early.service", "vfio-early-pre-udev.sh" };

	(void)ud;
	for (size_t i = 0; i < ELEMENTSOF(ends); i++) {
		size_t l = strlen(ends[i]);
		if (f->name_len >= l && memcmp(f->name + f->name_len - l, ends[i], l) == 0)
			return i < 2 ? 1 : 2;
	}
	return 0;
}

static void check_image_contents(struct check_env *env, const struct generator *g, const struct vfe_initramfs *im,
				 const char *path, const char *fix)
{
	const char *title = "initramfs of the running kernel";
	const uint8_t *data;
	size_t size;
	char why[300];
	char rel[256];

	if (vfe_initramfs_find(im, BINDER_IN_IMAGE, &data, &size) < 0) {
		check_add(env->rep, "initramfs", title, CHECK_FAIL, fix, "/%s has no /%s: nothing is bound at boot", path,
			  BINDER_IN_IMAGE);
		return;
	}
	if (!config_current(env, im, why, sizeof(why))) {
		check_add(env->rep, "initramfs", title, CHECK_FAIL, fix, "/%s: %s; the next boot uses the old config",
			  path, why);
		return;
	}
	snprintf(rel, sizeof(rel), PATH_MODULES "/%s/modules.builtin", env->release);
	_cleanup_free_ char *builtin = NULL;
	(void)vfe_read_file(env->root, rel, 8 << 20, &builtin);
	if (!(builtin && strstr(builtin, "/vfio-pci.ko")) && !image_has_module(im, "vfio-pci")) {
		check_add(env->rep, "initramfs", title, CHECK_FAIL, fix,
			  "/%s has the binder but not the vfio-pci module", path);
		return;
	}
	if (streq(g->name, "initramfs-tools") && vfe_initramfs_find(im, IT_SCRIPT_IN_IMAGE, &data, &size) < 0) {
		check_add(env->rep, "initramfs", title, CHECK_FAIL, fix,
			  "/%s has no /%s: the binder is never started", path, IT_SCRIPT_IN_IMAGE);
		return;
	}
	if (streq(g->name, "dracut")) {
		int k = vfe_initramfs_walk(im, find_dracut_starter, NULL);
		if (k != 1 && k != 2) {
			check_add(env->rep, "initramfs", title, CHECK_FAIL, fix,
				  "/%s has no vfio-early cmdline hook or service: the binder is never started", path);
			return;
		}
		if (k == 2) {
			check_add(env->rep, "initramfs", title, CHECK_WARN, fix,
				  "/%s starts the binder from a pre-udev hook (an older vfio-early): modules named by "
				  "rd.driver.pre (force_drivers) load before it", path);
			return;
		}
	}
	check_add(env->rep, "initramfs", title, CHECK_PASS, NULL,
		  "/%s (%s, %s): binder, current config (%zu file%s) and vfio-pci present", path, g->name,
		  im->comp == VFE_COMP_NONE ? "uncompressed" : vfe_compression_name(im->comp), env->cfg.files.n,
		  env->cfg.files.n == 1 ? "" : "s");
}

void check_initramfs(struct check_env *env)
{
	const char *title = "initramfs of the running kernel";
	const struct generator *g = detect_generator(env->root);
	struct vfe_initramfs im;
	char path[256], fix[160];
	int k;

	snprintf(fix, sizeof(fix), g->rebuild_fmt, env->release);
	k = load_image(env, g, &im, path, sizeof(path));
	if (env->cfg.files.n == 0) {
		/* nothing configured: only an image that still carries an old config matters */
		char why[300];
		struct stale_ctx x = { &env->cfg.files, why, sizeof(why) };
		if (k >= 0 && vfe_initramfs_walk(&im, find_stale, &x) == 1)
			check_add(env->rep, "initramfs", title, CHECK_FAIL, fix, "%s: the next boot binds by it", why);
		else
			check_add(env->rep, "initramfs", title, CHECK_SKIP, NULL,
				  "no config (/%s): nothing to put in the initramfs yet", PATH_CONFIG);
		if (k >= 0)
			vfe_initramfs_free(&im);
		return;
	}
	if (k >= 0) {
		/* the console check reads it again: keep it (verb_check frees it) */
		env->image = im;
		env->have_image = true;
	}
	if (k == -ENOENT)
		check_add(env->rep, "initramfs", title, CHECK_FAIL, fix, "no initramfs for kernel %s (%s layout, /%s)",
			  env->release, g->name, path);
	else if (k == -ENOEXEC)
		check_add(env->rep, "initramfs", title, CHECK_SKIP,
			  "install the decompressor (apt install zstd xz-utils gzip) and run vfio-early check again",
			  "/%s: its decompressor is not installed", path);
	else if (k < 0)
		check_add(env->rep, "initramfs", title, CHECK_FAIL, fix, "/%s cannot be read as an initramfs: %s", path,
			  strerror(-k));
	else {
		check_image_contents(env, g, &im, path, fix);
	}
}
