# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd-boot helpers for the boot tests (sourced after lib.sh; tests/boot/test-systemd-boot.sh
# uses them). Nothing here changes what lib.sh's other users get.
#
# sdb_fake_host ROOT KERNEL INITRD MACHINE_ID
#   ROOT becomes the host side of a Debian machine booted by systemd-boot, as
#   "vfio-early --root=ROOT boot install" sees it: the ESP mounted at /boot/efi
#   (a fake proc/self/mountinfo: vfat on /dev/vdb1, the disk the guest will have),
#   a proc/cpuinfo with the guest CPU's vendor (AuthenticAMD), systemd-boot on the
#   ESP, the kernel and initrd where kernel-install puts them
#   (/<machine-id>/<kver>/{linux,initrd}), the Type #1 entry kernel-install writes, and loader.conf with "timeout 0" and no default
#   (so the first entry in systemd-boot's sort order boots: our recovery entry
#   must sort after the passthrough one). No sys/firmware/efi: on the host the
#   firmware backend (Boot####) cannot and must not act.
# sdb_fake_host_undo ROOT ESPTREE
#   moves ROOT/boot/efi to ESPTREE (the contents of the ESP image) and removes the
#   fake proc files, so ROOT can become the guest's root file system.
# sdb_esp_disk IMG ESPTREE
#   a GPT disk image with one partition (type ESP, 1 MiB in) holding a FAT file
#   system with ESPTREE's files; mtools and sfdisk only, no loop mount.
# sdb_guest_init LAST
#   the guest's /sbin/init for a multi-boot run (boot count in /var/boot-count):
#   mounts efivarfs and the ESP (/dev/vdb1 on /boot/efi), prints "VFE-SDB <n> ..."
#   lines (EFI variables, drivers of 05.0/05.1, /proc/cmdline, vfio-early status,
#   boot show), runs the action of boot <n>, and reboots (powers off after boot LAST):
#     boot 1: vfio-early boot recovery --next          (LoaderEntryOneShot)
#     boot 3: vfio-early boot install                  (now the firmware backend can build
#             Boot#### from the real disk), then vfio-early boot recovery --next --firmware
#
# Modules the initramfs must load for sdb_guest_init (the tiny root has no /lib/modules):
SDB_MODULES="efivarfs vfat nls_cp437 nls_ascii nls_utf8"

SDB_BOOT_EFI=/usr/lib/systemd/boot/efi/systemd-bootx64.efi

# sdb_it_modules CONFDIR: initramfs-tools loads SDB_MODULES at boot (CONFDIR/modules, MODULES=list)
sdb_it_modules() {
	# shellcheck disable=SC2086 # one module a line
	printf '%s\n' $SDB_MODULES >>"$1/modules"
}

sdb_fake_host() {
	local r=$1 kernel=$2 initrd=$3 mid=$4 kver
	kver=${kernel##*/vmlinuz-}
	mkdir -p "$r/proc/self" "$r/boot/efi/loader/entries" "$r/boot/efi/$mid/$kver" \
		"$r/boot/efi/EFI/BOOT" "$r/boot/efi/EFI/systemd" "$r/etc" || return 1
	printf '%s\n' "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw" \
		"30 22 254:17 / /boot/efi rw,relatime - vfat /dev/vdb1 rw,fmask=0077,dmask=0077" >"$r/proc/self/mountinfo"
	# the vendor the guest reports (QEMU's TCG default CPU, qemu64), so that the guest's own
	# "boot install" chooses the same parameters and finds nothing to change
	printf 'processor\t: 0\nvendor_id\t: AuthenticAMD\n' >"$r/proc/cpuinfo"
	echo "$mid" >"$r/etc/machine-id"
	cp "$SDB_BOOT_EFI" "$r/boot/efi/EFI/BOOT/BOOTX64.EFI" &&
		cp "$SDB_BOOT_EFI" "$r/boot/efi/EFI/systemd/systemd-bootx64.efi" &&
		cp "$kernel" "$r/boot/efi/$mid/$kver/linux" &&
		cp "$initrd" "$r/boot/efi/$mid/$kver/initrd" || return 1
	printf 'timeout 0\n' >"$r/boot/efi/loader/loader.conf"
	cat >"$r/boot/efi/loader/entries/$mid-$kver.conf" <<-EOF
		# Boot Loader Specification type#1 entry
		# File created by /usr/lib/kernel/install.d/90-loaderentry.install (systemd 252)
		title      Debian GNU/Linux 12 (bookworm)
		version    $kver
		machine-id $mid
		sort-key   debian
		options    root=/dev/vda rootfstype=ext4 rw console=ttyS0 intel_iommu=on panic=-1
		linux      /$mid/$kver/linux
		initrd     /$mid/$kver/initrd
	EOF
}

sdb_fake_host_undo() {
	local r=$1 tree=$2
	rm -rf "$tree" "$r/proc/self" "$r/proc/cpuinfo"
	mv "$r/boot/efi" "$tree" && mkdir -p "$r/boot/efi"
}

sdb_esp_disk() {
	local img=$1 tree=$2 fat=$1.fat mb
	mb=$(($(du -sm "$tree" | cut -f1) + 24))
	rm -f "$img" "$fat"
	truncate -s "${mb}M" "$fat" && mformat -i "$fat" -v ESP :: || return 1
	# shellcheck disable=SC2035 # mcopy wants the names
	(cd "$tree" && mcopy -s -Q -i "$fat" * ::/) || return 1
	truncate -s "$((mb + 2))M" "$img" &&
		printf 'label: gpt\nstart=2048, size=%d, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI System Partition"\n' \
			"$((mb * 2048))" | sfdisk -q "$img" &&
		dd if="$fat" of="$img" bs=1M seek=1 conv=notrunc status=none && rm -f "$fat"
}

# sdb_boot_need: skips the whole test (tap_skip_all) unless the ESP tools, OVMF
# ($OVMF_CODE, $OVMF_VARS) and systemd-boot's EFI binary are here.
sdb_boot_need() {
	vfe_need mformat mcopy sfdisk
	{ [ -r "$OVMF_CODE" ] && [ -r "$OVMF_VARS" ]; } || tap_skip_all "OVMF is missing (package ovmf)"
	[ -r "$SDB_BOOT_EFI" ] || tap_skip_all "$SDB_BOOT_EFI is missing (package systemd-boot-efi)"
}

sdb_guest_init() {
	vfe_guest_start "systemd-boot test guest: report this boot, do its action, reboot."
	vfe_guest_counted VFE-SDB
	sed "s/@LAST@/$1/" <<-'EOF'
		V=/sys/firmware/efi/efivars L=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f G=8be4df61-93ca-11d2-aa0d-00e098032b8c
		mount -t efivarfs efivarfs $V || m "error: cannot mount efivarfs"
		mount -t vfat /dev/vdb1 /boot/efi || m "error: cannot mount the ESP /dev/vdb1"
		# an EFI variable: a UTF-16 string (as ASCII), or a 16-bit number in hex
		str() { if [ -e $V/$1-$L ]; then tail -c +5 $V/$1-$L | tr -d '\000'; else echo none; fi; }
		num() { if [ -e $V/$1-$G ]; then tail -c +5 $V/$1-$G | od -An -tx1 | awk '{ print toupper($2 $1) }'; else echo none; fi; }
		drv() { d=$(readlink /sys/bus/pci/devices/$1/driver 2>/dev/null); echo "${d##*/}"; }
		vars() { m "vars $1 selected=$(str LoaderEntrySelected) oneshot=$(str LoaderEntryOneShot) bootcurrent=$(num BootCurrent) bootnext=$(num BootNext)"; }
		m "begin"
		vars now
		m "drivers 05.0=$(drv 0000:00:05.0) 05.1=$(drv 0000:00:05.1)"
		m "cmdline $(cat /proc/cmdline)"
		m "cpu $(grep -m1 vendor_id /proc/cpuinfo)"
		vfio-early status 2>&1 | pre status
		run() { tag=$1; shift; out=$("$@" 2>&1); rc=$?; echo "$out" | pre "$tag"; m "$tag rc=$rc"; }
		case $c in
		1) run arm vfio-early boot recovery --next ;;
		3) run install vfio-early boot install
		   run armfw vfio-early boot recovery --next --firmware ;;
		esac
		vars after
		vfio-early boot show 2>&1 | pre show
		m "end"
		sync
		umount /boot/efi
		mount -o remount,ro /
		if [ $c -ge @LAST@ ]; then poweroff -f; else reboot -f; fi
		sleep 30
	EOF
}
