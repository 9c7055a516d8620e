/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "early/facts.h"
#include "early/plan.h"

/*
 * Matching: which devices the entries ask for. No I/O: the scan's ids and
 * addresses, and the IOMMU groups already read into the facts.
 */

/*
 * One target per device an entry names (the first entry naming a device
 * decides), to be bound; a skipped target for an entry that names no
 * device, or whose address now holds another card.
 */
int vfe_match_entries(struct vfe_plan *p, const struct vfe_pci *pci, const struct vfe_entry *entries, size_t n);

/* Does t bring the rest of its IOMMU group (group=whole, still to be bound, in a group)? */
bool vfe_match_takes_group(const struct vfe_target *t);

/* group=whole: the other endpoints of such a target's IOMMU group come along (vfe_facts_devices() read them). */
int vfe_match_groups(struct vfe_plan *p, const struct vfe_facts *f);
