// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-early add / remove: edit the config safely (validated, atomic, previous file kept). */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/pci-names.h"
#include "common/atomic.h"
#include "common/log.h"
#include "common/paths.h"
#include "early/config-edit.h"
#include "early/config.h"
#include "early/guard.h"
#include "early/pci.h"

struct add_opts {
	bool group, allow_boot_vga, allow_storage;
};

enum { ARG_GROUP = 0x100, ARG_ALLOW_BOOT_VGA, ARG_ALLOW_STORAGE };

static int parse_add_opts(struct vfe_cli *cli, int argc, char **argv, struct add_opts *o)
{
	static const struct option options[] = {
		{ "group", no_argument, NULL, ARG_GROUP },
		{ "allow-boot-vga", no_argument, NULL, ARG_ALLOW_BOOT_VGA },
		{ "allow-storage", no_argument, NULL, ARG_ALLOW_STORAGE },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case ARG_GROUP:
			o->group = true;
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
			printf("Usage: vfio-early add [--group] [--allow-boot-vga] [--allow-storage] [--dry-run] DEVICE\n\n"
			       "DEVICE is a PCI address (0000:05:00.0 or 05:00.0) or a vendor:device id (10de:2684).\n"
			       "The entry records the address and the id, so a card moved or swapped is never bound.\n"
			       "  --group           also take every other function of its IOMMU group (group=whole)\n"
			       "  --allow-boot-vga  allow the boot VGA (the host's display) to be passed through\n"
			       "  --allow-storage   allow a storage controller that holds no mounted file system\n");
			return 0;
		default:
			return -CLI_EUSAGE;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("add [OPTIONS] DEVICE");
	return optind;
}

/* Finds the one device DEVICE names; logs why not. */
static const struct vfe_dev *resolve(const struct vfe_pci *pci, const char *spec)
{
	struct vfe_pci_addr a;
	struct vfe_pci_id id;
	const struct vfe_dev *found = NULL;
	size_t n = 0;

	if (vfe_parse_pci_addr(spec, &a) == 0) {
		found = vfe_pci_find(pci, &a);
		if (!found)
			log_error("no PCI device at %s; 'vfio-early list' shows the candidates", spec);
		return found;
	}
	if (vfe_parse_pci_id(spec, &id) < 0) {
		log_error("'%s' is neither a PCI address (0000:05:00.0) nor a vendor:device id (10de:2684)", spec);
		return NULL;
	}
	for (size_t i = 0; i < pci->n; i++)
		if (pci->devs[i].id.vendor == id.vendor && pci->devs[i].id.device == id.device)
			found = &pci->devs[i], n++;
	if (n == 0)
		log_error("no PCI device with id %s; 'vfio-early list' shows the candidates", spec);
	else if (n > 1) {
		log_error("%zu devices have id %s: add the one you mean by its address ('vfio-early list')", n, spec);
		found = NULL;
	}
	return found;
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
				       "you add --allow-boot-vga (the host then boots without a picture; keep SSH or "
				       "the recovery entry at hand)", d->name);
	case VFE_GUARD_NO_IOMMU:
	case VFE_GUARD_NO_GROUP:
	case VFE_GUARD_PASS:
		break; /* the IOMMU is judged at boot: add comes before boot install turns it on */
	}
	return 0;
}

static void propose_group(const struct vfe_pci *pci, const struct vfe_dev *d, const struct vfe_entry *e,
			  const struct vfe_root *r)
{
	struct vfe_names *nm = NULL;
	bool any = false;

	for (size_t i = 0; i < pci->n; i++) {
		const struct vfe_dev *m = &pci->devs[i];
		char name[256], cls[128];
		if (m == d || m->group != d->group || d->group < 0 || vfe_dev_is_bridge(m))
			continue;
		if (!any) {
			nm = vfe_names_new(r);
			printf("IOMMU group %d also holds:\n", d->group);
		}
		any = true;
		vfe_names_device(nm, m, name, sizeof(name));
		vfe_names_class(nm, m, cls, sizeof(cls));
		printf("  %s  %04x:%04x  %s%s%s  driver: %s\n", m->name, m->id.vendor, m->id.device, cls,
		       name[0] ? ": " : "", name, m->driver[0] ? m->driver : "none");
	}
	vfe_names_free(nm);
	if (any && e->group != VFE_GROUP_WHOLE)
		printf("A group is passed through whole: run 'vfio-early add --group %s' to take these too\n"
		       "(or add each one); otherwise the binder refuses the group at boot.\n", d->name);
}

static bool entry_names(const struct vfe_entry *e, const struct vfe_dev *d)
{
	if (e->has_addr)
		return vfe_pci_addr_eq(&e->addr, &d->addr);
	return e->id.vendor == d->id.vendor && e->id.device == d->id.device;
}

/* Appends line to the main config, validated and atomically, keeping the old file as .bak. */
static int append_line(struct vfe_cli *cli, const char *comment, const char *line)
{
	_cleanup_free_ char *old = NULL, *new = NULL;
	int k = vfe_read_file(&cli->root, PATH_CONFIG, VFE_CONFIG_MAX_SIZE, &old);

	if (k < 0 && k != -ENOENT)
		return log_error_errno(k, "cannot read /%s: %m", PATH_CONFIG);
	k = vfe_config_append(k < 0 ? NULL : old, k < 0 ? 0 : (size_t)k, comment, line, &new);
	if (k == -EBADMSG)
		return log_error_errno(k, "/%s contains a NUL byte (binary file?): fix or remove it; nothing written",
				       PATH_CONFIG);
	if (k == -EINVAL)
		return log_error_errno(k, "the new config would not parse; nothing written");
	if (k < 0)
		return log_error_errno(k, "out of memory");
	if (cli->dry_run) {
		printf("Would append to /%s:\n+ # %s\n+ %s\n", PATH_CONFIG, comment, line);
		return 0;
	}
	k = vfe_write_file_atomic(&cli->root, PATH_CONFIG, new, strlen(new), 0644, VFE_ATOMIC_KEEP_BACKUP);
	if (k < 0)
		return log_error_errno(k, "cannot write /%s: %m; nothing changed", PATH_CONFIG);
	printf("Added to /%s: %s\n", PATH_CONFIG, line);
	return 0;
}

/* The entry add writes: the address and the id, so a card moved or swapped is never bound. */
static struct vfe_entry entry_for(const struct vfe_dev *d, const struct add_opts *o)
{
	return (struct vfe_entry){ .has_addr = true, .has_id = true, .addr = d->addr, .id = d->id,
				   .group = o->group ? VFE_GROUP_WHOLE : VFE_GROUP_FUNCTION,
				   .allow_boot_vga = o->allow_boot_vga, .allow_storage = o->allow_storage };
}

static int do_add(struct vfe_cli *cli, const struct vfe_pci *pci, const struct vfe_dev *d, const struct vfe_entry *e)
{
	struct vfe_config cfg = { 0 };
	_cleanup_free_ char *line = NULL;
	char comment[160];
	int k;

	(void)vfe_config_load(&cfg, &cli->root);
	for (size_t i = 0; i < cfg.n; i++)
		if (entry_names(&cfg.entries[i], d)) {
			printf("%s is already configured (%s)\n", d->name, cfg.entries[i].source);
			vfe_config_free(&cfg);
			return 0;
		}
	vfe_config_free(&cfg);
	line = vfe_entry_format(e);
	if (!line)
		return log_error_errno(-ENOMEM, "out of memory");
	snprintf(comment, sizeof(comment), "%s: %s, class %04x", &VFE_CONFIG_ADD_COMMENT[2], d->name, d->class);
	k = append_line(cli, comment, line);
	if (k < 0)
		return k;
	propose_group(pci, d, e, &cli->root);
	if (!cli->dry_run)
		printf("Run 'update-initramfs -u' (or 'dracut -f') so the next boot's initramfs has it.\n");
	return 0;
}

int verb_add(struct vfe_cli *cli, int argc, char **argv)
{
	struct add_opts o = { 0 };
	struct vfe_pci pci;
	struct vfe_entry e;
	const struct vfe_dev *d;
	int k, idx;

	idx = parse_add_opts(cli, argc, argv, &o);
	if (idx <= 0)
		return idx;
	k = cli_require_root(cli, "add");
	if (k < 0)
		return k;
	k = vfe_pci_scan(&cli->root, &pci);
	if (k < 0)
		return log_error_errno(k, "cannot enumerate PCI devices: %m");
	vfe_pci_fill_all(&pci);
	d = resolve(&pci, argv[idx]);
	if (d)
		e = entry_for(d, &o);
	k = d ? check_addable(&cli->root, d, &e) : -ENODEV;
	if (k >= 0)
		k = do_add(cli, &pci, d, &e);
	vfe_pci_free(&pci);
	return k < 0 ? k : 0;
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
	for (size_t i = 0; i < removed.n; i++)
		printf("%s /%s: - %s\n", cli->dry_run ? "Would remove from" : "Removing from", rel, removed.v[i]);
	strv_free(&removed);
	if (n && !cli->dry_run) {
		k = vfe_write_file_atomic(&cli->root, rel, new, strlen(new), 0644, VFE_ATOMIC_KEEP_BACKUP);
		if (k < 0)
			return log_error_errno(k, "cannot write /%s: %m; nothing changed", rel);
	}
	return n;
}

int verb_remove(struct vfe_cli *cli, int argc, char **argv)
{
	struct vfe_config cfg = { 0 };
	struct vfe_pci_addr a;
	struct vfe_pci_id id;
	int k, n, total = 0;

	k = cli_parse_verb_opts(cli, argc, argv, "remove [--dry-run] DEVICE", true);
	if (k <= 0)
		return k;
	if (k != argc - 1)
		return cli_usage_error("remove [--dry-run] DEVICE");
	if (vfe_parse_pci_addr(argv[k], &a) < 0 && vfe_parse_pci_id(argv[k], &id) < 0) {
		log_error("'%s' is neither a PCI address (0000:05:00.0) nor a vendor:device id (10de:2684)", argv[k]);
		return -CLI_EUSAGE;
	}
	n = cli_require_root(cli, "remove");
	if (n < 0)
		return n;
	(void)vfe_config_load(&cfg, &cli->root);
	for (size_t i = 0; i < cfg.files.n; i++) {
		n = remove_from_file(cli, cfg.files.v[i] + 1, argv[k]);
		if (n < 0) {
			vfe_config_free(&cfg);
			return n;
		}
		total += n;
	}
	vfe_config_free(&cfg);
	if (!total)
		return log_error_errno(-ENOENT, "%s is not in the config", argv[k]);
	if (!cli->dry_run)
		printf("Run 'update-initramfs -u' (or 'dracut -f') so the next boot's initramfs drops it.\n");
	return 0;
}
