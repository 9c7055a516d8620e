// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A PCI function added after boot, from udev's "add" event in the real root
 * (early/udev/61-vfio-early.rules.in runs vfio-early-bind --added=BDF): SR-IOV
 * virtual functions, hotplugged cards, Thunderbolt/USB4 devices authorised
 * after the switch to the real root.
 *
 * The flow is the boot's (run.h): the same config, kernel command line,
 * plan and guards, and the same bounded bind; only the targets differ
 * (those in the new function's IOMMU group) and the record: their lines go
 * into the boot's status record, marked late. Writers take turns on the
 * record's directory lock, held from deciding to recording, so the events
 * of a card's functions, which udev handles in parallel, bind its group
 * once.
 *
 * The rule runs for kernel "add" events only, not for the "add" events
 * udev replays at every start (udevadm trigger: those carry SYNTH_UUID), so
 * devices that were there at boot are the initramfs binder's alone.
 */
#include <stdio.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/run.h"

/* The targets in the IOMMU group of the new function (or the function itself, outside any group). */
static bool pick(const struct vfe_run *x, const struct vfe_dev *d, bool *wanted)
{
	int group = -1;
	bool any = false;

	for (size_t i = 0; i < x->plan.n; i++)
		if (x->plan.t[i].dev == d)
			group = d->group, any = true;
	for (size_t i = 0; any && i < x->plan.n; i++) {
		const struct vfe_dev *t = x->plan.t[i].dev;
		wanted[i] = t && (t == d || (group >= 0 && t->group == group));
	}
	return any;
}

static int record_late(struct vfe_run *x, const struct vfe_root *dir, const bool *wanted)
{
	struct vfe_status st = { 0 }, fresh = { 0 };
	size_t w = 0;
	int k;

	vfe_run_boot_line(x, &fresh);
	snprintf(fresh.reason, sizeof(fresh.reason), "no record from the initramfs binder this boot (is vfio-early "
		 "in the initramfs?); devices added after boot only");
	snprintf(fresh.state, sizeof(fresh.state), "done");
	k = vfe_status_add_results(&st, &x->plan, x->res);
	for (size_t i = 0; k >= 0 && i < x->plan.n; i++)
		if (wanted[i]) {
			st.devs[w] = st.devs[i];
			st.devs[w++].late = true;
		}
	if (k >= 0)
		k = vfe_status_update(dir, st.devs, w, &fresh);
	if (k < 0)
		log_error_errno(k, "cannot write the status record /%s: %m", PATH_STATUS);
	vfe_status_free(&st);
	return k;
}

static int act(struct vfe_run *x, const struct vfe_root *dir, const char *bdf)
{
	_cleanup_free_ bool *wanted = NULL;
	struct vfe_pci_addr a;
	const struct vfe_dev *d;
	bool any_bind = false;
	char tally[200];

	if (vfe_parse_pci_addr(bdf, &a) < 0 || vfe_run_decide(x) < 0)
		return 0;
	d = vfe_pci_find(&x->pci, &a);
	wanted = calloc(x->plan.n + 1, sizeof(*wanted));
	if (!d || !wanted || !pick(x, d, wanted))
		return 0; /* gone again, or not configured: not ours */
	for (size_t i = 0; i < x->plan.n; i++) {
		if (!wanted[i])
			continue;
		if (x->res[i].action == VFE_ACT_BIND)
			any_bind = true;
		else
			vfe_run_log_result(x, i, " after boot");
	}
	if (any_bind && !x->o->dry_run)
		vfe_run_bind(x, wanted, NULL);
	for (size_t i = 0; i < x->plan.n; i++)
		if (wanted[i] && x->plan.t[i].action == VFE_ACT_BIND)
			vfe_run_log_result(x, i, " after boot");
	vfe_run_tally(x, wanted, tally, sizeof(tally));
	log_info("%s added after boot: done in %llu us: %s", bdf,
		 (unsigned long long)(vfe_now_us() - x->started_us), tally);
	return record_late(x, dir, wanted);
}

int vfe_binder_added(const struct vfe_root *r, const struct vfe_binder_opts *o, const char *bdf)
{
	struct vfe_root dir = { .fd = -1 };
	struct vfe_run x;
	int k = 0, saved;

	vfe_run_init(&x, r, o);
	x.late = true;
	/* config problems are the boot's to report: not again at every hotplug event of the machine */
	saved = log_get_max_level();
	log_set_max_level(LOG_ERR);
	vfe_run_read_inputs(&x);
	log_set_max_level(saved);
	/* a recovery boot binds nothing, late or not; no config, nothing to do: both silently */
	if (vfe_run_configured(&x)) {
		k = vfe_status_dir_open(r, &dir);
		if (k >= 0)
			k = vfe_status_lock(&dir);
		if (k < 0)
			log_error_errno(k, "%s: cannot open and lock /%s: %m; not bound", bdf, PATH_STATUS_DIR);
		else
			k = act(&x, &dir, bdf);
	}
	log_flush();
	vfe_root_close(&dir);
	vfe_run_free(&x);
	return k;
}
