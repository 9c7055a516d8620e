#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU boot test of the systemd-boot and firmware (Boot####) backends (TAP).
#
# Real OVMF and the real systemd-bootx64.efi boot an ESP image (a GPT disk, one ESP
# partition) made from what `vfio-early boot install` wrote on the host side (a fake
# root, lib-sdboot.sh): the kernel-install style entry, now with the passthrough
# parameters, and our "(no GPU passthrough)" entry with vfio_early=off. The kernel boots
# our real initramfs (lib.sh) on the lib.sh test machine, 0000:00:05.0 (bochs-display,
# + its audio function 05.1) configured for passthrough. One QEMU run, five boots:
#   boot 1: systemd-boot's default entry: 05.0/05.1 on vfio-pci; LoaderEntrySelected is
#           the passthrough entry; the guest runs 'vfio-early boot recovery --next';
#   boot 2: the recovery entry (LoaderEntryOneShot): 05.0 on bochs-drm, 05.1 on
#           snd_hda_intel, 'vfio-early status' says recovery and names the entry;
#   boot 3: the passthrough entry again by itself; the guest runs 'vfio-early boot
#           install' (the firmware backend builds Boot#### from the real disk) and
#           'vfio-early boot recovery --next --firmware' (BootNext);
#   boot 4: the firmware starts our Boot#### (the kernel's EFI stub, systemd-boot
#           bypassed): BootCurrent is ours, vfio_early=off, native drivers;
#   boot 5: systemd-boot's default entry again, vfio-pci; the guest powers off.
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
set -u
# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/boot/lib-sdboot.sh
. "$(dirname "$0")/lib-sdboot.sh"

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
TARGET=0000:00:05.0
MID=0e5a1c3d7b2f4c1e9a553c0ffee0b007
VFE_TIMEOUT=${VFE_TIMEOUT:-220}
LAST=5

sdb_boot_need
vfe_setup
R=$T/rootfs
PT=$MID-$VFE_KVER.conf NOPT=$MID-$VFE_KVER-vfio-early-nopt.conf
ENTRIES=$R/boot/efi/loader/entries

# ------------------------------------------------------------------ host side: initramfs, root, install

# the entries' own boots; the automatic fallback's counting has test-fallback-sdboot.sh
printf 'device %s id=1234:1111 group=whole\nfallback off\n' "$TARGET" >"$VFE_DEST/etc/vfio-early.conf"
{ vfe_it_confdir "$T/it" && sdb_it_modules "$T/it"; } || tap_bail "initramfs-tools CONFDIR"
vfe_mkinitramfs "$T/it" "$T/initrd" || tap_bail "mkinitramfs" "$T/initrd.log"
vfe_mkrootfs "$T/lib-root.img" || tap_bail "guest root file system" "$T/mke2fs.log"
rm -f "$T/lib-root.img"
sdb_guest_init "$LAST" >"$R/sbin/init"
sdb_fake_host "$R" "$VFE_KERNEL" "$T/initrd" "$MID" || tap_bail "fake host tree (ESP at /boot/efi)"

"$VFE_DEST/usr/sbin/vfio-early" --root="$R" boot install >"$T/install.out" 2>&1
irc=$?
tap_check "host: vfio-early boot install (exit $irc)" eval '[ $irc = 0 ] || { cat "$T/install.out"; false; }'
tap_check "host: the passthrough entry got iommu=pt and no amd_iommu=on (the guest CPU is AMD's), kept intel_iommu=on" \
	eval 'grep -Eq "^options .*intel_iommu=on.* iommu=pt" "$ENTRIES/$PT" && ! grep -q amd_iommu "$ENTRIES/$PT"' 
tap_check "host: recovery entry $NOPT: same kernel and initrd, vfio_early=off" eval \
	'grep -q "^linux */$MID/$VFE_KVER/linux\$" "$ENTRIES/$NOPT" && grep -q "^initrd */$MID/$VFE_KVER/initrd\$" "$ENTRIES/$NOPT" &&
	 grep -q "^options .*vfio_early=off" "$ENTRIES/$NOPT" || { cat "$T/install.out" "$ENTRIES/$NOPT"; false; }'
sdb_fake_host_undo "$R" "$T/esp-tree" || tap_bail "move the ESP tree out of the root"
mke2fs -q -t ext4 -L vfe-root -d "$R" "$T/root.img" 96M >"$T/mke2fs.log" 2>&1 || tap_bail "mke2fs" "$T/mke2fs.log"
sdb_esp_disk "$T/esp.img" "$T/esp-tree" >"$T/esp.log" 2>&1 || tap_bail "GPT disk with the ESP" "$T/esp.log"
cp "$OVMF_VARS" "$T/vars.fd"

# ------------------------------------------------------------------ five boots, one QEMU run

args=()
for a in "${VFE_QEMU_ARGS[@]}"; do [ "$a" = -no-reboot ] || args+=("$a"); done # the guest reboots
start=$(date +%s)
vfe_qemu_run "$T/serial.log" "${args[@]}" \
	-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" -drive if=pflash,format=raw,file="$T/vars.fd" \
	-drive if=none,id=root,format=raw,file="$T/root.img" -device virtio-blk-pci,drive=root,addr=04.0 \
	-drive if=none,id=esp,format=raw,file="$T/esp.img" -device virtio-blk-pci,drive=esp,addr=07.0,bootindex=0
qrc=$?
secs=$(($(date +%s) - start))
grep -a '^VFE-SDB ' "$T/serial.log" >"$T/marks"
# b N KEY: boot N's "VFE-SDB N KEY..." lines
b() { grep -a "^VFE-SDB $1 $2" "$T/marks"; }
nboots=$(grep -c '^VFE-SDB [0-9]* end$' "$T/marks")
if [ "$qrc" = 0 ] && [ "$nboots" = $LAST ]; then
	tap_ok "QEMU: $LAST boots through OVMF, then power off (${secs}s)"
else
	tail -n 40 "$T/serial.log" >"$T/serial.tail"
	tap_not_ok "QEMU: $LAST boots through OVMF, then power off (exit $qrc, $nboots boots, ${secs}s)" "$T/serial.tail"
fi
pt_drivers() { b "$1" drivers | grep -q "05.0=vfio-pci 05.1=vfio-pci\$"; }
native_drivers() { b "$1" drivers | grep -q "05.0=bochs-drm 05.1=snd_hda_intel\$"; }
tap_check "boot 1: systemd-boot's default is the passthrough entry (LoaderEntrySelected=$PT)" \
	b 1 "vars now selected=$PT "
tap_check "boot 1: iommu=pt, no vfio_early=off" eval 'b 1 cmdline | grep " iommu=pt" | grep -vq vfio_early=off'
tap_check "boot 1: 05.0 and 05.1 on vfio-pci" pt_drivers 1
tap_check "boot 1: 'vfio-early boot recovery --next' set LoaderEntryOneShot=$NOPT" eval \
	'b 1 "arm rc=0" && b 1 "vars after .*oneshot=$NOPT "'
tap_check "boot 2: the recovery entry (LoaderEntrySelected=$NOPT, one-shot consumed)" \
	b 2 "vars now selected=$NOPT oneshot=none "
tap_check "boot 2: vfio_early=off on the kernel command line" eval 'b 2 cmdline | grep -q "vfio_early=off"'
tap_check "boot 2: 05.0 on bochs-drm, 05.1 on snd_hda_intel" native_drivers 2
tap_check "boot 2: 'vfio-early status' says recovery" eval 'b 2 status | grep -q "status: Mode: *recovery "'
tap_check "boot 2: 'vfio-early status' names the entry this boot came from" eval \
	'b 2 status | grep -q "This boot: *$NOPT (the no-passthrough entry)"'
tap_check "boot 3: the passthrough entry again by itself" b 3 "vars now selected=$PT oneshot=none "
tap_check "boot 3: 05.0 and 05.1 on vfio-pci" pt_drivers 3
tap_check "boot 3: 'vfio-early boot install' in the guest: systemd-boot already installed (same view as the host's)" \
	b 3 "install: systemd-boot: already installed; nothing to change"
tap_check "boot 3: 'vfio-early boot install' in the guest wrote a Boot#### of ours" eval \
	'b 3 "install rc=0" && b 3 "install: firmware: wrote Boot[0-9A-F]\{4\} "'
fwnum=$(b 3 "install: firmware: wrote Boot" | sed -n 's/.*wrote Boot\([0-9A-F]\{4\}\) .*/\1/p' | head -n 1)
tap_check "boot 3: 'vfio-early boot recovery --next --firmware' set BootNext=${fwnum:-?}" eval \
	'[ -n "$fwnum" ] && b 3 "armfw rc=0" && b 3 "vars after .*bootnext=$fwnum\$"'
tap_check "boot 4: the firmware started Boot${fwnum:-?} itself (BootCurrent; no LoaderEntrySelected)" eval \
	'[ -n "$fwnum" ] && b 4 "vars now selected=none oneshot=none bootcurrent=$fwnum bootnext=none"'
tap_check "boot 4: the kernel's EFI stub got our initrd and vfio_early=off" eval \
	'b 4 cmdline | grep -q "initrd=.$MID.$VFE_KVER.initrd .*vfio_early=off"'
tap_check "boot 4: 05.0 on bochs-drm, 05.1 on snd_hda_intel" native_drivers 4
tap_check "boot 4: 'vfio-early status' says recovery, from our Boot${fwnum:-?}" eval \
	'b 4 status | grep -q "status: Mode: *recovery " && b 4 status | grep -q "This boot: *Boot$fwnum (the no-passthrough entry)"'
tap_check "boot 5: systemd-boot's passthrough entry again (BootNext consumed)" \
	b 5 "vars now selected=$PT oneshot=none bootcurrent=[0-9A-F]* bootnext=none"
tap_check "boot 5: 05.0 and 05.1 on vfio-pci" pt_drivers 5
tap_diag "$(grep -v ' show: \| status: ' "$T/marks" | cut -c1-200)"
tap_done
