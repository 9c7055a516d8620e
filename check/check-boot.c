// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early check: the no-passthrough recovery entry, through each boot-loader backend in use (efi/boot.h). */
#include <stdio.h>

#include "check/check.h"
#include "common/strbuf.h"
#include "efi/boot.h"

static void one_backend(struct check_env *env, const struct vfe_boot_backend *b, struct vfe_boot_ctx *ctx)
{
	struct vfe_boot_status st = { 0 };
	char id[64], title[96];
	int k;

	snprintf(id, sizeof(id), "recovery-entry:%s", b->name);
	snprintf(title, sizeof(title), "recovery entry (%s)", b->name);
	if (!b->status) {
		check_add(env->rep, id, title, CHECK_SKIP, NULL, "not available in this build");
		return;
	}
	k = b->status(ctx, &st);
	if (k < 0)
		check_add(env->rep, id, title, CHECK_WARN, "see the error above; 'vfio-early boot show' tells more",
			  "cannot read its state: %s", strerror(-k));
	else if (startswith(st.recovery_health, "ok"))
		check_add(env->rep, id, title, CHECK_PASS, NULL, "%s%s%s", st.recovery_health,
			  st.next_boot[0] ? "; next boot: " : "", st.next_boot);
	else
		/* the firmware's Boot#### entry is a second way back; the boot loader's own entry is the first */
		check_add(env->rep, id, title, (b->flags & VFE_BACKEND_FIRMWARE_MENU) ? CHECK_WARN : CHECK_FAIL,
			  "sudo vfio-early boot install", "%s", st.recovery_health[0] ? st.recovery_health : "missing");
}

void check_boot_entries(struct check_env *env)
{
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = env->root, .dry_run = true, .no_update = true, .out = &out };
	size_t found = 0;

	for (size_t i = 0; vfe_boot_backends[i]; i++) {
		const struct vfe_boot_backend *b = vfe_boot_backends[i];
		if (!b->detect || b->detect(&ctx) <= 0)
			continue;
		found++;
		one_backend(env, b, &ctx);
	}
	if (!found)
		check_add(env->rep, "recovery-entry", "recovery entry", CHECK_SKIP, NULL,
			  "no supported boot loader detected");
	sb_free(&out);
}
