// SPDX-License-Identifier: GPL-2.0-or-later
/* Does the host's own display work this boot? (see host-display.h) */
#include <dirent.h>
#include <stdio.h>

#include "check/host-display.h"
#include "common/kv.h"
#include "common/paths.h"

#define PATH_CLASS_DRM "sys/class/drm"
#define PATH_SESSIONS "run/systemd/sessions"

/* "card0-HDMI-A-1" -> "card0"; false for cards themselves and render nodes. */
static bool connector_card(const char *name, char *card, size_t n)
{
	const char *dash = strchr(name, '-');

	if (!startswith(name, "card") || !dash || (size_t)(dash - name) >= n)
		return false;
	snprintf(card, n, "%.*s", (int)(dash - name), name);
	return true;
}

static bool lit(const struct vfe_root *r, const char *name)
{
	char status[32], enabled[32];

	return vfe_read_attr(r, status, sizeof(status), PATH_CLASS_DRM "/%s/status", name) >= 0 &&
	       vfe_read_attr(r, enabled, sizeof(enabled), PATH_CLASS_DRM "/%s/enabled", name) >= 0 &&
	       streq(status, "connected") && streq(enabled, "enabled");
}

int vfe_display_drm(const struct vfe_root *r, char *what, size_t n)
{
	DIR *d = vfe_opendir(r, PATH_CLASS_DRM);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char card[64], drv[64] = "";
		if (!connector_card(de->d_name, card, sizeof(card)) || !lit(r, de->d_name))
			continue;
		(void)vfe_readlink_base(r, drv, sizeof(drv), PATH_CLASS_DRM "/%s/device/driver", card);
		if (streq(drv, VFIO_PCI_DRIVER))
			continue;
		snprintf(what, n, "%s (%s)", de->d_name, drv[0] ? drv : "no driver link");
		found = 1;
	}
	closedir(d);
	return found;
}

/* The value of KEY= in a session record's text, "" when absent. */
static const char *field(const char *text, const char *key, char *buf, size_t n)
{
	size_t l;
	const char *v = vfe_kv_find(text, key, &l);

	snprintf(buf, n, "%.*s", v ? (int)l : 0, v ? v : "");
	return buf;
}

static bool local_graphical(const char *text)
{
	char v[64];

	if (!streq(field(text, "CLASS", v, sizeof(v)), "user") || !streq(field(text, "SEAT", v, sizeof(v)), "seat0") ||
	    streq(field(text, "REMOTE", v, sizeof(v)), "1") || streq(field(text, "STATE", v, sizeof(v)), "closing"))
		return false;
	field(text, "TYPE", v, sizeof(v));
	return streq(v, "x11") || streq(v, "wayland") || streq(v, "mir");
}

int vfe_display_session(const struct vfe_root *r, char *what, size_t n)
{
	DIR *d = vfe_opendir(r, PATH_SESSIONS);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		_cleanup_free_ char *text = NULL;
		char rel[512], user[64], type[32];
		if (de->d_name[0] == '.' || strchr(de->d_name, '.')) /* logind's temporary files are ".#..." */
			continue;
		snprintf(rel, sizeof(rel), PATH_SESSIONS "/%s", de->d_name);
		if (vfe_read_file(r, rel, 64 * 1024, &text) < 0 || !local_graphical(text))
			continue;
		snprintf(what, n, "session %s of %s (%s on seat0)", de->d_name, field(text, "USER", user, sizeof(user)),
			 field(text, "TYPE", type, sizeof(type)));
		found = 1;
	}
	closedir(d);
	return found;
}
