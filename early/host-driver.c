// SPDX-License-Identifier: GPL-2.0-or-later
#include "early/host-driver.h"

struct vfe_host_drivers {
	struct vfe_modules *mods;
	bool own_mods;
};

int vfe_host_drivers_new(const struct vfe_root *r, struct vfe_modules *mods, struct vfe_host_drivers **ret)
{
	struct vfe_host_drivers *h = calloc(1, sizeof(*h));
	int k;

	if (!h)
		return -ENOMEM;
	h->mods = mods;
	if (!mods) {
		k = vfe_modules_new(r, &h->mods);
		if (k < 0) {
			free(h);
			return k;
		}
		h->own_mods = true;
	}
	*ret = h;
	return 0;
}

void vfe_host_drivers_free(struct vfe_host_drivers *h)
{
	if (!h)
		return;
	if (h->own_mods)
		vfe_modules_free(h->mods);
	free(h);
}

bool vfe_host_driver_for(struct vfe_host_drivers *h, const struct vfe_dev *d, char *driver, size_t n)
{
	char modalias[VFE_MODALIAS_MAX];

	if (!h || !h->mods)
		return false;
	vfe_format_modalias(d, modalias);
	return vfe_modules_driver_for(h->mods, modalias, driver, n);
}

static bool ask(void *userdata, const struct vfe_dev *d, char *driver, size_t n)
{
	return vfe_host_driver_for(userdata, d, driver, n);
}

struct vfe_plan_ops vfe_host_drivers_ops(struct vfe_host_drivers *h)
{
	return (struct vfe_plan_ops){ h ? ask : NULL, h };
}
