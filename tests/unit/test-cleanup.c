// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cleanup functions (DEFINE_TRIVIAL_CLEANUP_FUNC, common/macro.h): each
 * type's free function is safe on a struct that was never loaded (an early
 * return frees it), leaves the struct zeroed, and so frees nothing twice
 * when a load that failed had freed it already.
 */
#include "common/strbuf.h"
#include "common/strv.h"
#include "efi/bls/bls.h"
#include "efi/boot.h"
#include "efi/changes.h"
#include "efi/efistate.h"
#include "efi/grub/grub.h"
#include "tests/lib/fakesys.h"
#include "tests/lib/tap.h"

TEST(every_cleanup_is_safe_on_a_zeroed_struct)
{
	{
		_cleanup_(strv_freep) _unused_ struct strv a = { 0 };
		_cleanup_(sb_freep) _unused_ struct strbuf b = { 0 };
		_cleanup_(vfe_changes_freep) _unused_ struct vfe_changes c = { 0 };
		_cleanup_(vfe_efi_state_freep) _unused_ struct vfe_efi_state d = { 0 };
		_cleanup_(vfe_boot_source_freep) _unused_ struct vfe_boot_source e = { 0 };
		_cleanup_(vfe_bls_freep) _unused_ struct vfe_bls f = { 0 };
		_cleanup_(vfe_bls_entry_freep) _unused_ struct vfe_bls_entry g = { 0 };
		_cleanup_(vfe_bls_host_freep) _unused_ struct vfe_bls_host h = { 0 };
		_cleanup_(vfe_grubenv_freep) _unused_ struct vfe_grubenv i = { 0 };
		_cleanup_(vfe_grub_cfg_freep) _unused_ struct vfe_grub_cfg j = { 0 };
	}
	CHECK(true); /* reaching here without a crash (or an ASan report) is the test */
}

TEST(freed_structs_are_zeroed_and_free_twice)
{
	struct strv v = { 0 };
	struct strbuf sb = { 0 };
	struct vfe_efi_state st = { 0 };
	struct vfe_grubenv env = { 0 };
	struct vfe_grub_cfg cfg = { 0 };
	struct vfe_bls_entry e = { 0 };

	CHECK(strv_push(&v, "a") == 0);
	strv_free(&v);
	CHECK(!v.v && !v.n);
	strv_free(&v);
	sb_puts(&sb, "x");
	sb_free(&sb);
	CHECK(!sb.s && !sb.len);
	sb_free(&sb);
	CHECK(vfe_efi_state_add(&st, "created", "etc/kernel/cmdline", NULL, NULL) == 1);
	vfe_efi_state_free(&st);
	CHECK(!st.v && !st.n);
	vfe_efi_state_free(&st);
	CHECK(vfe_grubenv_set(&env, "next_entry", "vfio-early-nopt") == 1);
	vfe_grubenv_free(&env);
	CHECK(!env.names && !env.n);
	vfe_grubenv_free(&env);
	CHECK(vfe_grub_cfg_parse("menuentry 'Debian' --id 'deb' {\n}\n", &cfg) == 0 && cfg.n == 1);
	vfe_grub_cfg_free(&cfg);
	CHECK(!cfg.e && !cfg.n);
	vfe_grub_cfg_free(&cfg);
	CHECK(vfe_bls_parse("title Debian\nlinux /vmlinuz\ninitrd /initrd.img\noptions ro\n", &e) == 0);
	vfe_bls_entry_free(&e);
	CHECK(!e.title && !e.kernel && !e.options && !e.initrd.n);
	vfe_bls_entry_free(&e);
}

/* The BLS host of systemd-boot and kernelstub: loaded from a fake ESP, freed twice. */
TEST(bls_host_is_zeroed_after_free)
{
	struct fake_root f;
	struct strbuf out = { 0 };
	struct vfe_boot_ctx ctx = { .out = &out };
	struct vfe_bls_host h;

	REQUIRE(fake_root_new(&f, NULL) == 0);
	fake_write(&f, "proc/self/mountinfo", "30 22 254:1 / /boot/efi rw,relatime - vfat /dev/vda1 rw\n");
	fake_write(&f, "boot/efi/loader/entries/debian.conf", "title Debian\nlinux /vmlinuz\noptions ro\n");
	fake_write(&f, "boot/efi/loader/loader.conf", "default debian\n");
	ctx.root = &f.root;
	REQUIRE(vfe_bls_host_load(&ctx, "test", true, &h) == 0);
	CHECK(h.entries.n == 1 && h.pattern);
	vfe_bls_host_free(&h);
	CHECK(!h.entries.v && !h.entries.n && !h.pattern && !h.state.n && !h.ch.n);
	vfe_bls_host_free(&h);
	sb_free(&out);
	fake_root_free(&f);
}

TAP_MAIN()
