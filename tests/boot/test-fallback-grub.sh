#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU boot test of the automatic fallback on GRUB (TAP): the real GRUB (x86_64-efi under
# OVMF, then i386-pc under SeaBIOS) reads a grub.cfg that 'vfio-early boot install' made
# with the real update-grub (Debian's 00_header and 10_linux, our 42_vfio-early, Debian's
# stock /etc/default/grub: lib-grub.sh), and counts grubenv's vfio_early_tries down with
# save_env. The host's only display is passed through (lib-fallback.sh); fallback 2.
# UEFI, one QEMU run, ten boots:
#   1, 2  nobody confirms (the unit's --auto finds no display): passthrough, 2 -> 1 -> 0;
#   3     vfio_early_tries=0: GRUB boots the '(no GPU passthrough)' entry by itself;
#         bochs-drm drives the VGA; 'status' says why;
#   4     recovery again (no oscillation); the guest confirms by hand ("fix and confirm"),
#         which arms the count again;
#   5-10  passthrough, 'vfio-early confirm' at every boot, 'boot refresh' after boots 5-8
#         (what a kernel or initramfs update runs: the count is armed again), so boots 6-9
#         are counted and confirmed; boot 10 is a normal confirmed boot: GRUB writes
#         nothing, no EFI variable changes.
# BIOS, one QEMU run of three boots: 1, 2 unconfirmed, 3 the fallback.
# The boot-by-boot logs are printed as TAP diagnostics.
set -u
VFE_TIMEOUT=${VFE_TIMEOUT:-900} # ten boots in one QEMU run (under TCG, on a shared host)
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-grub.sh"
. "$(dirname "$0")/lib-fallback.sh"

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
UUID=0e5a1c3d-7b2f-4c1e-9a55-3c0ffee0b007
LAST=10

grub_boot_need
vfe_setup
R=$T/rootfs

# ------------------------------------------------------------------ host side: initramfs, root, install

printf '%s\n' "$FB_CONF" >"$VFE_DEST/etc/vfio-early.conf"
vfe_it_confdir "$T/it" && echo efivarfs >>"$T/it/modules" || tap_bail "initramfs-tools CONFDIR"
vfe_mkinitramfs "$T/it" "$T/initrd" || tap_bail "mkinitramfs" "$T/initrd.log"
vfe_mkrootfs "$T/lib-root.img" || tap_bail "guest root file system" "$T/mke2fs.log"
rm -f "$T/lib-root.img"
fb_guest_init "$LAST" >"$R/sbin/init"
echo 'grep "^vfio_early_tries=" /boot/grub/grubenv || echo vfio_early_tries unset' >"$R/etc/vfe-counter"
printf '%s\n' "4 confirm" "5 confirm refresh" "6 confirm refresh" "7 confirm refresh" "8 confirm refresh" \
	"9 confirm" "10 confirm" >"$R/etc/vfe-plan"
grub_fakeroot_tree "$R"
cp "$VFE_DEST/etc/grub.d/42_vfio-early" "$R/etc/grub.d/42_vfio-early" # the installed one
cp "$VFE_KERNEL" "$R/boot/vmlinuz-$VFE_KVER"
cp "$T/initrd" "$R/boot/initrd.img-$VFE_KVER"
cp /usr/share/grub/default/grub "$R/etc/default/grub"
printf '%s\n' "GRUB_TIMEOUT=0" "GRUB_CMDLINE_LINUX=\"console=ttyS0 rootfstype=ext4 panic=-1 $FB_CMDLINE_EXTRA\"" "GRUB_TERMINAL=console" \
	>"$R/etc/default/grub.d/10-test-machine.cfg"
mkdir -p "$R/proc/self" "$R/usr/sbin" && printf 'vendor_id\t: GenuineIntel\nflags\t\t: vmx\n' >"$R/proc/cpuinfo"
echo "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw" >"$R/proc/self/mountinfo"
cp /usr/sbin/update-grub "$R/usr/sbin/update-grub"
grub-editenv "$R/boot/grub/grubenv" create
GRUB_FAKE_ROOT_DEV=/dev/vda GRUB_FAKE_ROOT_UUID=$UUID grub_fakeroot_run "$R" \
	env VFIO_EARLY_CLI="$VFE_DEST/usr/sbin/vfio-early" "$VFE_DEST/usr/sbin/vfio-early" --root="$R" boot install \
	>"$T/install.out" 2>&1
irc=$?
tap_check "host: boot install (exit $irc) arms the fallback: grubenv vfio_early_tries=2" \
	eval '[ $irc = 0 ] && grep -q "^vfio_early_tries=2$" "$R/boot/grub/grubenv" || { cat "$T/install.out"; false; }'
tap_check "host: grub.cfg counts it down with save_env, and boots our entry at 0" eval \
	'grep -q "save_env vfio_early_tries" "$R/boot/grub/grub.cfg" && grep -q "set default=vfio-early-nopt" "$R/boot/grub/grub.cfg"'
tap_check "host: grub-script-check accepts the grub.cfg" grub-script-check "$R/boot/grub/grub.cfg"
rm -f "$R/proc/self/mountinfo" "$R/proc/cpuinfo"
mkdir -p "$R/boot/grub/i386-pc" && cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$R/boot/grub/i386-pc/"
mke2fs -q -t ext4 -U "$UUID" -d "$R" "$T/root.img" 200M >"$T/mke2fs.log" 2>&1 || tap_bail "mke2fs" "$T/mke2fs.log"
cp --sparse=always "$T/root.img" "$T/root-bios.img"
echo 3 >"$T/vfe-last" && debugfs -w -R "write $T/vfe-last /etc/vfe-last" "$T/root-bios.img" >/dev/null 2>&1
grub_esp "$T/esp.img" "$UUID" >"$T/esp.log" 2>&1 || tap_bail "GRUB EFI image" "$T/esp.log"
grub_bios "$T/grub-bios.lnx" "$UUID" >"$T/bios.log" 2>&1 || tap_bail "GRUB i386-pc image" "$T/bios.log"
cp "$OVMF_VARS" "$T/vars.fd"

# fb_run FW IMG BOOTS QEMU_ARGS...: one QEMU run; the marks in $T/marks-FW
fb_run() {
	local fw=$1 img=$2 boots=$3 qrc secs start nb
	shift 3
	start=$(date +%s)
	vfe_qemu_run "$T/serial-$fw.log" "${FB_QEMU_ARGS[@]}" "$@" \
		-drive if=none,id=root,format=raw,file="$img" -device "virtio-blk-pci,drive=root,addr=04.0${FB_DISK_OPT:-}"
	qrc=$?
	secs=$(($(date +%s) - start))
	grep -a '^VFE-FB ' "$T/serial-$fw.log" >"$T/marks-$fw"
	nb=$(grep -c '^VFE-FB [0-9]* end$' "$T/marks-$fw")
	if [ "$qrc" = 0 ] && [ "$nb" = "$boots" ]; then
		tap_ok "$fw: $boots boots through GRUB, then power off (${secs}s)"
	else
		tail -n 40 "$T/serial-$fw.log" >"$T/serial.tail"
		tap_not_ok "$fw: $boots boots through GRUB, then power off (exit $qrc, $nb boots, ${secs}s)" "$T/serial.tail"
	fi
}
pt() { fb_b "$M" "$1" binder | grep -q "binder passthrough " && fb_b "$M" "$1" driver | grep -q "01.0=vfio-pci drm= *$"; }
native() { fb_b "$M" "$1" binder | grep -q "binder recovery " && fb_b "$M" "$1" driver | grep -q "01.0=bochs-drm drm=card0-"; }
b() { fb_b "$M" "$@"; }

# unconfirmed FW: boots 1-3 of either run
unconfirmed() {
	local fw=$1 i
	for i in 1 2; do
		tap_check "$fw: boot $i: passthrough, the VGA on vfio-pci, the host without a display; --auto finds none" \
			eval 'pt $i && b $i "auto rc=1" && b $i "auto: .*no host display within 1 s"'
	done
	tap_check "$fw: boots 1, 2: GRUB counted vfio_early_tries 2 -> 1 -> 0 (save_env)" \
		eval 'b 1 "counter vfio_early_tries=1" && b 2 "counter vfio_early_tries=0"'
	tap_check "$fw: boot 3: GRUB boots the '(no GPU passthrough)' entry by itself: vfio_early=off, bochs-drm drives the VGA" \
		eval 'native 3 && b 3 binder | grep -q "vfio_early=off on the kernel command line" &&
		      b 3 driver | grep -q "drm=card0-[A-Za-z0-9-]*:connected/enabled"'
	tap_check "$fw: boot 3: 'vfio-early status' says: recovery: automatic fallback after 2 boots without a confirmed host display" \
		b 3 "status: Mode: *recovery: automatic fallback after 2 boots without a confirmed host display$"
	tap_check "$fw: boot 3: ... and how to return" b 3 "status: .*fix the host display and run"
}

# ------------------------------------------------------------------ UEFI: ten boots
FB_DISK_OPT=,bootindex=1 fb_run OVMF "$T/root.img" $LAST \
	-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" -drive if=pflash,format=raw,file="$T/vars.fd" \
	-drive if=none,id=esp,format=raw,file="$T/esp.img" -device ide-hd,drive=esp,bootindex=0
M=$T/marks-OVMF
unconfirmed OVMF
tap_check "OVMF: boot 4: still recovery (no oscillation): the count stays at 0" \
	eval 'native 4 && b 4 "counter vfio_early_tries=0"'
tap_check "OVMF: boot 4: 'vfio-early confirm' by hand after the fallback arms the count again (vfio_early_tries=2)" \
	eval 'b 4 "confirm rc=0" && b 4 "counter-after vfio_early_tries=2"'
for i in 5 6 7 8 9 10; do
	tap_check "OVMF: boot $i: passthrough, the VGA on vfio-pci; 'vfio-early confirm' by hand succeeds" \
		eval 'pt $i && b $i "confirm rc=0"'
done
tap_check "OVMF: boots 5-9 were counted (vfio_early_tries=1 at boot), and the confirm unset it" eval \
	'for i in 5 6 7 8 9; do b $i "counter vfio_early_tries=1" && b $i "confirm: grub: wrote /boot/grub/grubenv: confirmed" ||
	   exit 1; done'
tap_check "OVMF: boot 10: a normal confirmed boot: nothing counted (GRUB wrote nothing), nothing to confirm" \
	eval 'b 10 "counter vfio_early_tries unset" && b 10 "confirm: Nothing counts this boot"'
tap_check "OVMF: boot 10: no EFI variable was written in it (the non-volatile ones, start vs end)" b 10 "nv unchanged"
tap_diag "boot-by-boot log (GRUB x86_64-efi, fallback 2; counter: grubenv as GRUB left it at boot):" "$(fb_boot_log "$M" 1 $LAST)"

# ------------------------------------------------------------------ BIOS: three boots
# SeaBIOS starts the i386-pc GRUB; GRUB reads the disk through BIOS calls, slow under TCG
fb_run BIOS "$T/root-bios.img" 3 -kernel "$T/grub-bios.lnx"
M=$T/marks-BIOS
unconfirmed BIOS
tap_diag "boot-by-boot log (GRUB i386-pc, fallback 2; counter: grubenv as GRUB left it at boot):" "$(fb_boot_log "$M" 1 3)"
tap_done
