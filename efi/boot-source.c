// SPDX-License-Identifier: GPL-2.0-or-later
/* The passthrough entry the firmware backend copies (see struct vfe_boot_source in boot.h). */
#include "efi/boot.h"

int vfe_boot_find_source(struct vfe_boot_ctx *ctx, struct vfe_boot_source *ret)
{
	for (size_t i = 0; vfe_boot_backends[i]; i++) {
		const struct vfe_boot_backend *b = vfe_boot_backends[i];
		if (b->source && b->detect(ctx) > 0 && b->source(ctx, ret) >= 0)
			return 0;
	}
	return -ENOENT;
}

void vfe_boot_source_free(struct vfe_boot_source *s)
{
	free(s->title);
	free(s->kernel);
	strv_free(&s->initrd);
	free(s->options);
	*s = (struct vfe_boot_source){ 0 };
}
