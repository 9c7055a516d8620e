// SPDX-License-Identifier: GPL-2.0-or-later
/* Building and reading EFI load options (see loadopt.h). */
#include <efivar/efiboot.h>
#include <efivar/efivar.h>

#include "efi/efi-paths.h"
#include "efi/efivars.h"
#include "efi/firmware/firmware.h"

static ssize_t real_file_dp(const char *abspath, uint8_t *buf, ssize_t size)
{
	return efi_generate_file_device_path(buf, size, abspath, EFIBOOT_ABBREV_HD);
}

const struct vfe_efi_dp_ops vfe_efi_dp_real = { .file_dp = real_file_dp };
const struct vfe_efi_dp_ops *vfe_efi_dp_ops = &vfe_efi_dp_real;

int vfe_loadopt_build(const char *abspath, const char *desc, const char *cmdline, uint8_t **ret, size_t *ret_len)
{
	_cleanup_free_ uint8_t *dp = NULL, *args = NULL, *opt = NULL;
	size_t args_len;
	ssize_t dp_len, n;
	int k;

	dp_len = vfe_efi_dp_ops->file_dp(abspath, NULL, 0);
	if (dp_len <= 0 || !(dp = malloc((size_t)dp_len)))
		return dp_len <= 0 ? -ENODEV : -ENOMEM;
	if (vfe_efi_dp_ops->file_dp(abspath, dp, dp_len) != dp_len)
		return -ENODEV;
	k = vfe_utf16_encode(cmdline, &args, &args_len);
	if (k < 0)
		return k;
	args_len -= 2; /* the stub takes the data's length; no NUL, as efibootmgr -u writes it */
	n = efi_loadopt_create(NULL, 0, EFI_LOAD_OPTION_ACTIVE, (efidp)dp, dp_len, (unsigned char *)desc, args,
			       args_len);
	if (n <= 0 || !(opt = malloc((size_t)n)))
		return n <= 0 ? -EINVAL : -ENOMEM;
	if (efi_loadopt_create(opt, n, EFI_LOAD_OPTION_ACTIVE, (efidp)dp, dp_len, (unsigned char *)desc, args,
			       args_len) != n)
		return -EINVAL;
	*ret = opt;
	*ret_len = (size_t)n;
	opt = NULL;
	return 0;
}

/* attributes (4), FilePathListLength (2), Description (UTF-16, NUL), FilePathList, OptionalData */
char *vfe_loadopt_desc(const uint8_t *opt, size_t len)
{
	return len < 8 ? NULL : vfe_utf16_decode(opt + 6, len - 6, NULL);
}

char *vfe_loadopt_cmdline(const uint8_t *opt, size_t len)
{
	size_t used, dpl, off;
	char *d;

	if (len < 8)
		return NULL;
	dpl = opt[4] | (size_t)opt[5] << 8;
	d = vfe_utf16_decode(opt + 6, len - 6, &used);
	free(d);
	off = 6 + used + dpl;
	return off > len ? NULL : vfe_utf16_decode(opt + off, len - off, NULL);
}

/* The file path node (media 0x04, subtype 0x04) of the option's device path, '\'-separated; NULL when none. */
char *vfe_loadopt_file(const uint8_t *opt, size_t len)
{
	size_t used, dpl, off, end;
	char *d;

	if (len < 8)
		return NULL;
	dpl = opt[4] | (size_t)opt[5] << 8;
	d = vfe_utf16_decode(opt + 6, len - 6, &used);
	free(d);
	off = 6 + used;
	end = off + dpl;
	if (end > len)
		return NULL;
	while (off + 4 <= end) {
		size_t nl = opt[off + 2] | (size_t)opt[off + 3] << 8;
		if (nl < 4 || off + nl > end || opt[off] == 0x7f)
			return NULL;
		if (opt[off] == 0x04 && opt[off + 1] == 0x04)
			return vfe_utf16_decode(opt + off + 4, nl - 4, NULL);
		off += nl;
	}
	return NULL;
}
