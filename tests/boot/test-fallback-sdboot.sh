#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU boot test of the automatic fallback on systemd-boot (TAP): the real OVMF and the
# real systemd-bootx64.efi (252) count the passthrough entry down, our real initramfs
# (mkinitramfs, our hook) binds on a host whose only display is passed through
# (lib-fallback.sh). 'vfio-early boot install' (host side, fake root: lib-sdboot.sh)
# names the entry NAME+3.conf (fallback 2). One QEMU run, ten boots:
#   1, 2  nobody confirms (the unit's --auto finds no display): passthrough, counted down;
#   3     the entry's last try: the binder binds nothing; bochs-drm drives the VGA;
#         'status' says why; --auto fails, so that systemd-bless-boot would not bless it;
#   4     the entry is bad: systemd-boot boots our entry by itself, recovery again (no
#         oscillation); the guest runs 'vfio-early boot passthrough --default';
#   5-10  passthrough, 'vfio-early confirm' at every boot; after boots 5-8 also 'boot
#         refresh' (what a kernel or initramfs update runs), which arms the count again,
#         so boots 6-9 are counted and confirmed; boot 10 is a normal confirmed boot:
#         no EFI variable changes in it.
# The boot-by-boot log is printed as TAP diagnostics.
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
set -u
VFE_TIMEOUT=${VFE_TIMEOUT:-900} # ten boots in one QEMU run (under TCG, on a shared host)
# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/boot/lib-sdboot.sh
. "$(dirname "$0")/lib-sdboot.sh"
# shellcheck source=tests/boot/lib-fallback.sh
. "$(dirname "$0")/lib-fallback.sh"

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
MID=0e5a1c3d7b2f4c1e9a553c0ffee0b007
LAST=10

sdb_boot_need
vfe_setup
R=$T/rootfs
X=$MID-$VFE_KVER NOPT=$MID-$VFE_KVER-vfio-early-nopt.conf
ENTRIES=$R/boot/efi/loader/entries

# ------------------------------------------------------------------ host side: initramfs, root, install

printf '%s\n' "$FB_CONF" >"$VFE_DEST/etc/vfio-early.conf"
{ vfe_it_confdir "$T/it" && sdb_it_modules "$T/it"; } || tap_bail "initramfs-tools CONFDIR"
vfe_mkinitramfs "$T/it" "$T/initrd" || tap_bail "mkinitramfs" "$T/initrd.log"
tap_check "the initramfs has efivarfs, for the binder's read of LoaderBootCountPath" \
	eval 'lsinitramfs "$T/initrd" | grep -q "efivarfs.ko"'
vfe_mkrootfs "$T/lib-root.img" || tap_bail "guest root file system" "$T/mke2fs.log"
rm -f "$T/lib-root.img"
fb_guest_init "$LAST" >"$R/sbin/init"
echo 'ls /boot/efi/loader/entries | grep -v vfio-early-nopt' >"$R/etc/vfe-counter"
printf '%s\n' "4 return" "5 confirm refresh" "6 confirm refresh" "7 confirm refresh" "8 confirm refresh" \
	"9 confirm" "10 confirm" >"$R/etc/vfe-plan"
sdb_fake_host "$R" "$VFE_KERNEL" "$T/initrd" "$MID" || tap_bail "fake host tree (ESP at /boot/efi)"
sed -i "s/^options .*/& $FB_CMDLINE_EXTRA/" "$ENTRIES/$X.conf"

"$VFE_DEST/usr/sbin/vfio-early" --root="$R" boot install >"$T/install.out" 2>&1
irc=$?
tap_check "host: boot install (exit $irc) arms the fallback: the passthrough entry is $X+3.conf" \
	eval '[ $irc = 0 ] && [ -f "$ENTRIES/$X+3.conf" ] && [ ! -e "$ENTRIES/$X.conf" ] && [ -f "$ENTRIES/$NOPT" ] ||
	      { cat "$T/install.out"; ls "$ENTRIES"; false; }'
"$VFE_DEST/usr/sbin/vfio-early" --root="$R" boot show >"$T/show.out" 2>&1
tap_check "host: boot show says 2 unconfirmed passthrough boots are left" \
	grep -q "automatic fallback: armed: 2 unconfirmed passthrough boots left" "$T/show.out"
sdb_fake_host_undo "$R" "$T/esp-tree" || tap_bail "move the ESP tree out of the root"
mke2fs -q -t ext4 -L vfe-root -d "$R" "$T/root.img" 96M >"$T/mke2fs.log" 2>&1 || tap_bail "mke2fs" "$T/mke2fs.log"
sdb_esp_disk "$T/esp.img" "$T/esp-tree" >"$T/esp.log" 2>&1 || tap_bail "GPT disk with the ESP" "$T/esp.log"
cp "$OVMF_VARS" "$T/vars.fd"

# ------------------------------------------------------------------ ten boots, one QEMU run

start=$(date +%s)
vfe_qemu_run "$T/serial.log" "${FB_QEMU_ARGS[@]}" \
	-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" -drive if=pflash,format=raw,file="$T/vars.fd" \
	-drive if=none,id=root,format=raw,file="$T/root.img" -device virtio-blk-pci,drive=root,addr=04.0 \
	-drive if=none,id=esp,format=raw,file="$T/esp.img" -device virtio-blk-pci,drive=esp,addr=07.0,bootindex=0
qrc=$?
secs=$(($(date +%s) - start))
M=$T/marks
grep -a '^VFE-FB ' "$T/serial.log" >"$M"
b() { fb_b "$M" "$@"; }
nboots=$(grep -c '^VFE-FB [0-9]* end$' "$M")
if [ "$qrc" = 0 ] && [ "$nboots" = $LAST ]; then
	tap_ok "QEMU: $LAST boots through OVMF and systemd-boot, then power off (${secs}s)"
else
	tail -n 40 "$T/serial.log" >"$T/serial.tail"
	tap_not_ok "QEMU: $LAST boots through OVMF and systemd-boot, then power off (exit $qrc, $nboots boots, ${secs}s)" \
		"$T/serial.tail"
fi
pt() { b "$1" binder | grep -q "binder passthrough " && b "$1" driver | grep -q "01.0=vfio-pci drm= *$"; }
native() { b "$1" binder | grep -q "binder recovery " && b "$1" driver | grep -q "01.0=bochs-drm drm=card0-"; }

# ---- nobody confirms
for i in 1 2; do
	tap_check "boot $i: passthrough through the counted entry; the VGA on vfio-pci, the host without a display" pt $i
	tap_check "boot $i: the unit's 'confirm --auto' sees no host display and fails: the boot stays unconfirmed" \
		eval 'b $i "auto rc=1" && b $i "auto: .*no host display within 1 s"'
done
tap_check "boot 1: systemd-boot counted $X+3.conf down (LoaderBootCountPath $X+2-1.conf)" \
	b 1 "loader selected=$X+3.conf countpath=.loader.entries.$X+2-1.conf "
tap_check "boot 2: ... and again ($X+1-2.conf)" b 2 "loader selected=$X+2-1.conf countpath=.loader.entries.$X+1-2.conf "
tap_check "boot 3: the entry's last try ($X+0-3.conf): the binder binds nothing, 'automatic fallback after 2 boots'" \
	eval 'b 3 "loader .*countpath=.loader.entries.$X+0-3.conf " &&
	      b 3 "binder recovery (\"automatic fallback after 2 boots without a confirmed host display (systemd-boot counted"'
tap_check "boot 3: the VGA stays with bochs-drm, whose connector is connected and enabled" eval \
	'native 3 && b 3 driver | grep -q "drm=card0-[A-Za-z0-9-]*:connected/enabled"'
tap_check "boot 3: 'vfio-early status' says: recovery: automatic fallback after 2 boots without a confirmed host display" \
	b 3 "status: Mode: *recovery: automatic fallback after 2 boots without a confirmed host display$"
tap_check "boot 3: ... and how to return" b 3 "status: .*run 'vfio-early boot passthrough --default'"
tap_check "boot 3: --auto in the fallback boot fails (systemd-bless-boot must not mark the entry good)" \
	eval 'b 3 "auto rc=1" && b 3 "auto: .*this boot is the automatic fallback"'
tap_check "boot 4: the entry is bad: systemd-boot boots our entry by itself ($NOPT, nothing counted)" \
	b 4 "loader selected=$NOPT countpath=none "
tap_check "boot 4: recovery again (no oscillation): vfio_early=off, the VGA on bochs-drm" eval \
	'native 4 && b 4 binder | grep -q "vfio_early=off on the kernel command line"'
tap_check "boot 4: 'vfio-early status' still says why" \
	b 4 "status: Mode: *recovery: automatic fallback after 2 boots without a confirmed host display$"
tap_check "boot 4: 'boot passthrough --default' arms the count again ($X+3.conf)" \
	eval 'b 4 "return rc=0" && b 4 "counter-after .*$X+3.conf"'

# ---- confirm at every boot
for i in 5 6 7 8 9 10; do
	tap_check "boot $i: passthrough, the VGA on vfio-pci; 'vfio-early confirm' by hand succeeds" \
		eval 'pt $i && b $i "confirm rc=0"'
done
tap_check "boots 5-9 were counted (the refresh after each confirm armed the count again), and confirmed" eval \
	'for i in 5 6 7 8 9; do b $i "loader .*countpath=.loader.entries.$X+2-1.conf " &&
	   b $i "confirm: systemd-boot: confirmed: renamed $X+2-1.conf to $X.conf" || exit 1; done'
tap_check "boot 10: a normal confirmed boot: nothing counted, nothing to confirm" \
	eval 'b 10 "loader selected=$X.conf countpath=none " && b 10 "counter $X.conf" && b 10 "confirm: Nothing counts this boot"'
tap_check "boot 10: no EFI variable was written in it (the non-volatile ones, start vs end)" b 10 "nv unchanged"
# across the reboot from 9 to 10 the firmware has its own (MTC, the monotonic counter); ours are the Loader* ones
grep -a "^VFE-FB 9 nvlist: " "$M" | sed 's/^VFE-FB 9 nvlist: //' >"$T/nv9"
b 10 "nv changed" >/dev/null
grep -a "^VFE-FB 10 nvlist: " "$M" | sed 's/^VFE-FB 10 nvlist: //' >"$T/nv10"
diff "$T/nv9" "$T/nv10" | grep '^[<>]' >"$T/nvdiff"
tap_check "from the end of boot 9 to the end of boot 10 no Boot Loader Interface or Boot#### variable changed" \
	eval '! grep -E "(-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f|^. Boot[0-9A-F]{4}-|^. BootNext-|^. BootOrder-)" "$T/nvdiff"'

tap_diag "non-volatile EFI variables changed from boot 9 to boot 10 (the firmware's):" "$(cat "$T/nvdiff")"
tap_diag "boot-by-boot log (systemd-boot, fallback 2; counter: the entry as systemd-boot left it at boot):"
tap_diag "(NAME = $X)" "$(fb_boot_log "$M" 1 "$LAST" "s/$X/NAME/g")"
tap_done
