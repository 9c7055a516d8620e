// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding the ESP and XBOOTLDR: the mount table, then libblkid (see esp.h). */
#include <blkid/blkid.h>
#include <stdio.h>

#include "common/paths.h"
#include "efi/efi-paths.h"
#include "efi/esp.h"

/* The mount of absolute path mp in mountinfo ("id parent maj:min root mp opts ... - fstype source super"). */
static int find_mount(const struct vfe_root *r, const char *mp, struct vfe_esp *ret)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int k = vfe_read_file(r, PATH_MOUNTINFO, 4 << 20, &text), found = -ENOENT;

	if (k < 0)
		return k;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char point[256], opts[256], fstype[32], source[256];
		const char *sep = strstr(l, " - ");
		if (!sep || sscanf(l, "%*u %*u %*s %*s %255s %255s", point, opts) != 2 ||
		    sscanf(sep + 3, "%31s %255s", fstype, source) != 2 || !streq(point, mp))
			continue;
		memset(ret, 0, sizeof(*ret));
		snprintf(ret->mount, sizeof(ret->mount), "%s", mp + 1);
		snprintf(ret->fstype, sizeof(ret->fstype), "%s", fstype);
		snprintf(ret->source, sizeof(ret->source), "%s", source);
		ret->read_only = streq(opts, "ro") || startswith(opts, "ro,");
		found = 0; /* the last mount on a point hides the earlier ones */
	}
	return found;
}

/* PART_ENTRY_TYPE of the mounted device, when it can be probed. */
static void probe(const struct vfe_root *r, struct vfe_esp *e)
{
	_cleanup_free_ char *dev = vfe_root_abspath(r, e->source);
	const char *v;
	blkid_probe pr;

	if (!dev || e->source[0] != '/' || !(pr = blkid_new_probe_from_filename(dev)))
		return;
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "PART_ENTRY_TYPE", &v, NULL) == 0)
		snprintf(e->part_type, sizeof(e->part_type), "%s", v);
	blkid_free_probe(pr);
}

static int find_typed(const struct vfe_root *r, const char *const *mounts, size_t n, const char *type,
		      struct vfe_esp *ret)
{
	for (size_t i = 0; i < n; i++) {
		char mp[300];
		struct vfe_esp e;
		snprintf(mp, sizeof(mp), "/%s", mounts[i]);
		if (find_mount(r, mp, &e) < 0 || !streq(e.fstype, "vfat"))
			continue;
		probe(r, &e);
		/* a probed type must be the right one; an unprobeable device (a test tree) is taken on trust */
		if (e.part_type[0] && strcasecmp(e.part_type, type) != 0)
			continue;
		*ret = e;
		return 0;
	}
	return -ENOENT;
}

int vfe_esp_find(const struct vfe_root *r, struct vfe_esp *ret, const char **why)
{
	static const char *const mounts[] = EFI_ESP_MOUNTS;

	*why = NULL;
	if (find_typed(r, mounts, ELEMENTSOF(mounts), EFI_PART_ESP, ret) == 0)
		return 0;
	if (!vfe_exists(r, "%s", EFI_PATH_SYS_EFI))
		*why = "this machine did not boot through UEFI (no /sys/firmware/efi), so it has no ESP in use";
	else if (!vfe_exists(r, "%s", PATH_MOUNTINFO))
		*why = "no mount table (/proc/self/mountinfo) to find the ESP in";
	else
		*why = "no FAT file system with the ESP partition type is mounted on /efi, /boot/efi or /boot";
	return -ENOENT;
}

int vfe_xbootldr_find(const struct vfe_root *r, const struct vfe_esp *esp, struct vfe_esp *ret)
{
	static const char *const mounts[] = EFI_XBOOTLDR_MOUNTS;

	if (find_typed(r, mounts, ELEMENTSOF(mounts), EFI_PART_XBOOTLDR, ret) < 0)
		return -ENOENT;
	/* without a probed type, /boot counts only when it is not the ESP itself and says it is one */
	if (streq(ret->mount, esp->mount) || (!ret->part_type[0] && !vfe_exists(r, "%s/%s", ret->mount, EFI_LOADER_ENTRIES)))
		return -ENOENT;
	return 0;
}
