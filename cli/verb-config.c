// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-early add / remove: edit the config safely (validated, atomic,
 * previous file kept), so that what add writes is what the binder accepts:
 * the same guards (early/guard.h), the IOMMU group settled before the
 * entry is written, existing entries taken into account.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/devices.h"
#include "cli/pci-names.h"
#include "common/atomic.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/strbuf.h"
#include "early/config-edit.h"
#include "early/config.h"
#include "early/guard.h"
#include "early/pci.h"
#include "efi/boot.h"

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

static const struct cli_help remove_help = {
	.cmd = "remove",
	.usage = "[--dry-run] DEVICE...",
	.arg = "DEVICE",
	.text = "Removes the entries naming each DEVICE (an address, in any of lspci's forms, or a\n"
		"vendor:device id) from every config file, with the comment 'add' wrote above them.\n"
		"  --dry-run  print the change, write nothing\n",
};

enum group_choice { GROUP_UNSET, GROUP_WHOLE, GROUP_FUNCTION };

struct add_opts {
	enum group_choice group;
	bool allow_boot_vga, allow_storage;
};

/* One device of the call and what becomes of it. */
struct add_item {
	const struct vfe_dev *d;
	const struct vfe_entry *old; /* the entry naming it already, NULL when none */
	const struct vfe_dev *via;   /* a group=whole entry of another member covers it already */
	struct vfe_entry e;          /* the entry to write (new or changed) */
	bool write;                  /* nothing to do when false */
};

struct add_ctx {
	struct vfe_cli *cli;
	struct vfe_pci pci;
	struct vfe_config cfg;
	struct vfe_names *nm;
	struct add_opts o;
	struct add_item *items;
	size_t n;
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
 * judged before the IOMMU is on), and a storage controller holding a mounted
 * file system, which only the running system can tell.
 */
static int check_addable(const struct vfe_root *r, const struct vfe_dev *d, const struct vfe_entry *e)
{
	if (vfe_dev_is_storage(d) && holds_mounted_fs(r, d))
		return log_error_errno(-EBUSY, "%s is a storage controller holding a mounted file system: "
				       "passing it through would take the host's disks", d->name);
	switch (vfe_guard_device(d, e, VFE_IOMMU_LATER)) {
	case VFE_GUARD_BRIDGE:
		return log_error_errno(-EINVAL, "%s is a PCI bridge (class %04x): bridges are never passed through",
				       d->name, d->class);
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

static void print_members(const struct add_ctx *c, FILE *f, const struct vfe_dev *const *m, size_t n)
{
	char name[400];

	for (size_t i = 0; i < n; i++) {
		vfe_names_lspci(c->nm, m[i], name, sizeof(name));
		fprintf(f, "  %s  %s  driver: %s\n", m[i]->name, name, m[i]->driver[0] ? m[i]->driver : "none");
	}
}

/* Asks on the terminal whether to take the group; true for yes (the default). */
static bool ask_group(const struct add_ctx *c, const struct vfe_dev *d, const struct vfe_dev *const *m, size_t n)
{
	char answer[16] = "";

	fprintf(stderr, "IOMMU group %d of %s also holds:\n", d->group, d->name);
	print_members(c, stderr, m, n);
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
		it->write = it->e.group != old->group || it->e.allow_boot_vga != old->allow_boot_vga ||
			    it->e.allow_storage != old->allow_storage;
		return it->write ? check_addable(&c->cli->root, it->d, &it->e) : 0;
	}
	it->e = (struct vfe_entry){ .has_addr = true, .has_id = true, .addr = it->d->addr, .id = it->d->id,
				    .allow_boot_vga = c->o.allow_boot_vga, .allow_storage = c->o.allow_storage };
	if (cli_entry_for(&c->cfg, &c->pci, it->d, &it->via) && c->o.group == GROUP_UNSET && !c->o.allow_boot_vga &&
	    !c->o.allow_storage)
		return 0; /* passed through with another member's group already */
	it->via = NULL;
	k = check_addable(&c->cli->root, it->d, &it->e);
	if (k >= 0)
		k = choose_group(c, it);
	it->write = k >= 0;
	return k;
}

/* FILE:LINE of an entry's source into its parts; false when it is not a file's. */
static bool source_line(const struct vfe_entry *e, char *file, size_t n, unsigned *line)
{
	const char *colon = strrchr(e->source, ':');

	if (!colon || e->source[0] != '/' || sscanf(colon + 1, "%u", line) != 1)
		return false;
	snprintf(file, n, "%.*s", (int)(colon - e->source - 1), e->source + 1);
	return true;
}

/* Applies this call's changes to one file's text (rel has no leading '/'); the new text in *ret. */
static int edit_text(struct add_ctx *c, const char *rel, const char *text, size_t len, char **ret)
{
	_cleanup_free_ char *cur = text ? strndup(text, len) : NULL;
	int k = 0;

	if (text && !cur)
		return -ENOMEM;
	for (size_t i = 0; i < c->n && k >= 0; i++) {
		struct add_item *it = &c->items[i];
		_cleanup_free_ char *line = NULL, *next = NULL;
		char file[PATH_MAX], comment[512], name[400];
		unsigned no;
		if (!it->write)
			continue;
		line = vfe_entry_format(&it->e);
		if (!line)
			return -ENOMEM;
		if (it->old) {
			if (!source_line(it->old, file, sizeof(file), &no) || !streq(file, rel))
				continue;
			k = vfe_config_replace(cur, no, line, &next);
		} else if (streq(rel, PATH_CONFIG)) {
			vfe_names_lspci(c->nm, it->d, name, sizeof(name));
			snprintf(comment, sizeof(comment), "%s: %s %s", &VFE_CONFIG_ADD_COMMENT[2], it->d->name, name);
			k = vfe_config_append(cur, cur ? strlen(cur) : 0, comment, line, &next);
		} else
			continue;
		if (k >= 0)
			free(cur), cur = TAKE_PTR(next);
	}
	if (k < 0)
		return k;
	*ret = TAKE_PTR(cur);
	return 0;
}

static bool file_has_changes(const struct add_ctx *c, const char *rel)
{
	char file[PATH_MAX];
	unsigned no;

	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		if (it->write && (it->old ? source_line(it->old, file, sizeof(file), &no) && streq(file, rel)
					  : streq(rel, PATH_CONFIG)))
			return true;
	}
	return false;
}

static void print_changes(const struct add_ctx *c, const char *rel)
{
	char file[PATH_MAX];
	unsigned no;

	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		_cleanup_free_ char *line = it->write ? vfe_entry_format(&it->e) : NULL;
		if (!line)
			continue;
		if (it->old && source_line(it->old, file, sizeof(file), &no) && streq(file, rel))
			printf("%s /%s:%u: %s\n", c->cli->dry_run ? "Would change" : "Changed", rel, no, line);
		else if (!it->old && streq(rel, PATH_CONFIG))
			printf("%s /%s: %s\n", c->cli->dry_run ? "Would add to" : "Added to", rel, line);
	}
}

/* Writes one file's changes, validated and atomically, keeping the old file as .bak. */
static int write_file(struct add_ctx *c, const char *rel)
{
	_cleanup_free_ char *old = NULL, *new = NULL;
	int k = vfe_read_file(&c->cli->root, rel, VFE_CONFIG_MAX_SIZE, &old);

	if (k < 0 && k != -ENOENT)
		return log_error_errno(k, "cannot read /%s: %m; nothing changed", rel);
	if (k >= 0 && strlen(old) != (size_t)k)
		return log_error_errno(-EBADMSG, "/%s contains a NUL byte (binary file?): fix or remove it; nothing written",
				       rel);
	k = edit_text(c, rel, k < 0 ? NULL : old, k < 0 ? 0 : (size_t)k, &new);
	if (k == -EINVAL || k == -ENOENT)
		return log_error_errno(-EINVAL, "/%s would not parse after the change (or changed meanwhile); nothing "
				       "written", rel);
	if (k < 0)
		return log_error_errno(k, "out of memory");
	if (!c->cli->dry_run) {
		k = vfe_write_file_atomic(&c->cli->root, rel, new, strlen(new), 0644, VFE_ATOMIC_KEEP_BACKUP);
		if (k < 0)
			return log_error_errno(k, "cannot write /%s: %m; nothing changed", rel);
	}
	print_changes(c, rel);
	return 0;
}

static int write_all(struct add_ctx *c)
{
	int k = 0;

	/* the drop-ins an entry was changed in first, the main file (new entries) last */
	for (size_t i = 0; i < c->cfg.files.n && k >= 0; i++)
		if (!streq(c->cfg.files.v[i] + 1, PATH_CONFIG) && file_has_changes(c, c->cfg.files.v[i] + 1))
			k = write_file(c, c->cfg.files.v[i] + 1);
	if (k >= 0 && file_has_changes(c, PATH_CONFIG))
		k = write_file(c, PATH_CONFIG);
	return k;
}

/* The config as it will be: the entries read, changed and new (for the warnings). */
static int future_config(const struct add_ctx *c, struct vfe_config *ret)
{
	size_t n = c->cfg.n;

	*ret = (struct vfe_config){ .entries = calloc(c->cfg.n + c->n + 1, sizeof(struct vfe_entry)) };
	if (!ret->entries)
		return -ENOMEM;
	if (c->cfg.n)
		memcpy(ret->entries, c->cfg.entries, c->cfg.n * sizeof(struct vfe_entry));
	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		if (it->write && it->old)
			ret->entries[it->old - c->cfg.entries] = it->e;
		else if (it->write)
			ret->entries[n++] = it->e;
	}
	ret->n = n;
	return 0;
}

/* Is a recovery entry installed in some boot loader in use? */
static bool recovery_installed(const struct vfe_root *r)
{
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .root = r, .dry_run = true, .no_update = true, .out = &out };
	int saved = log_get_max_level();
	bool ok = false;

	log_set_max_level(LOG_CRIT);
	for (size_t i = 0; vfe_boot_backends[i] && !ok; i++) {
		const struct vfe_boot_backend *b = vfe_boot_backends[i];
		struct vfe_boot_status st = { 0 };
		if (b->detect && b->status && b->detect(&ctx) > 0 && b->status(&ctx, &st) >= 0)
			ok = streq(vfe_boot_recovery_state(st.recovery_health), "ok");
	}
	log_set_max_level(saved);
	sb_free(&out);
	return ok;
}

/* After the change: what the binder will still refuse or what the host will miss, as warnings. */
static void warn_after(struct add_ctx *c)
{
	_cleanup_free_ const struct vfe_dev **others = calloc(c->pci.n + 1, sizeof(*others));
	struct vfe_config future;
	const struct vfe_dev *via;
	bool display_kept = false, any_display = false;

	if (!others || future_config(c, &future) < 0)
		return;
	if (!vfe_iommu_active(&c->cli->root))
		log_warning("the IOMMU is not active on this boot, and the binder binds nothing without it: enable VT-d "
			    "(Intel) or AMD-Vi in the firmware setup and run 'sudo vfio-early boot install' (it adds "
			    "intel_iommu=on or amd_iommu=on)");
	for (size_t i = 0; i < c->n; i++) {
		const struct add_item *it = &c->items[i];
		size_t n = 0;
		if (!it->write)
			continue;
		for (size_t j = 0; it->e.group == VFE_GROUP_FUNCTION && it->d->group >= 0 && j < c->pci.n; j++) {
			const struct vfe_dev *m = &c->pci.devs[j];
			if (m != it->d && m->group == it->d->group && !vfe_dev_is_bridge(m) &&
			    !cli_entry_for(&future, &c->pci, m, &via))
				others[n++] = m;
		}
		if (n) {
			log_warning("IOMMU group %d of %s also holds %zu other function%s nothing passes through; the binder "
				    "refuses the group while %s or would get a host driver: 'sudo vfio-early add --group %s' "
				    "takes %s too", it->d->group, it->d->name, n, n == 1 ? "" : "s",
				    n == 1 ? "it has" : "one has", it->d->name, n == 1 ? "it" : "them");
			if (!c->cli->quiet)
				print_members(c, stderr, others, n);
		}
	}
	for (size_t j = 0; j < c->pci.n; j++)
		if (vfe_dev_is_display(&c->pci.devs[j])) {
			any_display = true;
			display_kept = display_kept || !cli_entry_for(&future, &c->pci, &c->pci.devs[j], &via);
		}
	if (c->o.allow_boot_vga && any_display && !display_kept && !recovery_installed(&c->cli->root))
		log_warning("with this, the host keeps no display of its own, and no recovery entry is installed: run "
			    "'sudo vfio-early boot install' before rebooting, so that 'no GPU passthrough' is one choice "
			    "in the boot menu (or keep SSH at hand)");
	free(future.entries);
}

static void add_ctx_free(struct add_ctx *c)
{
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
	k = write_all(c);
	if (k < 0)
		return k;
	warn_after(c);
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

/* Drops the entries naming spec from one file (rel has no leading '/'), with the comment 'add' put above
 * them; returns how many entries went. */
static int remove_from_file(struct vfe_cli *cli, const char *rel, const char *spec)
{
	_cleanup_free_ char *text = NULL, *new = NULL;
	struct strv removed = { 0 };
	int n, k;

	k = vfe_read_file(&cli->root, rel, VFE_CONFIG_MAX_SIZE, &text);
	if (k < 0)
		return log_error_errno(k, "cannot read /%s: %m", rel);
	n = vfe_config_remove(text, rel, spec, &new, &removed);
	if (n < 0) {
		strv_free(&removed);
		return log_error_errno(n, "out of memory");
	}
	if (n && !cli->dry_run) {
		k = vfe_write_file_atomic(&cli->root, rel, new, strlen(new), 0644, VFE_ATOMIC_KEEP_BACKUP);
		if (k < 0) {
			strv_free(&removed);
			return log_error_errno(k, "cannot write /%s: %m; nothing changed", rel);
		}
	}
	for (size_t i = 0; i < removed.n; i++)
		printf("%s /%s: - %s\n", cli->dry_run ? "Would remove from" : "Removed from", rel, removed.v[i]);
	strv_free(&removed);
	return n;
}

int verb_remove(struct vfe_cli *cli, int argc, char **argv)
{
	struct vfe_config cfg = { 0 };
	_cleanup_free_ struct cli_devarg *args = NULL;
	int k, n, first, total = 0;

	first = cli_parse_verb_opts(cli, argc, argv, &remove_help, CLI_OPT_DRY_RUN, 1, -1);
	if (first <= 0)
		return first;
	args = calloc((size_t)(argc - first), sizeof(*args));
	if (!args)
		return log_error_errno(-ENOMEM, "out of memory");
	for (int i = first; i < argc; i++)
		if (cli_devarg_parse(argv[i], &args[i - first]) < 0)
			return -CLI_EUSAGE;
	k = cli_require_root(cli, "remove");
	if (k < 0)
		return k;
	(void)vfe_config_load(&cfg, &cli->root);
	/* every argument named in the config before anything is written */
	for (int a = 0; a < argc - first && k >= 0; a++) {
		bool named = false;
		for (size_t i = 0; i < cfg.n; i++)
			named = named || vfe_entry_names_spec(&cfg.entries[i], args[a].canon);
		if (!named)
			k = log_error_errno(-ENOENT, "%s is not in the config ('vfio-early list' marks what is); nothing "
					    "changed", args[a].arg);
	}
	for (int a = 0; a < argc - first && k >= 0; a++) {
		int found = 0;
		for (size_t i = 0; i < cfg.files.n && k >= 0; i++) {
			n = remove_from_file(cli, cfg.files.v[i] + 1, args[a].canon);
			if (n < 0)
				k = n;
			else
				found += n;
		}
		total += found;
	}
	vfe_config_free(&cfg);
	if (total && !cli->dry_run)
		printf("Run 'sudo update-initramfs -u' (or 'sudo dracut -f') so the next boot's initramfs drops it.\n");
	return k < 0 ? k : 0;
}
