#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU boot test of the GRUB backend (TAP). About 2 minutes on 2 cores under TCG.
#
# Real GRUB reads a grub.cfg made by 'vfio-early boot install', which runs the real
# update-grub (Debian's 00_header and 10_linux plus our installed
# /etc/grub.d/42_vfio-early) against a fake root (lib-grub.sh) whose
# /etc/default/grub is Debian's stock file (grub2-common). The kernel boots our real
# initramfs (mkinitramfs with our hook, lib.sh) on the lib.sh test machine, with
# 0000:00:05.0 (bochs-display, + its audio function 05.1) configured for
# passthrough. Two QEMU runs: UEFI (OVMF, x86_64-efi GRUB), three boots, and BIOS
# (SeaBIOS, i386-pc GRUB), two boots:
#   boot 1: the default entry: the passthrough parameters, 05.0 on vfio-pci; the guest
#           arms the one-shot with 'vfio-early boot recovery --next' and reboots;
#   boot 2: the '(no GPU passthrough)' entry: vfio_early=off, 05.0 on bochs-drm;
#           GRUB cleared next_entry itself (save_env): 'boot show' says so;
#   boot 3: (UEFI) the default entry again, 05.0 on vfio-pci; the guest powers off.
set -u
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-grub.sh"

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
UUID=0e5a1c3d-7b2f-4c1e-9a55-3c0ffee0b007
TARGET=0000:00:05.0
VFE_TIMEOUT=${VFE_TIMEOUT:-170}

grub_boot_need
vfe_setup

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
		fi
		vfio-early boot show 2>&1 | sed "s/^/VFE-GRUB show boot=\$c: /"
		# as a real shutdown does: GRUB reads ext4 without replaying its journal, so a
		# grubenv renamed into place is only visible to it once the journal is checkpointed
		sync
		mount -o remount,ro /
		if [ \$c -ge "\$(cat /etc/vfe-boots 2>/dev/null || echo 3)" ]; then poweroff -f; else reboot -f; fi
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
	# Debian 12's own /etc/default/grub (grub2-common), untouched; the test machine's
	# settings (serial console, no menu wait) in a drop-in, as a user would add them
	cp /usr/share/grub/default/grub "$r/etc/default/grub"
	cat >"$r/etc/default/grub.d/10-test-machine.cfg" <<-DEF
		GRUB_TIMEOUT=0
		GRUB_CMDLINE_LINUX="console=ttyS0 rootfstype=ext4 panic=-1"
		GRUB_TERMINAL=console
	DEF
}

echo "device $TARGET id=1234:1111 group=whole" >"$VFE_DEST/etc/vfio-early.conf"
vfe_it_confdir "$T/it" || tap_bail "initramfs-tools CONFDIR"
vfe_mkinitramfs "$T/it" "$T/initrd" || tap_bail "mkinitramfs" "$T/initrd.log"
grub_guest_root "$T/root.img" "$T/initrd" || tap_bail "guest root file system" "$T/mke2fs.log"
R=$T/rootfs

# the fake host is an Intel machine (boot install picks intel_iommu=on from the CPU vendor);
# 'boot install' runs update-grub, the real grub-mkconfig, in the fake root's namespace
mkdir -p "$R/proc" "$R/usr/sbin" && printf 'vendor_id\t: GenuineIntel\nflags\t\t: vmx\n' >"$R/proc/cpuinfo"
cp /usr/sbin/update-grub "$R/usr/sbin/update-grub"
start=$(date +%s)
GRUB_FAKE_ROOT_DEV=/dev/vda GRUB_FAKE_ROOT_UUID=$UUID grub_fakeroot_run "$R" \
	env VFIO_EARLY_CLI="$VFE_DEST/usr/sbin/vfio-early" "$VFE_DEST/usr/sbin/vfio-early" --root="$R" boot install \
	>"$T/install.out" 2>&1 || tap_bail "boot install (update-grub against the fake root)" "$T/install.out"
tap_check "boot install: the drop-in has the passthrough parameters" \
	grep -q 'intel_iommu=on iommu=pt' "$R/etc/default/grub.d/vfio-early.cfg"
tap_check "boot install ran the real grub-mkconfig and our installed /etc/grub.d script ($(($(date +%s) - start))s)" \
	grep -q "^menuentry '.* (no GPU passthrough)' .* 'vfio-early-nopt' {" "$R/boot/grub/grub.cfg"
tap_check "one '(no GPU passthrough)' entry per kernel in our submenu" \
	grep -q "'vfio-early-nopt-$VFE_KVER' {" "$R/boot/grub/grub.cfg"
entry() { grep -A12 "'vfio-early-nopt' {" "$R/boot/grub/grub.cfg"; }
tap_check "recovery entry: the default entry's root and search lines, vfio_early=off" eval \
	'entry | grep -q "linux.*/boot/vmlinuz-$VFE_KVER root=/dev/vda ro .*vfio_early=off" &&
	 entry | grep -q "search --no-floppy --fs-uuid --set=root $UUID"'
grub-editenv "$R/boot/grub/grubenv" create
# GRUB's i386-pc modules where grub-install puts them; the EFI GRUB has its own built in
mkdir -p "$R/boot/grub/i386-pc" && cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$R/boot/grub/i386-pc/"
rm -f "$T/root.img"
mke2fs -q -t ext4 -U "$UUID" -d "$R" "$T/root.img" 200M >"$T/mke2fs.log" 2>&1 || tap_bail "mke2fs" "$T/mke2fs.log"
cp --sparse=always "$T/root.img" "$T/root-bios.img"
echo 2 >"$T/vfe-boots" && debugfs -w -R "write $T/vfe-boots /etc/vfe-boots" "$T/root-bios.img" >/dev/null 2>&1
grub_esp "$T/esp.img" "$UUID" >"$T/esp.log" 2>&1 || tap_bail "GRUB EFI image" "$T/esp.log"
grub_bios "$T/grub-bios.lnx" "$UUID" >"$T/bios.log" 2>&1 || tap_bail "GRUB i386-pc image" "$T/bios.log"
cp "$OVMF_VARS" "$T/vars.fd"

# ------------------------------------------------------------------ three boots per firmware, one QEMU run each

args=()
for a in "${VFE_QEMU_ARGS[@]}"; do [ "$a" = -no-reboot ] || args+=("$a"); done # we reboot twice

# grub_boots FW IMG BOOTS DISK_OPTS QEMU_ARGS...: one QEMU run of BOOTS boots (3, or 2: the
# guest then checks at boot 2 that GRUB cleared next_entry), then the checks, named "FW: ..."
grub_boots() {
	local fw=$1 img=$2 boots=$3 disk=$4 qrc secs start marks=$T/marks-$1
	shift 4
	start=$(date +%s)
	vfe_qemu_run "$T/serial-$fw.log" "${args[@]}" "$@" \
		-drive if=none,id=root,format=raw,file="$img" -device "virtio-blk-pci,drive=root,addr=04.0$disk"
	qrc=$?
	secs=$(($(date +%s) - start))
	grep -a '^VFE-GRUB' "$T/serial-$fw.log" >"$marks"
	line() { grep -a "^VFE-GRUB boot=$1 " "$marks"; }
	[ "$qrc" = 0 ] || tail -n 30 "$T/serial-$fw.log" >"$T/serial.tail"
	if [ "$qrc" = 0 ] && [ "$(grep -c '^VFE-GRUB boot=' "$marks")" = "$boots" ]; then
		tap_ok "$fw: $boots boots through GRUB, then power off (${secs}s)"
	else
		tap_not_ok "$fw: $boots boots through GRUB, then power off (exit $qrc, ${secs}s)" "$T/serial.tail"
	fi
	tap_check "$fw: boot 1: the passthrough entry (intel_iommu=on, no vfio_early=off)" eval \
		'line 1 | grep -q "intel_iommu=on" && ! line 1 | grep -q "vfio_early=off"'
	tap_check "$fw: boot 1: $TARGET on vfio-pci" eval 'line 1 | grep -q " driver=vfio-pci "'
	tap_check "$fw: boot 1: 'vfio-early boot recovery --next' armed the one-shot in the guest" \
		grep -q '^VFE-GRUB armed rc=0$' "$marks"
	tap_check "$fw: boot 2: the '(no GPU passthrough)' entry (vfio_early=off)" eval 'line 2 | grep -q "vfio_early=off"'
	tap_check "$fw: boot 2: $TARGET on its native driver (bochs-drm)" eval 'line 2 | grep -q " driver=bochs-drm "'
	tap_check "$fw: boot 2: GRUB cleared next_entry; 'boot show' in the guest: next boot is the default" eval \
		'grep -qx "VFE-GRUB show boot=2:   next_entry=" "$marks" &&
		 grep -qx "VFE-GRUB show boot=2:   next boot: 0 (GRUB_DEFAULT)" "$marks"'
	if [ "$boots" = 3 ]; then
		tap_check "$fw: boot 3: the passthrough entry again" eval \
			'line 3 | grep -q "intel_iommu=on" && ! line 3 | grep -q "vfio_early=off"'
		tap_check "$fw: boot 3: $TARGET on vfio-pci" eval 'line 3 | grep -q " driver=vfio-pci "'
	fi
	debugfs -R "cat /boot/grub/grubenv" "$img" 2>/dev/null >"$T/grubenv.after"
	tap_check "$fw: grubenv after the run: 1024 bytes, no next_entry" eval \
		'[ "$qrc" = 0 ] && [ "$(wc -c <"$T/grubenv.after")" = 1024 ] && ! grep -q "^next_entry=." "$T/grubenv.after"'
	tap_diag "$(grep -v '^VFE-GRUB show' "$marks" | cut -c1-220)"
}

# UEFI: OVMF starts the x86_64-efi GRUB from the ESP; three boots
grub_boots OVMF "$T/root.img" 3 ,bootindex=1 \
	-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" -drive if=pflash,format=raw,file="$T/vars.fd" \
	-drive if=none,id=esp,format=raw,file="$T/esp.img" -device ide-hd,drive=esp,bootindex=0
# BIOS: SeaBIOS (QEMU's default firmware) starts the i386-pc GRUB; no EFI anywhere in the
# guest. GRUB reads the kernel through BIOS calls, slow under TCG (~20 s a boot): two boots.
grub_boots BIOS "$T/root-bios.img" 2 "" -kernel "$T/grub-bios.lnx"
tap_check "BIOS: the guest's 'vfio-early boot show' names GRUB and never EFI" eval \
	'grep -q "^VFE-GRUB show boot=1: grub:" "$T/marks-BIOS" && ! grep -i efi "$T/marks-BIOS"'
tap_done
