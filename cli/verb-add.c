// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early add: what becomes of each device named, so that what add
 * writes is what the binder accepts: the same guards (early/guard.h), the
 * IOMMU group settled before the entry is written, the entries already
 * there taken into account. cli/add-write.c writes, cli/add-warn.c warns.
 */
#include <stdio.h>

#include "check/system-paths.h"
#include "cli/add.h"
#include "cli/devices.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/guard.h"

static const struct cli_help add_help = {
	.cmd = "add",
	.usage = "[--group|--function] [--allow-boot-vga] [--allow-storage] [--dry-run] DEVICE...",
	.arg = "DEVICE",
	.text = "Adds each DEVICE to /etc/vfio-early.conf: a PCI address as lspci prints it (0000:01:00.0,\n"
		"01:00.0, 1:0.0) or a vendor:device id (10de:2684) that one device has. The entry records\n"
		"the address and the id, so a card moved or swapped is never bound.\n\n"
		"When the device's IOMMU group holds other endpoints, the binder passes them through with it\n"
		"or refuses the group: add asks on a terminal, and otherwise wants one of\n"
		"  --group           take every other function of its IOMMU group too (group=whole)\n"
		"  --function        this function alone (the others must be added, or the group is refused)\n"
		"A device already configured is changed to what the options say (add --group on it makes\n"
		"its entry group=whole).\n"
		"  --allow-boot-vga  allow the boot VGA (the host's display) to be passed through\n"
		"  --allow-storage   allow a storage controller that holds no mounted file system\n"
		"  --dry-run         print the change, write nothing\n",
};

static int parse_add_opts(struct vfe_cli *cli, int argc, char **argv, struct add_opts *o)
{
	enum { ARG_GROUP = 0x100, ARG_FUNCTION, ARG_ALLOW_BOOT_VGA, ARG_ALLOW_STORAGE };
	static const struct option options[] = {
		{ "group", no_argument, NULL, ARG_GROUP },
		{ "function", no_argument, NULL, ARG_FUNCTION },
		{ "allow-boot-vga", no_argument, NULL, ARG_ALLOW_BOOT_VGA },
		{ "allow-storage", no_argument, NULL, ARG_ALLOW_STORAGE },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = cli_getopt(argc, argv, "h", options, &add_help)) > 0) {
		switch (c) {
		case ARG_GROUP:
		case ARG_FUNCTION:
			if (o->group != GROUP_UNSET && o->group != (c == ARG_GROUP ? GROUP_WHOLE : GROUP_FUNCTION))
				return cli_usage_error(&add_help, "--group and --function exclude each other");
			o->group = c == ARG_GROUP ? GROUP_WHOLE : GROUP_FUNCTION;
			break;
		case ARG_ALLOW_BOOT_VGA:
			o->allow_boot_vga = true;
			break;
		case ARG_ALLOW_STORAGE:
			o->allow_storage = true;
			break;
		case 'n':
			cli->dry_run = true;
			break;
		case 'h':
			return cli_help(&add_help);
		}
	}
	return c < 0 ? c : cli_check_args(&add_help, argc, argv, optind, 1, -1);
}

/* The one device an argument names; logs why not. */
static const struct vfe_dev *resolve(const struct vfe_pci *pci, const char *arg)
{
	_cleanup_free_ const struct vfe_dev **devs = calloc(pci->n + 1, sizeof(*devs));
	struct cli_devarg a;
	int n;

	if (!devs)
		return log_error("out of memory"), NULL;
	if (cli_devarg_parse(arg, &a) < 0)
		return NULL;
	n = cli_devarg_find(&a, pci, devs);
	if (n > 1) {
		log_error("%d devices have id %s (%s, %s%s): add the one you mean by its address", n, a.canon,
			  devs[0]->name, devs[1]->name, n > 2 ? ", ..." : "");
		return NULL;
	}
	return n == 1 ? devs[0] : NULL;
}

/* True when a mounted file system lives on a block device below this PCI function. */
static bool holds_mounted_fs(const struct vfe_root *r, const struct vfe_dev *d)
{
	_cleanup_free_ char *mi = NULL;
	char needle[VFE_ADDR_STRLEN + 2], target[PATH_MAX];
	char *save = NULL;

	if (vfe_read_file(r, PATH_MOUNTINFO, 4 << 20, &mi) < 0)
		return false;
	snprintf(needle, sizeof(needle), "/%s/", d->name);
	for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned id, parent, maj, min;
		if (sscanf(line, "%u %u %u:%u", &id, &parent, &maj, &min) != 4 || maj == 0)
			continue;
		/* sys/dev/block/8:1 -> ../../devices/pci0000:00/0000:00:1f.2/ata1/.../sda/sda1 */
		if (vfe_readlink(r, target, sizeof(target), PATH_SYS_DEV_BLOCK "/%u:%u", maj, min) >= 0 &&
		    strstr(target, needle))
			return true;
	}
	return false;
}

/*
 * Refuses what the binder would refuse anyway (the same guard, early/guard.h,
 * judged before the IOMMU is on, with the same facts of the running system:
 * the devices behind its file systems), and a storage controller holding
 * any other mounted file system, which only the running system can tell.
 */
static int check_addable(const struct add_ctx *c, const struct vfe_dev *d, const struct vfe_entry *e)
{
	const struct vfe_protected_dev *p = vfe_protected_find(&c->prot, &d->addr);

	if (!p && vfe_dev_is_storage(d) && holds_mounted_fs(&c->cli->root, d))
		return log_error_errno(-EBUSY, "%s is a storage controller holding a mounted file system: "
				       "passing it through would take the host's disks", d->name);
	switch (vfe_guard_device(d, e, VFE_IOMMU_LATER, &c->prot)) {
	case VFE_GUARD_BRIDGE:
		return log_error_errno(-EINVAL, "%s is a PCI bridge (class %04x): bridges are never passed through",
				       d->name, d->class);
	case VFE_GUARD_PROTECTED:
		return log_error_errno(-EBUSY, "%s is on the path to the host's running system: %s; it is never passed "
				       "through (allow-storage does not change that)", d->name, p->what);
	case VFE_GUARD_STORAGE:
		return log_error_errno(-EINVAL, "%s is a storage controller (class %04x): add --allow-storage if it "
				       "holds none of the host's disks", d->name, d->class);
	case VFE_GUARD_BOOT_VGA:
		return log_error_errno(-EINVAL, "%s is the boot VGA, the host's display: the binder refuses it unless "
				       "you add --allow-boot-vga (the host then boots without a picture; install the "
				       "recovery entry first: sudo vfio-early boot install)", d->name);
	case VFE_GUARD_NO_IOMMU:
	case VFE_GUARD_NO_GROUP:
	case VFE_GUARD_PASS:
		break; /* the IOMMU is judged at boot: add comes before boot install turns it on */
	}
	return 0;
}

/*
 * group=whole, pinned: every member of the group as it is now, with its id
 * (members=), so a member that joins it later (another kernel, an ACS
 * override, a firmware update) refuses the group at boot.
 */
static int pin_members(const struct add_ctx *c, struct add_item *it)
{
	const struct vfe_dev *d = it->d;

	if (it->e.group != VFE_GROUP_WHOLE)
		return 0;
	if (d->group < 0) {
		printf("%s is in no IOMMU group yet (the IOMMU is off): the group is not pinned; run 'vfio-early add "
		       "--group %s' again once it is on.\n", d->name, d->name);
		return 0;
	}
	it->e.n_members = 0;
	for (size_t i = 0; i < c->pci.n; i++) {
		if (c->pci.devs[i].group != d->group)
			continue;
		if (it->e.n_members == VFE_MEMBERS_MAX)
			return log_error_errno(-E2BIG, "IOMMU group %d has more than %d members: too many to pin; "
					       "add the functions one by one with --function", d->group, VFE_MEMBERS_MAX);
		it->e.members[it->e.n_members++] = (struct vfe_member){ c->pci.devs[i].addr, c->pci.devs[i].id };
	}
	return 0;
}

/* Is d passed through once this call is done: by the config, or by an item of this call (directly or its group)? */
static bool covered(const struct add_ctx *c, const struct vfe_dev *d)
{
	const struct vfe_dev *via;

	if (cli_entry_for(&c->cfg, &c->pci, d, &via))
		return true;
	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		if (it->d == d || (it->write && it->e.group == VFE_GROUP_WHOLE && d->group >= 0 && it->d->group == d->group &&
				   !vfe_dev_is_bridge(d)))
			return true;
	}
	return false;
}

/* The other endpoints of d's IOMMU group that nothing passes through; into others (room for pci.n). */
static size_t left_out(const struct add_ctx *c, const struct vfe_dev *d, const struct vfe_dev **others)
{
	size_t n = 0;

	for (size_t j = 0; d->group >= 0 && j < c->pci.n; j++) {
		const struct vfe_dev *m = &c->pci.devs[j];
		if (m != d && m->group == d->group && !vfe_dev_is_bridge(m) && !covered(c, m))
			others[n++] = m;
	}
	return n;
}

/* Asks on the terminal whether to take the group; true for yes (the default). */
static bool ask_group(const struct add_ctx *c, const struct vfe_dev *d, const struct vfe_dev *const *m, size_t n)
{
	char answer[16] = "";

	fprintf(stderr, "IOMMU group %d of %s also holds:\n", d->group, d->name);
	add_print_members(c, stderr, m, n);
	fprintf(stderr, "The binder passes a group through whole or refuses it. Take %s too (group=whole)? [Y/n] ",
		n == 1 ? "it" : "them");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return true;
	return !(answer[0] == 'n' || answer[0] == 'N');
}

/* How the entry of a new device treats its group: the option, the user's answer, or a usage error. */
static int choose_group(struct add_ctx *c, struct add_item *it)
{
	_cleanup_free_ const struct vfe_dev **others = calloc(c->pci.n + 1, sizeof(*others));
	size_t n;

	if (!others)
		return log_error_errno(-ENOMEM, "out of memory");
	if (c->o.group != GROUP_UNSET) {
		it->e.group = c->o.group == GROUP_WHOLE ? VFE_GROUP_WHOLE : VFE_GROUP_FUNCTION;
		return 0;
	}
	n = left_out(c, it->d, others);
	if (n == 0) {
		it->e.group = VFE_GROUP_FUNCTION;
		return 0;
	}
	if (cli_interactive(c->cli)) {
		it->e.group = ask_group(c, it->d, others, n) ? VFE_GROUP_WHOLE : VFE_GROUP_FUNCTION;
		return 0;
	}
	return cli_usage_error(&add_help, "IOMMU group %d of %s also holds %s%s: add --group to take %s too, or "
			       "--function for %s alone", it->d->group, it->d->name, others[0]->name,
			       n > 1 ? " and more" : "", n > 1 ? "them" : "it", it->d->name);
}

/* What this call makes of one device: a new entry, a changed one, or nothing. */
static int plan_item(struct add_ctx *c, struct add_item *it)
{
	const struct vfe_entry *old = NULL;
	int k;

	for (size_t i = 0; i < c->cfg.n && !old; i++)
		if (cli_entry_names(&c->cfg.entries[i], it->d))
			old = &c->cfg.entries[i];
	it->old = old;
	if (old) {
		it->e = *old;
		if (c->o.group != GROUP_UNSET)
			it->e.group = c->o.group == GROUP_WHOLE ? VFE_GROUP_WHOLE : VFE_GROUP_FUNCTION;
		it->e.allow_boot_vga |= c->o.allow_boot_vga;
		it->e.allow_storage |= c->o.allow_storage;
		/* group=whole gets pinned (an entry from before members= too), group=function has no members */
		k = 0;
		if (it->e.group == VFE_GROUP_FUNCTION)
			it->e.n_members = 0;
		else if (it->e.group != old->group || !old->n_members)
			k = pin_members(c, it);
		it->write = it->e.group != old->group || it->e.n_members != old->n_members ||
			    it->e.allow_boot_vga != old->allow_boot_vga || it->e.allow_storage != old->allow_storage;
		return it->write && k >= 0 ? check_addable(c, it->d, &it->e) : k;
	}
	it->e = (struct vfe_entry){ .has_addr = true, .has_id = true, .addr = it->d->addr, .id = it->d->id,
				    .allow_boot_vga = c->o.allow_boot_vga, .allow_storage = c->o.allow_storage };
	if (cli_entry_for(&c->cfg, &c->pci, it->d, &it->via) && c->o.group == GROUP_UNSET && !c->o.allow_boot_vga &&
	    !c->o.allow_storage)
		return 0; /* passed through with another member's group already */
	it->via = NULL;
	k = check_addable(c, it->d, &it->e);
	if (k >= 0)
		k = choose_group(c, it);
	if (k >= 0)
		k = pin_members(c, it);
	it->write = k >= 0;
	return k;
}

static void add_ctx_free(struct add_ctx *c)
{
	vfe_protected_free(&c->prot);
	free(c->items);
	vfe_names_free(c->nm);
	vfe_config_free(&c->cfg);
	vfe_pci_free(&c->pci);
}

/* Resolves every argument to one device, each once; the items in the order given. */
static int resolve_all(struct add_ctx *c, int argc, char **argv, int first)
{
	c->items = calloc((size_t)(argc - first) + 1, sizeof(*c->items));
	if (!c->items)
		return log_error_errno(-ENOMEM, "out of memory");
	for (int i = first; i < argc; i++) {
		const struct vfe_dev *d = resolve(&c->pci, argv[i]);
		bool dup = false;
		if (!d)
			return -ENODEV;
		for (size_t j = 0; j < c->n; j++)
			dup = dup || c->items[j].d == d;
		if (!dup)
			c->items[c->n++] = (struct add_item){ .d = d };
	}
	return 0;
}

static int run_add(struct add_ctx *c, int argc, char **argv, int first)
{
	bool any = false;
	int k;

	k = vfe_pci_scan(&c->cli->root, &c->pci);
	if (k < 0)
		return log_error_errno(k, "cannot enumerate PCI devices: %m");
	vfe_pci_fill_all(&c->pci);
	if (vfe_system_paths(&c->cli->root, &c->prot) < 0)
		return log_error_errno(-ENOMEM, "out of memory");
	(void)vfe_config_load(&c->cfg, &c->cli->root);
	c->nm = vfe_names_new(&c->cli->root);
	k = resolve_all(c, argc, argv, first);
	for (size_t i = 0; i < c->n && k >= 0; i++)
		k = plan_item(c, &c->items[i]);
	if (k < 0)
		return k;
	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		any = any || it->write;
		if (!it->write && it->old)
			printf("%s is already configured as it is asked (%s)\n", it->d->name, it->old->source);
		else if (!it->write)
			printf("%s is already passed through with the IOMMU group of %s\n", it->d->name,
			       it->via ? it->via->name : "another device");
	}
	if (!any)
		return 0;
	k = add_write(c);
	if (k < 0)
		return k;
	add_warn(c);
	if (!c->cli->dry_run)
		printf("Run 'sudo update-initramfs -u' (or 'sudo dracut -f') so the next boot's initramfs has it.\n");
	return 0;
}

int verb_add(struct vfe_cli *cli, int argc, char **argv)
{
	struct add_ctx c = { .cli = cli };
	int k, idx;

	idx = parse_add_opts(cli, argc, argv, &c.o);
	if (idx <= 0)
		return idx;
	for (int i = idx; i < argc; i++) {
		struct cli_devarg a;
		if (cli_devarg_parse(argv[i], &a) < 0)
			return -CLI_EUSAGE;
	}
	k = cli_require_root(cli, "add");
	if (k >= 0)
		k = run_add(&c, argc, argv, idx);
	add_ctx_free(&c);
	return k;
}
