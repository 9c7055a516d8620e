/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "check/initramfs.h"
#include "common/cpu.h"
#include "common/macro.h"
#include "common/root.h"
#include "common/strv.h"
#include "early/config.h"
#include "early/pci.h"

/*
 * vfio-early check: each item of the manual passthrough checklist as one
 * result (pass, warn, fail, or not checked), with the concrete fix.
 */
enum check_level {
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_SKIP, /* could not be checked here (not available in this build, needs root, ...) */
};

struct check_item {
	char *id;     /* stable, for scripts: "cpu-virt", "iommu", "device:0000:05:00.0", ... */
	char *title;
	enum check_level level;
	char *detail; /* what was found */
	char *fix;    /* what to do, NULL when nothing */
};

struct check_report {
	struct check_item *items;
	size_t n;
	bool oom;
};

/* What the checks share: the root, the kernel release, the config and the PCI scan (read once). */
struct check_env {
	const struct vfe_root *root;
	struct check_report *rep;
	char release[128];     /* the running kernel's release ("6.1.0-13-amd64") */
	struct vfe_cpu cpu;    /* check_cpu() fills it */
	char *cmdline;         /* <root>/proc/cmdline, "" when unreadable */
	struct vfe_config cfg;
	struct vfe_pci pci;
	int pci_err;           /* the scan's error, 0 when pci is valid */
	struct vfe_initramfs image; /* the running kernel's initramfs, when check_initramfs() could read it */
	bool have_image;
};

void check_add(struct check_report *rep, const char *id, const char *title, enum check_level level, const char *fix,
	       const char *fmt, ...) _printf_(6, 7);
void check_report_free(struct check_report *rep);
/* Prints the report (colour: the tags in colour; quiet: the failures alone, as errors on stderr); 1 when an item failed. */
int check_print_text(const struct check_report *rep, bool color, bool quiet);
/* Appends ,"checks":[...],"summary":{...} to a JSON object in sb; 1 when an item failed. */
struct strbuf;
int check_print_json(const struct check_report *rep, struct strbuf *sb);
const char *check_level_name(enum check_level l);

/* Each returns nothing: it adds its results to env->rep. */
void check_cpu(struct check_env *env);
void check_iommu(struct check_env *env);
void check_cmdline(struct check_env *env);
void check_modules(struct check_env *env);
void check_initramfs(struct check_env *env);
void check_devices(struct check_env *env);
void check_modprobe(struct check_env *env);
void check_firmware(struct check_env *env);
void check_boot_entries(struct check_env *env);

/* Called by check_devices() with its plan: targets whose memory the boot framebuffer holds. */
struct vfe_plan;
void check_framebuffer_targets(struct check_env *env, const struct vfe_plan *p);
/* Called by check_devices() with its plan: a boot VGA taken before an encrypted root's passphrase prompt. */
void check_console_prompt(struct check_env *env, const struct vfe_plan *p);
