/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "common/root.h"

/*
 * Does the host's own display work this boot? What `vfio-early confirm
 * --auto` waits for (docs/fallback.md). Both read files under the root
 * prefix, so tests give them fake trees.
 */

/*
 * A DRM connector (/sys/class/drm/cardN-CONNECTOR) with status "connected"
 * and enabled "enabled" (a mode is set on it: something is drawn there), on
 * a card whose driver is not vfio-pci. 1 with the connector and driver in
 * what[n] ("card0-HDMI-A-1 (amdgpu)"), 0 when there is none.
 */
int vfe_display_drm(const struct vfe_root *r, char *what, size_t n);

/*
 * A local graphical session on seat0 from logind's session records
 * (/run/systemd/sessions/ID, which sd-login reads): class user, type x11,
 * wayland or mir, seat0, not remote, not closing. 1 with the session in
 * what[n], 0 when there is none.
 */
int vfe_display_session(const struct vfe_root *r, char *what, size_t n);
