/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The Boot Loader Specification family's one private header: Type #1
 * entries, kernelstub's JSON configuration, the host view (ESP, entries,
 * planned changes) shared by systemd-boot and kernelstub. Only efi/bls/ and
 * the tests include it; the rest of the tree sees the backends through
 * efi/boot.h.
 */
#include <stdbool.h>
#include <time.h>

#include "common/root.h"
#include "common/strv.h"
#include "efi/boot.h"
#include "efi/changes.h"
#include "efi/efistate.h"
#include "efi/esp.h"

/* ---- bls */
/*
 * Boot Loader Specification Type #1 entries (files in $BOOT/loader/entries)
 * as systemd-boot sees them: the id is the file name with ".conf",
 * lower-cased, without a "+LEFT[-DONE]" boot counter; entries sort by
 * sort-key, machine-id, version (descending), then id (descending), with
 * systemd's version comparison.
 */
struct vfe_bls_entry {
	char *id;       /* "pop_os-current.conf" */
	char *file;     /* "Pop_OS-current.conf" (as on disk) */
	char *path;     /* relative to the root: "boot/efi/loader/entries/Pop_OS-current.conf" */
	char *mount;    /* the partition's mount point, relative to the root: "boot/efi" */
	char *title, *version, *machine_id, *sort_key, *kernel, *options;
	char *efi;      /* an EFI program: a Type #1 "efi" line, or the UKI itself ("/EFI/Linux/x.efi") */
	char *source;   /* ours: the file name of the entry it was made from */
	struct strv initrd;
	bool ours;      /* carries EFI_NOPT_MARK */
	bool bad;       /* boot counter "+0-N" */
	bool counted;   /* its file name has a boot counter "+LEFT[-DONE]" ... */
	unsigned tries_left, tries_done; /* ... with these values */
	bool armed;     /* the automatic fallback counts it (the state's "armed" record names it) */
	time_t mtime;   /* of the file: of two copies of one entry, the newer was just written */
	bool uki;       /* a Type #2 unified kernel image: its options are built into it (.cmdline) */
};

struct vfe_bls {
	struct vfe_bls_entry *v;
	size_t n;
};

/* Parses one entry's text. */
int vfe_bls_parse(const char *text, struct vfe_bls_entry *e);
/* Adds the entries of <mount>/loader/entries (none when the directory is missing). */
int vfe_bls_load(const struct vfe_root *r, const char *mount, struct vfe_bls *b);
/* Is the file name's boot counter "+0[-N]" (no tries left)? */
bool vfe_bls_is_bad(const char *file);
/* Does the entry boot something (a "linux" kernel, an "efi" program, a UKI)? */
bool vfe_bls_bootable(const struct vfe_bls_entry *e);
void vfe_bls_sort(struct vfe_bls *b);
void vfe_bls_free(struct vfe_bls *b);
void vfe_bls_entry_free(struct vfe_bls_entry *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vfe_bls, vfe_bls_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vfe_bls_entry, vfe_bls_entry_free);

/* systemd's strverscmp_improved(). */
int vfe_verscmp(const char *a, const char *b);
/* "Pop_OS-current+3-1.conf" -> "pop_os-current.conf" */
char *vfe_bls_id(const char *file);
/*
 * The one way entries are matched by id, everywhere (show, status, remove,
 * refresh, the defaults, and the automatic fallback that uses boot
 * counting): case and a "+LEFT[-DONE]" boot counter on either side do not
 * count. systemd-boot renames counted entries at every boot and
 * systemd-bless-boot drops the counter, and LoaderEntrySelected carries
 * the counter in some versions (systemd#38813).
 */
bool vfe_bls_id_equal(const char *a, const char *b);
/* Does the glob pattern (LoaderEntryDefault, loader.conf "default") select id, as systemd-boot matches it? */
bool vfe_bls_id_match(const char *pattern, const char *id);

const struct vfe_bls_entry *vfe_bls_find(const struct vfe_bls *b, const char *id);
/* systemd-boot's choice with no one-shot: the first match of pattern (LoaderEntryDefault, else loader.conf's
 * default) in menu order, else the first entry. NULL when there are none. */
const struct vfe_bls_entry *vfe_bls_default(const struct vfe_bls *b, const char *pattern);
/* The entry our recovery entry copies: the default unless it is ours (then the first passthrough entry in menu order). */
const struct vfe_bls_entry *vfe_bls_source(const struct vfe_bls *b, const char *pattern);
/*
 * systemd-boot's own choice, as its code (252 and later) makes it: a pattern
 * (LoaderEntryDefault, else loader.conf's default) is matched against the
 * file name lower-cased, boot counter included, in menu order; bad entries
 * are last; else the first entry. rename_from/rename_to: judge as if that
 * entry's file were named rename_to (NULL: as it is).
 */
const struct vfe_bls_entry *vfe_bls_loader_default(const struct vfe_bls *b, const char *var, const char *conf,
						   const struct vfe_bls_entry *rename_from, const char *rename_to);
/* Our entry made from src, if any. */
const struct vfe_bls_entry *vfe_bls_ours_for(const struct vfe_bls *b, const struct vfe_bls_entry *src);

/* The recovery entry for src: its file name and its text. */
char *vfe_bls_nopt_file(const struct vfe_bls_entry *src);
char *vfe_bls_nopt_text(const struct vfe_bls_entry *src, const char *options);
/* text with every "options" line replaced by one line holding opts. */
char *vfe_bls_set_options(const char *text, const char *opts);
/* The default pattern from <mount>/loader/loader.conf (malloc'd) or NULL. */
char *vfe_bls_conf_default(const struct vfe_root *r, const char *mount);

/* ---- uki */
/* Adds the unified kernel images of <mount>/EFI/Linux (Type #2; see uki.c). */
int vfe_uki_load(const struct vfe_root *r, const char *mount, struct vfe_bls *b);
/* A PE section of the image open at fd, NUL-terminated (malloc'd); -ENOENT when absent. */
int vfe_uki_section(int fd, const char *name, char **ret);

/* ---- kstub-json */
/*
 * kernelstub's /etc/kernelstub/configuration (JSON, rewritten by kernelstub
 * with indent=2): only "user"."kernel_options", a list of strings, is read
 * and replaced; every other byte of the file stays as it was.
 */

/* The list joined with spaces (malloc'd). -ENOENT: no "user" / "kernel_options"; -EBADMSG: not a list. */
int vfe_kstub_get_options(const char *json, char **ret);
/* json with the list replaced by the words of opts, one string each, in kernelstub's layout. */
int vfe_kstub_set_options(const char *json, const char *opts, char **ret);

/* ---- bls-host */
/*
 * What the systemd-boot and kernelstub backends share: the ESP (and
 * XBOOTLDR) with their Type #1 entries in menu order, the default pattern,
 * and the planning of install / remove / refresh as one set of file
 * changes (changes.h) with the record of what install did (efistate.h).
 */
struct vfe_bls_host {
	struct vfe_esp esp, xbl;
	bool has_xbl;
	struct vfe_bls entries;   /* both partitions, in menu order */
	char *pattern;            /* LoaderEntryDefault, else loader.conf "default"; NULL when none */
	bool pattern_from_var;
	char *var_missing;        /* a LoaderEntryDefault that matches no entry (ignored by the loader), or NULL */
	struct vfe_efi_state state;
	struct vfe_changes ch;
	struct vfe_bls stale;     /* older copies of an armed entry, written again beside it; left out of entries */
	char *fallback_var;       /* planned by vfe_bls_plan_fallback(): the LoaderEntryDefault to set, or NULL */
};

/* Loads everything; without an ESP, logs why (unless quiet) and returns -ENOENT. h is zeroed on failure. */
int vfe_bls_host_load(struct vfe_boot_ctx *ctx, const char *who, bool quiet, struct vfe_bls_host *h);
void vfe_bls_host_free(struct vfe_bls_host *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vfe_bls_host, vfe_bls_host_free);

/*
 * Adds the wanted kernel parameters to the file rel, each one recorded in
 * the state: an entry's "options", /etc/kernel/cmdline (created from base
 * when missing) or kernelstub's "kernel_options", told apart by the path.
 */
int vfe_bls_host_add_params(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *rel, const char *base);
/* Our entry for src (its options as planned so far), and the removal of our other, stale ones. */
int vfe_bls_host_plan_nopt(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *src);
/*
 * After a kernel change (refresh): records of entries that are gone are
 * dropped, those of entries renamed by boot counting follow them, and every
 * entry made since (kernel-install, from /etc/kernel/cmdline) gets the
 * parameters install added and is recorded, so that remove undoes it too.
 */
int vfe_bls_host_track(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h);
/*
 * Undoes every record of the state (found again after boot-counter renames),
 * takes our parameters out of every entry install never saw, and removes
 * all our entries.
 */
int vfe_bls_host_plan_remove(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h);
/* Plans the state file; then prints (dry run) or applies every change. Returns the number of changes. */
int vfe_bls_host_commit(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who);
/* Commits; when there was nothing to change, says so ("WHO: unchanged"). Returns 0 or a negative errno. */
int vfe_bls_host_apply(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who, const char *unchanged);
/* Plans and commits the undo of install, or says there is nothing to remove. 0 or a negative errno. */
int vfe_bls_host_remove(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const char *who);

/* Our entry that the loader would show after src (NULL when none). */
const struct vfe_bls_entry *vfe_bls_host_ours(const struct vfe_bls_host *h);
/* Health of our entry: "ok" or what is wrong, into buf. Returns true when ok. */
bool vfe_bls_host_health(const struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			 char *buf, size_t n);

/* ---- bls-count */
/*
 * The automatic fallback on systemd-boot (plain and kernelstub layouts): the
 * passthrough entry the loader boots is renamed NAME+T.conf, T = N + 1, and
 * systemd-boot counts it down at every boot; the boot that takes its last
 * try binds nothing (early/fallback.h), and from then on the entry is bad
 * and the loader's next choice is our entry, which sorts right after it. A
 * confirmed boot renames it back to NAME.conf, exactly what
 * systemd-bless-boot does with a good boot. State records: "armed" (the
 * entry counted), "fallback" (the count ran out and a kernel change made
 * the recovery entry the default), "defaultvar" (a LoaderEntryDefault we
 * set so that the loader still chooses the counted entry).
 */

/* file with T tries ("x.conf", "x+1-2.conf" -> "x+T.conf"); tries < 0: without a counter ("x.conf"). */
char *vfe_bls_counted_file(const char *file, int tries);
/* The fallback's state for src (the entry the loader boots), into ret. */
void vfe_bls_fallback(const struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
		      struct vfe_fallback *ret);
/*
 * Plans what install, refresh and passthrough --default do: copies of an
 * armed entry that kernel-install or kernelstub wrote again beside it are
 * replaced by the new one; src is counted with ctx->fallback + 1 tries (or
 * its counter is taken off when the fallback is off or unavailable); any
 * other armed entry loses its counter. When the count has run out
 * (fallen), src is not armed and refresh keeps the recovery entry the
 * default. rearm: the user acted (install, passthrough --default,
 * confirm), so a count that ran out starts again. Also plans the
 * LoaderEntryDefault that keeps the loader choosing the counted entry
 * (h->fallback_var).
 */
int vfe_bls_plan_fallback(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			  bool rearm);
/* remove: every armed entry loses its counter, older copies go. */
int vfe_bls_plan_disarm(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h);
/* After the files are in place: sets the planned LoaderEntryDefault (prints; honours dry_run). */
int vfe_bls_fallback_vars(struct vfe_boot_ctx *ctx, struct vfe_bls_host *h);
/* remove: a LoaderEntryDefault the fallback set goes back to what it was. */
int vfe_bls_forget_default(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h);
/* The systemd-boot backend's variable writes (sdboot.c): compare, write, read back, say so. */
int vfe_sdboot_set_var(struct vfe_boot_ctx *ctx, const char *name, const char *value);
int vfe_sdboot_delete_var(struct vfe_boot_ctx *ctx, const char *name, const char *old, const char *why);
/* The backend's confirm() for systemd-boot and kernelstub (boot.h). */
int vfe_bls_confirm(struct vfe_boot_ctx *ctx, enum vfe_confirm_how how, bool recovery);

/* ---- sdboot */
/* Shared by the systemd-boot and kernelstub backends. */

/* The value `menu --next` writes to LoaderConfigTimeoutOneShot: the menu waits this many seconds. */
#define VFE_MENU_ONESHOT_TIMEOUT "30"

bool vfe_kernelstub_present(const struct vfe_root *r);
/* Is Secure Boot on (the SecureBoot variable is 1)? Then systemd-stub ignores a UKI's passed options. */
bool vfe_secure_boot(const struct vfe_root *r);
/* Lists the entries (menu order, default marked, ours marked, passthrough parameters) as text or JSON. */
void vfe_sdboot_show_entries(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h);
/* Fills status from the Loader* variables and our entry's health relative to src. */
void vfe_sdboot_fill_status(struct vfe_boot_ctx *ctx, const struct vfe_bls_host *h, const struct vfe_bls_entry *src,
			    struct vfe_boot_status *ret);
/* That entry as the firmware backend copies it (boot.h); the .source of systemd-boot and kernelstub. */
int vfe_sdboot_boot_source(struct vfe_boot_ctx *ctx, struct vfe_boot_source *ret);
/* The entry our recovery entry is made from: kernelstub's Pop_OS-current.conf, else systemd-boot's default. */
const struct vfe_bls_entry *vfe_sdboot_source(const struct vfe_root *r, const struct vfe_bls_host *h);
