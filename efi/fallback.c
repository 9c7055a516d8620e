// SPDX-License-Identifier: GPL-2.0-or-later
/* The automatic fallback's states in words (see boot.h). */
#include <stdio.h>

#include "efi/boot.h"

const char *vfe_fallback_state_name(enum vfe_fallback_state s)
{
	static const char *const names[] = {
		[VFE_FALLBACK_NONE] = "none",		[VFE_FALLBACK_OFF] = "off",
		[VFE_FALLBACK_UNAVAILABLE] = "unavailable", [VFE_FALLBACK_ARMED] = "armed",
		[VFE_FALLBACK_CONFIRMED] = "confirmed", [VFE_FALLBACK_FALLEN] = "fallen",
	};

	return (size_t)s < ELEMENTSOF(names) && names[s] ? names[s] : "unknown";
}

void vfe_fallback_describe(const struct vfe_fallback *f, char *buf, size_t n)
{
	const char *sep = f->why[0] ? "; " : "";

	switch (f->state) {
	case VFE_FALLBACK_OFF:
		snprintf(buf, n, "off (\"fallback off\" in the config)");
		break;
	case VFE_FALLBACK_UNAVAILABLE:
		snprintf(buf, n, "not available: %s", f->why);
		break;
	case VFE_FALLBACK_ARMED:
		if (f->left)
			snprintf(buf, n, "armed: %u unconfirmed passthrough boot%s left, then the '(no GPU passthrough)' "
				 "entry (%s)%s%s", f->left, f->left == 1 ? "" : "s", f->counter, sep, f->why);
		else
			snprintf(buf, n, "armed: no unconfirmed passthrough boot left: unless this one is confirmed, the next "
				 "boot is the '(no GPU passthrough)' entry (%s)%s%s", f->counter, sep, f->why);
		break;
	case VFE_FALLBACK_CONFIRMED:
		snprintf(buf, n, "confirmed: not counting until the next kernel or config change (%s)%s%s", f->counter,
			 sep, f->why);
		break;
	case VFE_FALLBACK_FALLEN:
		snprintf(buf, n, "fell back: recovery boots until 'vfio-early boot passthrough --default', or until the "
			 "host display is fixed and 'vfio-early confirm' runs (%s)", f->counter);
		break;
	default:
		snprintf(buf, n, "not armed (%s)", f->why[0] ? f->why : "'vfio-early boot install' arms it");
	}
}

void vfe_fallback_json(struct strbuf *o, const struct vfe_fallback *f)
{
	sb_putc(o, '{');
	sb_put_json_member(o, "state", vfe_fallback_state_name(f->state));
	sb_printf(o, ",\"left\":");
	if (f->state == VFE_FALLBACK_ARMED)
		sb_printf(o, "%u", f->left);
	else
		sb_puts(o, "null");
	sb_put_json_member(o, "counter", f->counter[0] ? f->counter : NULL);
	sb_put_json_member(o, "note", f->why[0] ? f->why : NULL);
	sb_putc(o, '}');
}
