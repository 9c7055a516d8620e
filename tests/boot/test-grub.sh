#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU boot test of the GRUB backend (TAP). About 2.5 minutes on 2 cores under TCG.
#
# Real GRUB (x86_64-efi, grub-mkstandalone) under OVMF reads a grub.cfg made by the
# real grub-mkconfig from Debian's 00_header and 10_linux plus our installed
# /etc/grub.d/42_vfio-early, run against a fake root (lib-grub.sh). The kernel boots
# our real initramfs (mkinitramfs with our hook, lib.sh) on the lib.sh test machine,
# with 0000:00:05.0 (bochs-display, + its audio function 05.1) configured for
# passthrough. One QEMU run, three boots:
#   boot 1: the default entry: the passthrough parameters, 05.0 on vfio-pci; the guest
#           arms the one-shot with 'vfio-early boot recovery --next' and reboots;
#   boot 2: the '(no GPU passthrough)' entry: vfio_early=off, 05.0 on bochs-drm;
#           GRUB clears next_entry itself (save_env);
#   boot 3: the default entry again, 05.0 on vfio-pci; the guest powers off.
set -u
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-grub.sh"

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
UUID=0e5a1c3d-7b2f-4c1e-9a55-3c0ffee0b007
TARGET=0000:00:05.0
VFE_TIMEOUT=${VFE_TIMEOUT:-170}

vfe_need grub-mkstandalone grub-mkconfig grub-editenv mformat mmd mcopy debugfs unshare
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (a mount namespace for grub-mkconfig)"; exit 0; }
[ -r "$OVMF_CODE" ] && [ -r "$OVMF_VARS" ] || { echo "1..0 # SKIP OVMF is missing (package ovmf)"; exit 0; }
[ -d /usr/lib/grub/x86_64-efi ] || { echo "1..0 # SKIP grub-efi-amd64-bin is missing"; exit 0; }
vfe_setup
T=$VFE_TMP

# ------------------------------------------------------------------ guest root with GRUB's files

# grub_guest_init: /sbin/init for three boots (counts boots in /var/boot-count)
grub_guest_init() {
	cat <<-EOF
		#!/bin/sh
		export PATH=/usr/sbin:/usr/bin:/sbin:/bin
		mounted() { grep -qs "^[^ ]* \$1 " /proc/mounts; }
		mounted /proc || mount -t proc proc /proc
		mounted /sys || mount -t sysfs sysfs /sys
		mounted /dev || mount -t devtmpfs devtmpfs /dev
		mount -o remount,rw /
		dmesg -n 1
		mkdir -p /var
		c=\$(cat /var/boot-count 2>/dev/null || echo 0); c=\$((c + 1)); echo \$c >/var/boot-count; sync
		drv() { basename "\$(readlink /sys/bus/pci/devices/\$1/driver 2>/dev/null)" 2>/dev/null; }
		echo "VFE-GRUB boot=\$c driver=\$(drv $TARGET) cmdline=\$(cat /proc/cmdline)"
		if [ \$c = 1 ]; then
			vfio-early boot recovery --next >/dev/null 2>&1
			echo "VFE-GRUB armed rc=\$?"
			vfio-early boot show | sed 's/^/VFE-GRUB show: /'
		fi
		sync
		if [ \$c -ge 3 ]; then poweroff -f; else reboot -f; fi
		sleep 30
	EOF
}

# grub_guest_root IMG INITRD: lib.sh's root file system (busybox, our CLI and config)
# plus /boot (kernel, our initrd, grub.cfg by the real grub-mkconfig, grubenv), the
# /etc/default and /etc/grub.d GRUB reads.
grub_guest_root() {
	local img=$1 r=$T/rootfs
	vfe_mkrootfs "$T/lib-root.img" || return 1
	rm -f "$T/lib-root.img"
	grub_guest_init >"$r/sbin/init"
	grub_fakeroot_tree "$r"
	cp "$VFE_DEST/etc/grub.d/42_vfio-early" "$r/etc/grub.d/42_vfio-early" # the installed one
	cp "$VFE_KERNEL" "$r/boot/vmlinuz-$VFE_KVER"
	cp "$2" "$r/boot/initrd.img-$VFE_KVER"
	cat >"$r/etc/default/grub" <<-DEF
		GRUB_DEFAULT=0
		GRUB_TIMEOUT=0
		GRUB_DISTRIBUTOR=Debian
		GRUB_CMDLINE_LINUX_DEFAULT="quiet"
		GRUB_CMDLINE_LINUX="console=ttyS0 rootfstype=ext4 panic=-1"
		GRUB_TERMINAL=console
	DEF
}

# grub_esp IMG: a FAT image with a standalone GRUB as EFI/BOOT/BOOTX64.EFI. Its memdisk
# grub.cfg finds the root disk by UUID and points $prefix there, so load_env/save_env use
# that disk's grubenv; the modules are built in, nothing is loaded from $prefix.
grub_esp() {
	local mods="part_gpt part_msdos fat ext2 normal linux loadenv search search_fs_uuid
		search_fs_file configfile echo test gzio all_video efi_gop font gfxterm halt reboot"
	printf 'search --no-floppy --fs-uuid --set=root %s\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n' \
		"$UUID" >"$T/memdisk.cfg"
	# shellcheck disable=SC2086
	grub-mkstandalone -O x86_64-efi -o "$T/BOOTX64.EFI" --modules="$(echo $mods)" --install-modules="$(echo $mods)" \
		"boot/grub/grub.cfg=$T/memdisk.cfg" &&
		dd if=/dev/zero of="$1" bs=1M count=16 status=none && mformat -i "$1" :: &&
		mmd -i "$1" ::/EFI ::/EFI/BOOT && mcopy -i "$1" "$T/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
}

echo "device $TARGET id=1234:1111 group=whole" >"$VFE_DEST/etc/vfio-early.conf"
vfe_it_confdir "$T/it" || tap_bail "initramfs-tools CONFDIR"
vfe_mkinitramfs "$T/it" "$T/initrd" || tap_bail "mkinitramfs" "$T/initrd.log"
grub_guest_root "$T/root.img" "$T/initrd" || tap_bail "guest root file system" "$T/mke2fs.log"
R=$T/rootfs

# the fake host is an Intel machine (boot install picks intel_iommu=on from the CPU vendor)
mkdir -p "$R/proc" && printf 'vendor_id\t: GenuineIntel\nflags\t\t: vmx\n' >"$R/proc/cpuinfo"
"$VFE_DEST/usr/sbin/vfio-early" --root="$R" boot install --no-update >"$T/install.out" 2>&1 ||
	sed 's/^/# install: /' "$T/install.out"
tap_check "boot install --no-update: the drop-in has the passthrough parameters" \
	grep -q 'intel_iommu=on iommu=pt' "$R/etc/default/grub.d/vfio-early.cfg"
start=$(date +%s)
grub_mkconfig_fakeroot "$R" /dev/vda "$UUID" "$R/boot/grub/grub.cfg" >"$T/mkconfig.log" 2>&1 ||
	tap_bail "grub-mkconfig against the fake root" "$T/mkconfig.log"
tap_check "real grub-mkconfig ran our installed /etc/grub.d script ($(($(date +%s) - start))s)" \
	grep -q "^menuentry '.* (no GPU passthrough)' .* 'vfio-early-nopt' {" "$R/boot/grub/grub.cfg"
tap_check "one '(no GPU passthrough)' entry per kernel in our submenu" \
	grep -q "'vfio-early-nopt-$VFE_KVER' {" "$R/boot/grub/grub.cfg"
entry() { grep -A12 "'vfio-early-nopt' {" "$R/boot/grub/grub.cfg"; }
tap_check "recovery entry: the default entry's root and search lines, vfio_early=off" eval \
	'entry | grep -q "linux.*/boot/vmlinuz-$VFE_KVER root=/dev/vda ro .*vfio_early=off" &&
	 entry | grep -q "search --no-floppy --fs-uuid --set=root $UUID"'
grub-editenv "$R/boot/grub/grubenv" create
rm -f "$T/root.img"
mke2fs -q -t ext4 -U "$UUID" -d "$R" "$T/root.img" 200M >"$T/mke2fs.log" 2>&1 || tap_bail "mke2fs" "$T/mke2fs.log"
grub_esp "$T/esp.img" >"$T/esp.log" 2>&1 || tap_bail "GRUB EFI image" "$T/esp.log"
cp "$OVMF_VARS" "$T/vars.fd"

# ------------------------------------------------------------------ three boots, one QEMU run

args=()
for a in "${VFE_QEMU_ARGS[@]}"; do [ "$a" = -no-reboot ] || args+=("$a"); done # we reboot twice
start=$(date +%s)
vfe_qemu_run "$T/serial.log" "${args[@]}" \
	-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" -drive if=pflash,format=raw,file="$T/vars.fd" \
	-drive if=none,id=esp,format=raw,file="$T/esp.img" -device ide-hd,drive=esp,bootindex=0 \
	-drive if=none,id=root,format=raw,file="$T/root.img" -device virtio-blk-pci,drive=root,addr=04.0,bootindex=1
qrc=$?
secs=$(($(date +%s) - start))
grep -a '^VFE-GRUB' "$T/serial.log" >"$T/marks"
line() { grep -a "^VFE-GRUB boot=$1 " "$T/marks"; }
[ "$qrc" = 0 ] || tail -n 30 "$T/serial.log" >"$T/serial.tail"

if [ "$qrc" = 0 ] && [ "$(grep -c '^VFE-GRUB boot=' "$T/marks")" = 3 ]; then
	tap_ok "QEMU: three boots through GRUB, then power off (${secs}s)"
else
	tap_not_ok "QEMU: three boots through GRUB, then power off (exit $qrc, ${secs}s)" "$T/serial.tail"
fi
tap_check "boot 1: the passthrough entry (intel_iommu=on, no vfio_early=off)" eval \
	'line 1 | grep -q "intel_iommu=on" && ! line 1 | grep -q "vfio_early=off"'
tap_check "boot 1: $TARGET on vfio-pci" eval 'line 1 | grep -q " driver=vfio-pci "'
tap_check "boot 1: 'vfio-early boot recovery --next' armed the one-shot in the guest" grep -q '^VFE-GRUB armed rc=0$' "$T/marks"
tap_check "boot 2: the '(no GPU passthrough)' entry (vfio_early=off)" eval 'line 2 | grep -q "vfio_early=off"'
tap_check "boot 2: $TARGET on its native driver (bochs-drm)" eval 'line 2 | grep -q " driver=bochs-drm "'
tap_check "boot 3: the passthrough entry again (GRUB cleared next_entry)" eval \
	'line 3 | grep -q "intel_iommu=on" && ! line 3 | grep -q "vfio_early=off"'
tap_check "boot 3: $TARGET on vfio-pci" eval 'line 3 | grep -q " driver=vfio-pci "'
debugfs -R "cat /boot/grub/grubenv" "$T/root.img" 2>/dev/null >"$T/grubenv.after"
tap_check "grubenv after the run: 1024 bytes, no next_entry" eval \
	'[ "$qrc" = 0 ] && [ "$(wc -c <"$T/grubenv.after")" = 1024 ] && ! grep -q "^next_entry=." "$T/grubenv.after"'
tap_diag "$(cut -c1-220 "$T/marks")"
tap_done
