# SPDX-License-Identifier: GPL-2.0-or-later
# GRUB helpers for the tests that run the real grub-mkconfig (sourced by
# tests/boot/test-grub.sh and tests/integration/test-grub-*.sh).
#
# grub_fakeroot_run ROOT CMD...
#   Runs CMD (for example the real /usr/sbin/grub-mkconfig, or
#   'vfio-early --root=ROOT boot install', which runs ROOT/usr/sbin/update-grub)
#   with ROOT/etc/default, ROOT/etc/grub.d and ROOT/boot in place of the host's.
#   How: grub-mkconfig and its /etc/grub.d scripts use absolute paths
#   (/etc/default/grub, /boot/vmlinuz-*, /usr/sbin/grub-probe), so CMD runs in
#   a private mount namespace (unshare -m, needs root) with bind mounts:
#     ROOT/etc/default -> /etc/default    ROOT/etc/grub.d -> /etc/grub.d
#     ROOT/boot        -> /boot
#     a fake grub-probe -> /usr/sbin/grub-probe, answering for the layout below;
#     a fake grub-mkrelpath -> /usr/bin/grub-mkrelpath: paths relative to the
#        root of their file system (/boot/x is /x when /boot is its own, and
#        its mount point is "", as the real one prints).
#   The layout comes from these variables (defaults in brackets):
#     GRUB_FAKE_ROOT_DEV [/dev/vda]  GRUB_FAKE_ROOT_UUID [1234-abcd]
#     GRUB_FAKE_BOOT_DEV []          GRUB_FAKE_BOOT_UUID [b007-b007]
#        (a separate /boot partition when GRUB_FAKE_BOOT_DEV is set)
#     GRUB_FAKE_PARTMAP [gpt]        (msdos for a BIOS/MBR disk)
#   Every file system is ext2 to GRUB, with no abstraction (no LVM, RAID,
#   crypto). /dev/disk/by-uuid/UUID does not exist here, so 10_linux (and our
#   copy of its entries) uses root=DEVICE, as on a system without udev links.
#
# grub_mkconfig_fakeroot ROOT DEVICE UUID OUT
#   The real grub-mkconfig on ROOT (root file system DEVICE, UUID), into OUT.
#
# grub_fake_tools DIR
#   Only writes the fake grub-probe and grub-mkrelpath into DIR.
#
# grub_boot_need
#   For a QEMU boot of the real GRUB (EFI and BIOS): skips the whole test
#   (tap_skip_all) unless the tools, Debian's stock /etc/default/grub, root,
#   OVMF and GRUB's x86_64-efi and i386-pc images are all here.
grub_boot_need() {
	vfe_need grub-mkstandalone grub-mkimage grub-mkconfig grub-editenv mformat mmd mcopy debugfs unshare
	[ -r /usr/share/grub/default/grub ] || tap_skip_all "grub2-common is missing (Debian's stock /etc/default/grub)"
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root (a mount namespace for grub-mkconfig)"
	[ -r "$OVMF_CODE" ] && [ -r "$OVMF_VARS" ] || tap_skip_all "OVMF is missing (package ovmf)"
	[ -d /usr/lib/grub/x86_64-efi ] || tap_skip_all "grub-efi-amd64-bin is missing"
	[ -r /usr/lib/grub/i386-pc/lnxboot.img ] || tap_skip_all "grub-pc-bin is missing"
}

grub_fakeroot_run() {
	local _root=$1 _tools _rc
	shift
	_tools=$(mktemp -d)
	grub_fake_tools "$_tools"
	unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mount --bind "$1/etc/default" /etc/default
		mount --bind "$1/etc/grub.d" /etc/grub.d
		mount --bind "$1/boot" /boot
		mount --bind "$2/grub-probe" /usr/sbin/grub-probe
		mount --bind "$2/grub-mkrelpath" /usr/bin/grub-mkrelpath
		shift 2
		exec "$@"' sh "$_root" "$_tools" "$@"
	_rc=$?
	rm -rf "$_tools"
	return $_rc
}

# grub_fake_tools DIR: writes the two stand-ins, DIR/grub-probe and
# DIR/grub-mkrelpath, for the layout in the GRUB_FAKE_* variables (also bound
# over the real ones in the Debian chroot of tests/package/test-deb.sh, whose
# root is a directory, not a disk GRUB could probe).
grub_fake_tools() {
	local _tools=$1
	cat >"$_tools/grub-probe" <<PROBE
#!/bin/sh
# fake grub-probe (tests/boot/lib-grub.sh): [--device] SUBJECT --target=T
t= dev= subj=
while [ \$# -gt 0 ]; do
	case \$1 in
	--target=*) t=\${1#--target=} ;;
	-t) t=\$2; shift ;;
	--device|-d) dev=1 ;;
	-*) ;;
	*) subj=\$1 ;;
	esac
	shift
done
root_dev=${GRUB_FAKE_ROOT_DEV:-/dev/vda} boot_dev=${GRUB_FAKE_BOOT_DEV:-}
if [ -z "\$dev" ]; then
	case \$subj in
	/boot|/boot/*) subj=\${boot_dev:-\$root_dev} ;;
	*) subj=\$root_dev ;;
	esac
fi
uuid=${GRUB_FAKE_ROOT_UUID:-1234-abcd}
[ -n "\$boot_dev" ] && [ "\$subj" = "\$boot_dev" ] && uuid=${GRUB_FAKE_BOOT_UUID:-b007-b007}
case \$t in
device) echo "\$subj" ;;
fs) echo ext2 ;;
fs_uuid) echo "\$uuid" ;;
drive) echo '(hd0)' ;;
partmap) echo ${GRUB_FAKE_PARTMAP:-gpt} ;;
abstraction|compatibility_hint|hints_string|cryptodisk_uuid) ;;
*) exit 1 ;;
esac
PROBE
	if [ -n "${GRUB_FAKE_BOOT_DEV:-}" ]; then
		printf '#!/bin/sh\ncase $1 in /boot) echo ;; /boot/*) echo "${1#/boot}" ;; *) printf "%%s\\n" "$1" ;; esac\n' \
			>"$_tools/grub-mkrelpath"
	else
		printf '#!/bin/sh\nprintf "%%s\\n" "$1"\n' >"$_tools/grub-mkrelpath"
	fi
	chmod 755 "$_tools/grub-probe" "$_tools/grub-mkrelpath"
}

grub_mkconfig_fakeroot() {
	GRUB_FAKE_ROOT_DEV=$2 GRUB_FAKE_ROOT_UUID=$3 grub_fakeroot_run "$1" grub-mkconfig -o "$4"
}

# grub_fakeroot_tree ROOT KERNEL... : a tree with the host's 00_header and
# 10_linux, our 42_vfio-early, an /etc/default/grub and the given kernels
# (copied, with their initrds when present) in ROOT/boot.
grub_fakeroot_tree() {
	_root=$1
	shift
	mkdir -p "$_root/etc/default/grub.d" "$_root/etc/grub.d" "$_root/boot/grub"
	cp /etc/grub.d/00_header /etc/grub.d/10_linux "$_root/etc/grub.d/"
	cp "$(dirname "${BASH_SOURCE[0]:-$0}")/../../recovery/grub.d/42_vfio-early" "$_root/etc/grub.d/"
	chmod 755 "$_root/etc/grub.d/"*
	for k in "$@"; do
		cp "$k" "$_root/boot/"
	done
}

# grub_esp IMG UUID: a FAT image with a standalone GRUB as EFI/BOOT/BOOTX64.EFI. Its memdisk
# grub.cfg finds the root disk by UUID and points $prefix there, so load_env/save_env use
# that disk's grubenv; the modules are built in, nothing is loaded from $prefix. Work files
# go beside IMG.
grub_esp() {
	local mods="part_gpt part_msdos fat ext2 normal linux loadenv search search_fs_uuid
		search_fs_file configfile echo test gzio all_video efi_gop font gfxterm halt reboot" w=${1%/*}
	printf 'search --no-floppy --fs-uuid --set=root %s\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n' \
		"$2" >"$w/memdisk.cfg"
	# shellcheck disable=SC2086
	grub-mkstandalone -O x86_64-efi -o "$w/BOOTX64.EFI" --modules="$(echo $mods)" --install-modules="$(echo $mods)" \
		"boot/grub/grub.cfg=$w/memdisk.cfg" &&
		dd if=/dev/zero of="$1" bs=1M count=16 status=none && mformat -i "$1" :: &&
		mmd -i "$1" ::/EFI ::/EFI/BOOT && mcopy -i "$1" "$w/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
}

# grub_bios OUT UUID: GRUB for BIOS PCs (i386-pc, grub-mkimage from grub-pc-bin), as a
# Linux-boot image (lnxboot.img + core.img) that SeaBIOS starts through QEMU's -kernel, in
# place of the MBR boot sector grub-install would write: the same GRUB, the same BIOS disk
# services (biosdisk, which save_env writes through). As grub-install builds it: the image
# holds only what reads the disk, and its embedded config only finds the root by UUID and
# sets $prefix; normal mode then loads grub.cfg and every other module (linux, loadenv,
# test, ...) from /boot/grub/i386-pc there. Work files go beside OUT.
grub_bios() {
	local mods="biosdisk part_gpt part_msdos ext2 search_fs_uuid normal" w=${1%/*}
	printf "search.fs_uuid %s root\nset prefix=(\$root)'/boot/grub'\n" "$2" >"$w/bios-early.cfg"
	# shellcheck disable=SC2086
	grub-mkimage -O i386-pc -o "$w/core.img" -c "$w/bios-early.cfg" -p /boot/grub $mods &&
		cat /usr/lib/grub/i386-pc/lnxboot.img "$w/core.img" >"$1"
}
