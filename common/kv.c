// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "common/kv.h"

const char *vfe_kv_find(const char *text, const char *key, size_t *len)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, kl) == 0 && l[kl] == '=') {
			*len = strcspn(l + kl + 1, "\n");
			return l + kl + 1;
		}
	return NULL;
}
