// SPDX-License-Identifier: GPL-2.0-or-later
/* The plan's data: targets and their decisions (see plan.h). Building it is plan-build.c's. */
#include <stdarg.h>
#include <stdio.h>

#include "early/plan.h"

static const char *const action_names[] = {
	[VFE_ACT_BIND] = "bind",       [VFE_ACT_REFUSE] = "refused", [VFE_ACT_SKIP] = "skipped",
	[VFE_ACT_BOUND] = "bound",     [VFE_ACT_ALREADY] = "already-bound", [VFE_ACT_FAILED] = "failed",
	[VFE_ACT_TIMEOUT] = "timed-out",
};

const char *vfe_action_name(enum vfe_action a)
{
	return (size_t)a < ELEMENTSOF(action_names) ? action_names[a] : "unknown";
}

int vfe_action_from_name(const char *s, enum vfe_action *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
		if (streq(s, action_names[i]))
			return *ret = (enum vfe_action)i, 0;
	return -EINVAL;
}

void vfe_target_decide(struct vfe_target *t, enum vfe_action a, const char *fmt, ...)
{
	va_list ap;

	t->action = a;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
}

struct vfe_target *vfe_plan_push(struct vfe_plan *p, const struct vfe_dev *d, const struct vfe_entry *e)
{
	struct vfe_target *n = realloc(p->t, (p->n + 1) * sizeof(*n));

	if (!n)
		return NULL;
	p->t = n;
	n = &p->t[p->n++];
	*n = (struct vfe_target){ .dev = d, .entry = e, .action = VFE_ACT_BIND };
	return n;
}

struct vfe_target *vfe_plan_find(const struct vfe_plan *p, const struct vfe_dev *d)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].dev == d)
			return &p->t[i];
	return NULL;
}

bool vfe_plan_binds(const struct vfe_plan *p, const struct vfe_dev *d)
{
	const struct vfe_target *t = vfe_plan_find(p, d);

	return t && t->action == VFE_ACT_BIND;
}

void vfe_plan_free(struct vfe_plan *p)
{
	free(p->t);
	*p = (struct vfe_plan){ 0 };
}
