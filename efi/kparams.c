// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel parameters of boot install (see kparams.h). */
#include "efi/kparams.h"
#include "recovery/recovery-cmdline.h"

int vfe_kparams_wanted(const struct vfe_boot_params *p, struct strv *ret)
{
	int k = 0;

	if (p->iommu)
		k = strv_push(ret, p->iommu);
	if (k >= 0 && p->iommu_pt)
		k = strv_push(ret, "iommu=pt");
	if (k >= 0 && p->ignore_msrs)
		k = strv_push(ret, "kvm.ignore_msrs=1");
	return k;
}

static int collect(const struct vfe_karg *a, void *userdata)
{
	_cleanup_free_ char *one = strndup(a->text, a->len), *rec = NULL;
	int k;

	if (!one)
		return -ENOMEM;
	if (vfe_param_eq(a->name, "intel_iommu") || vfe_param_eq(a->name, "amd_iommu") ||
	    vfe_param_eq(a->name, "iommu") || vfe_param_eq(a->name, "kvm.ignore_msrs") || vfe_kcmdline_ours(a->name))
		return strv_push(userdata, one);
	k = vfe_recovery_cmdline(one, &rec);
	if (k < 0)
		return k;
	return streq(rec, VFE_RECOVERY_PARAM) ? strv_push(userdata, one) : 0; /* the recovery entry drops it */
}

int vfe_kparams_passthrough(const char *opts, struct strv *ret)
{
	return vfe_kcmdline_each(opts, collect, ret, NULL);
}
