// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <sys/utsname.h>

#include "common/paths.h"
#include "early/host-driver.h"

struct vfe_host_drivers {
	struct vfe_modules *index; /* NULL: no index, nothing is known */
};

int vfe_host_drivers_new(const struct vfe_root *r, const char *dir, struct vfe_host_drivers **ret)
{
	struct vfe_host_drivers *h = calloc(1, sizeof(*h));
	int k;

	if (!h)
		return -ENOMEM;
	k = dir ? vfe_modules_new_index(r, dir, &h->index) : -ENOENT;
	if (k < 0 && k != -ENOENT) {
		free(h);
		return k;
	}
	*ret = h;
	return 0;
}

int vfe_host_drivers_installed(const struct vfe_root *r, const char *release, struct vfe_host_drivers **ret)
{
	char dir[256], running[128];
	struct utsname u;

	/* under a test root its own kernel, so a tree can name one */
	if (!release && vfe_read_attr(r, running, sizeof(running), "proc/sys/kernel/osrelease") > 0)
		release = running;
	else if (!release && uname(&u) == 0)
		release = u.release;
	snprintf(dir, sizeof(dir), PATH_MODULES "/%s", release ? release : "");
	return vfe_host_drivers_new(r, dir, ret);
}

int vfe_host_drivers_image(const struct vfe_root *r, struct vfe_host_drivers **ret)
{
	return vfe_host_drivers_new(r, PATH_IMAGE_FACTS, ret);
}

void vfe_host_drivers_free(struct vfe_host_drivers *h)
{
	if (!h)
		return;
	vfe_modules_free(h->index);
	free(h);
}

bool vfe_host_drivers_known(const struct vfe_host_drivers *h)
{
	return h && h->index;
}

enum vfe_host_verdict vfe_host_driver_for(struct vfe_host_drivers *h, const struct vfe_dev *d, char *driver,
					  size_t n)
{
	char modalias[VFE_MODALIAS_MAX];
	int k;

	if (!vfe_host_drivers_known(h))
		return VFE_HOST_UNKNOWN;
	vfe_format_modalias(d, modalias);
	k = vfe_modules_driver_for(h->index, modalias, driver, n);
	return k > 0 ? VFE_HOST_CLAIMED : k == 0 ? VFE_HOST_NONE : VFE_HOST_UNKNOWN;
}

static enum vfe_host_verdict ask(void *userdata, const struct vfe_dev *d, char *driver, size_t n)
{
	return vfe_host_driver_for(userdata, d, driver, n);
}

struct vfe_plan_ops vfe_host_drivers_ops(struct vfe_host_drivers *h, const struct vfe_protected *prot)
{
	return (struct vfe_plan_ops){ ask, h, prot };
}
