// SPDX-License-Identifier: GPL-2.0-or-later
/* The config file parser; every entry it accepts must survive a format/parse round trip. */
#include "common/log.h"
#include "early/config.h"
#include "tests/fuzz/fuzz.h"

static void round_trip(const struct vfe_entry *e)
{
	struct vfe_config c = { 0 };
	char *line = vfe_entry_format(e);
	const struct vfe_entry *b;

	FUZZ_ASSERT(line);
	FUZZ_ASSERT(vfe_config_parse(&c, "again", line) == 0);
	FUZZ_ASSERT(c.n == 1 && c.problems.n == 0);
	b = &c.entries[0];
	FUZZ_ASSERT(b->has_addr == e->has_addr && b->has_id == e->has_id && b->has_subsys == e->has_subsys);
	FUZZ_ASSERT(!e->has_addr || vfe_pci_addr_eq(&b->addr, &e->addr));
	FUZZ_ASSERT(!e->has_id || (b->id.vendor == e->id.vendor && b->id.device == e->id.device));
	FUZZ_ASSERT(!e->has_subsys || (b->subsys.vendor == e->subsys.vendor && b->subsys.device == e->subsys.device));
	FUZZ_ASSERT(b->group == e->group && b->allow_boot_vga == e->allow_boot_vga &&
		    b->allow_storage == e->allow_storage);
	free(line);
	vfe_config_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfe_config c = { 0 };
	char *text = fuzz_strdup(data, size);

	log_set_max_level(-1);
	if (vfe_config_parse(&c, "fuzz.conf", text) == 0)
		for (size_t i = 0; i < c.n; i++)
			round_trip(&c.entries[i]);
	vfe_config_free(&c);
	free(text);
	return 0;
}
