// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "check/image-facts.h"
#include "check/system-paths.h"
#include "common/atomic.h"
#include "early/protect.h"

#define INDEX_MAX (64 << 20)

/* One index file from the kernel's module directory, copied; a missing optional one is no problem. */
static int copy_index(const struct vfe_root *mods, const struct vfe_root *out, const char *name, bool optional,
		      struct strv *warnings)
{
	_cleanup_free_ char *data = NULL;
	int l = vfe_read_file(mods, name, INDEX_MAX, &data);

	if (l == -ENOENT && optional)
		return 0;
	if (l < 0)
		return strv_pushf(warnings, "%s/%s: %s; the binder will count every driverless function beside a "
				  "target as taken (run depmod, then rebuild the initramfs)", mods->path, name,
				  strerror(-l));
	return vfe_write_file_atomic(out, name, data, (size_t)l, 0644, VFE_ATOMIC_NO_SYNC);
}

static int copy_indexes(const char *modules_dir, const struct vfe_root *out, struct strv *warnings)
{
	struct vfe_root mods;
	int k = vfe_root_open(&mods, modules_dir);

	if (k < 0)
		return strv_pushf(warnings, "%s: %s; the binder will not know the installed kernel's drivers",
				  modules_dir, strerror(-k));
	k = copy_index(&mods, out, "modules.alias.bin", false, warnings);
	if (k >= 0)
		k = copy_index(&mods, out, "modules.builtin.alias.bin", true, warnings);
	vfe_root_close(&mods);
	return k;
}

static int write_protected(const struct vfe_root *root, const struct vfe_root *out, struct strv *warnings)
{
	_cleanup_(vfe_protected_freep) struct vfe_protected prot = { 0 };
	_cleanup_free_ char *text = NULL;
	int k = vfe_system_paths(root, &prot);

	if (k < 0 || !(text = vfe_protected_format(&prot)))
		return -ENOMEM;
	for (size_t i = 0; k >= 0 && i < prot.problems.n; i++)
		k = strv_pushf(warnings, "the path to the running system: %s", prot.problems.v[i]);
	if (k < 0)
		return k;
	return vfe_write_file_atomic(out, "protected", text, strlen(text), 0644, VFE_ATOMIC_NO_SYNC);
}

int vfe_image_facts_write(const struct vfe_root *root, const char *modules_dir, const struct vfe_root *out,
			  struct strv *warnings)
{
	int k = write_protected(root, out, warnings);

	return k < 0 ? k : copy_indexes(modules_dir, out, warnings);
}
