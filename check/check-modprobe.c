// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early check: modprobe.d lines from the manual recipe that fight us:
 * a blacklist of the host's own sound or GPU driver, and "options vfio-pci
 * ids=" that takes every card with those ids, not just the configured one.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>

#include "check/check.h"
#include "common/paths.h"

static const char *const gpu_sound_drivers[] = { "snd_hda_intel", "nouveau", "nvidia", "nvidia_drm", "nvidia_modeset",
						  "amdgpu", "radeon", "i915", "xe" };

static void normalize(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

static bool entry_matches(const struct vfe_entry *e, const struct vfe_dev *d)
{
	if (e->has_addr && !vfe_pci_addr_eq(&e->addr, &d->addr))
		return false;
	return !e->has_id || (e->id.vendor == d->id.vendor && e->id.device == d->id.device);
}

static bool configured(const struct check_env *env, const struct vfe_dev *d)
{
	for (size_t i = 0; i < env->cfg.n; i++)
		if (entry_matches(&env->cfg.entries[i], d))
			return true;
	return false;
}

/* "ids=10de:1b80,10de:10f0": every device it takes that the config does not name is stolen. */
static void check_ids(struct check_env *env, const char *where, const char *ids)
{
	_cleanup_free_ char *copy = strdup(ids);
	char stolen[256] = "", *save = NULL;
	size_t l = 0;

	if (!copy || env->pci_err < 0)
		return;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct vfe_pci_id id;
		char head[10];
		/* vendor:device[:subvendor:subdevice:class:mask]: the first two fields decide */
		snprintf(head, sizeof(head), "%.9s", tok);
		if (vfe_parse_pci_id(head, &id) < 0)
			continue;
		for (size_t i = 0; i < env->pci.n; i++) {
			const struct vfe_dev *d = &env->pci.devs[i];
			if (d->id.vendor == id.vendor && d->id.device == id.device && !configured(env, d) && l < sizeof(stolen))
				l += (size_t)snprintf(stolen + l, sizeof(stolen) - l, "%s%s%s", l ? ", " : "", d->name,
						      d->boot_vga ? " (the boot VGA)" : "");
		}
	}
	char fix[700];
	/* the binder loads vfio-pci without ids=, but whatever else loads it first (a recovery boot, libvirt) does not */
	snprintf(fix, sizeof(fix), "delete ids=%s from the 'options vfio-pci' line at %s (sudoedit %.*s), then run "
		 "'sudo update-initramfs -u' (or 'sudo dracut -f'): vfio-early binds only the configured addresses (and "
		 "loads vfio-pci without it), but anything else that loads vfio-pci applies it",
		 ids, where, (int)strcspn(where, ":"), where);
	if (l)
		check_add(env->rep, "modprobe-vfio-ids", "options vfio-pci ids=", CHECK_FAIL, fix,
			  "%s: ids=%s also takes %s, which the config does not name", where, ids, stolen);
	else
		check_add(env->rep, "modprobe-vfio-ids", "options vfio-pci ids=", CHECK_WARN,
			  "remove the ids= option: vfio-early binds the configured devices without it",
			  "%s: ids=%s is redundant, and would take any identical card added later", where, ids);
}

static void check_line(struct check_env *env, const char *where, char *line)
{
	char *save = NULL, *cmd = strtok_r(line, " \t", &save), *arg = strtok_r(NULL, " \t", &save);
	char id[96];

	if (!cmd || !arg || cmd[0] == '#')
		return;
	normalize(arg);
	snprintf(id, sizeof(id), "modprobe-blacklist:%s", arg);
	if (streq(cmd, "blacklist")) {
		for (size_t i = 0; i < ELEMENTSOF(gpu_sound_drivers); i++)
			if (streq(arg, gpu_sound_drivers[i]))
				check_add(env->rep, id, "modprobe blacklist", CHECK_WARN,
					  "remove the line: vfio-early holds the configured devices with driver_override, "
					  "per device",
					  "%s: blacklist %s keeps that driver from every device of the host%s", where, arg,
					  streq(arg, "snd_hda_intel") ? ", the host's own sound included" : "");
		return;
	}
	if (streq(cmd, "options") && streq(arg, "vfio_pci"))
		for (char *opt; (opt = strtok_r(NULL, " \t", &save));)
			if (startswith(opt, "ids="))
				check_ids(env, where, opt + 4);
}

static void check_file(struct check_env *env, const char *name)
{
	_cleanup_free_ char *text = NULL;
	char rel[512], where[600];
	unsigned lineno = 0;

	snprintf(rel, sizeof(rel), PATH_MODPROBE_D "/%s", name);
	if (vfe_read_file(env->root, rel, 1 << 20, &text) < 0)
		return;
	for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		snprintf(where, sizeof(where), "/%s:%u", rel, lineno);
		check_line(env, where, p);
	}
}

void check_modprobe(struct check_env *env)
{
	DIR *d = vfe_opendir(env->root, PATH_MODPROBE_D);
	size_t before = env->rep->n;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] != '.' && l > 5 && streq(de->d_name + l - 5, ".conf"))
			check_file(env, de->d_name);
	}
	if (d)
		closedir(d);
	if (env->rep->n == before)
		check_add(env->rep, "modprobe", "modprobe.d", CHECK_PASS, NULL,
			  "no blacklist of a GPU or sound driver, no vfio-pci ids= in /%s", PATH_MODPROBE_D);
}
