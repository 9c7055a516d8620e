// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading EFI variables from efivarfs under the root prefix (see efivarfs.h). */
#include <stdio.h>

#include "common/efivarfs.h"
#include "common/paths.h"

#define EFIVAR_MAX (1u << 20)

int vfe_efivar_read(const struct vfe_root *r, const char *name, const char *guid, uint32_t *ret_attrs,
		    uint8_t **ret_data, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	char p[512];
	int l;

	if (snprintf(p, sizeof(p), "%s/%s-%s", PATH_EFIVARS, name, guid) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	l = vfe_read_file(r, p, EFIVAR_MAX, &buf);
	if (l < 0)
		return l;
	if (l < 4)
		return -EIO; /* efivarfs always has the attribute word */
	if (ret_attrs)
		*ret_attrs = (uint32_t)(uint8_t)buf[0] | (uint32_t)(uint8_t)buf[1] << 8 |
			     (uint32_t)(uint8_t)buf[2] << 16 | (uint32_t)(uint8_t)buf[3] << 24;
	if (ret_len)
		*ret_len = (size_t)l - 4;
	if (ret_data) {
		memmove(buf, buf + 4, (size_t)l - 4 + 1); /* vfe_read_file NUL-terminates */
		*ret_data = (uint8_t *)TAKE_PTR(buf);
	}
	return 0;
}

char *vfe_utf16_decode(const uint8_t *p, size_t len, size_t *ret_used)
{
	char *s = malloc(len / 2 * 3 + 1);
	size_t o = 0, i;

	if (!s)
		return NULL;
	for (i = 0; i + 1 < len; i += 2) {
		uint32_t c = p[i] | (uint32_t)p[i + 1] << 8;
		if (!c) {
			i += 2;
			break;
		}
		if (c < 0x80) {
			s[o++] = (char)c;
		} else if (c < 0x800) {
			s[o++] = (char)(0xc0 | c >> 6);
			s[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			s[o++] = (char)(0xe0 | c >> 12);
			s[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	s[o] = '\0';
	if (ret_used)
		*ret_used = i > len ? len : i;
	return s;
}

int vfe_efivar_read_string(const struct vfe_root *r, const char *name, const char *guid, char **ret)
{
	_cleanup_free_ uint8_t *d = NULL;
	size_t l;
	int k = vfe_efivar_read(r, name, guid, NULL, &d, &l);

	if (k < 0)
		return k;
	*ret = vfe_utf16_decode(d, l, NULL);
	return *ret ? 0 : -ENOMEM;
}
