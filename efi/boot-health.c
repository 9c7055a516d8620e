// SPDX-License-Identifier: GPL-2.0-or-later
/* The recovery entry's health as a machine value, for status, check and boot show --json. */
#include "efi/boot.h"

const char *vfe_boot_recovery_state(const char *health)
{
	static const struct {
		const char *prefix, *state;
	} states[] = {
		{ "ok", "ok" },
		{ "missing", "missing" },
		{ "stale", "stale" },
		{ "not installed", "not_installed" },
	};

	for (size_t i = 0; health && i < ELEMENTSOF(states); i++)
		if (startswith(health, states[i].prefix))
			return states[i].state;
	return "unknown";
}

void vfe_boot_json_recovery(struct strbuf *sb, const char *health)
{
	char last = sb->len && sb->s ? sb->s[sb->len - 1] : '{';

	if (last != '{' && last != '[' && last != ',')
		sb_putc(sb, ',');
	sb_put_json_string(sb, "recovery");
	sb_puts(sb, ":{");
	sb_put_json_member(sb, "state", vfe_boot_recovery_state(health));
	sb_put_json_member(sb, "detail", health && *health ? health : NULL);
	sb_putc(sb, '}');
}
