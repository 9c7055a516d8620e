// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unified kernel images (Boot Loader Specification Type #2): the .efi files of EFI/Linux
 * on the ESP or XBOOTLDR, each a PE image with systemd-stub, the kernel and
 * the initrd, whose .osrel (os-release) and .cmdline sections say what it
 * is and which command line it boots. They join the Type #1 entries as
 * systemd-boot and bootctl list show them: the id is the file name
 * (lower-cased, without a boot counter), the title PRETTY_NAME, the sort key
 * IMAGE_ID or ID, the version IMAGE_VERSION, VERSION, VERSION_ID or BUILD_ID.
 * Only the few section bytes are read, never the whole image.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "common/kv.h"
#include "efi/bls/bls.h"
#include "efi/efi-paths.h"

#define SECTION_MAX (1u << 20)

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The PE section named name (".osrel"), NUL-terminated and malloc'd; -ENOENT when there is none. */
int vfe_uki_section(int fd, const char *name, char **ret)
{
	uint8_t hdr[4096];
	ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
	uint32_t pe, sect;
	uint16_t nsect;

	if (n < 0x40 || hdr[0] != 'M' || hdr[1] != 'Z')
		return -EBADMSG;
	pe = le32(hdr + 0x3c);
	if (pe > (size_t)n - 24 || memcmp(hdr + pe, "PE\0\0", 4) != 0)
		return -EBADMSG;
	nsect = le16(hdr + pe + 6);
	sect = pe + 24 + le16(hdr + pe + 20);
	for (uint16_t i = 0; i < nsect && sect + 40 * (i + 1) <= (size_t)n; i++) {
		const uint8_t *s = hdr + sect + 40 * i;
		uint32_t vsize = le32(s + 8), rsize = le32(s + 16), off = le32(s + 20), len;
		char *buf;
		if (strncmp((const char *)s, name, 8) != 0)
			continue;
		len = vsize && vsize < rsize ? vsize : rsize;
		if (len > SECTION_MAX || !(buf = malloc(len + 1)))
			return len > SECTION_MAX ? -EFBIG : -ENOMEM;
		if (pread(fd, buf, len, off) != (ssize_t)len) {
			free(buf);
			return -EIO;
		}
		buf[len] = '\0';
		*ret = buf;
		return 0;
	}
	return -ENOENT;
}

/* The value of key in os-release text, unquoted (malloc'd); NULL when absent or empty. */
static char *osrel_get(const char *text, const char *key)
{
	size_t vl;
	const char *v = vfe_kv_find(text, key, &vl);

	if (!v)
		return NULL;
	if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
		v++, vl -= 2;
	return vl ? strndup(v, vl) : NULL;
}

static char *first_of(const char *text, const char *const *keys)
{
	char *v = NULL;

	for (; !v && *keys; keys++)
		v = osrel_get(text, *keys);
	return v;
}

static int fill(struct vfe_bls_entry *e, const char *osrel, char *cmdline)
{
	static const char *const title[] = { "PRETTY_NAME", "IMAGE_ID", "NAME", "ID", NULL };
	static const char *const sort[] = { "IMAGE_ID", "ID", NULL };
	static const char *const version[] = { "IMAGE_VERSION", "VERSION", "VERSION_ID", "BUILD_ID", NULL };
	size_t l = cmdline ? strlen(cmdline) : 0;

	/* the stub hands the section over as it is: a trailing newline or NUL is not part of the options */
	while (l && (isspace((unsigned char)cmdline[l - 1]) || !cmdline[l - 1]))
		cmdline[--l] = '\0';
	e->title = first_of(osrel, title);
	e->sort_key = first_of(osrel, sort);
	e->version = first_of(osrel, version);
	e->options = cmdline;
	return 0;
}

static int add_uki(const struct vfe_root *r, const char *mount, const char *file, struct vfe_bls *b)
{
	_cleanup_(vfe_bls_entry_freep) struct vfe_bls_entry e = { 0 };
	_cleanup_free_ char *osrel = NULL, *cmdline = NULL;
	_cleanup_close_ int fd = -1;
	struct vfe_bls_entry *v;
	char rel[1024];

	snprintf(rel, sizeof(rel), "%s/%s/%s", mount, EFI_UKI_DIR, file);
	fd = openat(r->fd, rel, O_RDONLY | O_CLOEXEC);
	/* systemd-boot skips an image without .osrel: not a UKI */
	if (fd < 0 || vfe_uki_section(fd, ".osrel", &osrel) < 0)
		return 0;
	(void)vfe_uki_section(fd, ".cmdline", &cmdline);
	fill(&e, osrel, TAKE_PTR(cmdline));
	e.uki = true;
	e.id = vfe_bls_id(file);
	e.file = strdup(file);
	e.path = strdup(rel);
	e.mount = strdup(mount);
	if (asprintf(&e.efi, "/%s/%s", EFI_UKI_DIR, file) < 0)
		e.efi = NULL;
	e.bad = vfe_bls_is_bad(file);
	if (!e.id || !e.file || !e.path || !e.mount || !e.efi || !(v = realloc(b->v, (b->n + 1) * sizeof(*v))))
		return -ENOMEM;
	b->v = v;
	b->v[b->n++] = TAKE_STRUCT(e);
	return 0;
}

int vfe_uki_load(const struct vfe_root *r, const char *mount, struct vfe_bls *b)
{
	char rel[512];
	struct dirent *de;
	DIR *d;
	int k = 0;

	snprintf(rel, sizeof(rel), "%s/%s", mount, EFI_UKI_DIR);
	d = vfe_opendir(r, rel);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while (k >= 0 && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 || strcasecmp(de->d_name + l - 4, ".efi") != 0)
			continue;
		k = add_uki(r, mount, de->d_name, b);
	}
	closedir(d);
	return k;
}
