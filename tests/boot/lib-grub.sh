# SPDX-License-Identifier: GPL-2.0-or-later
# GRUB helpers for the boot tests (sourced; tests/boot/test-grub.sh uses them).
#
# grub_mkconfig_fakeroot ROOT DEVICE UUID OUT
#   Runs the real /usr/sbin/grub-mkconfig with ROOT/etc/default, ROOT/etc/grub.d
#   and ROOT/boot in place of the host's, and writes the result to OUT.
#   How: grub-mkconfig and its /etc/grub.d scripts use absolute paths
#   (/etc/default/grub, /boot/vmlinuz-*, /usr/sbin/grub-probe), so we run it
#   in a private mount namespace (unshare -m, needs root) with bind mounts:
#     ROOT/etc/default -> /etc/default    ROOT/etc/grub.d -> /etc/grub.d
#     ROOT/boot        -> /boot
#     a fake grub-probe -> /usr/sbin/grub-probe: the root and /boot are
#        DEVICE (e.g. /dev/vda) with file system ext2 and fs_uuid UUID, no
#        partition map, no abstraction;
#     a fake grub-mkrelpath -> /usr/bin/grub-mkrelpath: paths are relative
#        to the file system root unchanged (/boot is on the root fs).
#   /dev/disk/by-uuid/UUID does not exist here, so 10_linux (and our copy of
#   its entries) uses root=DEVICE, as on a system without udev links.
grub_mkconfig_fakeroot() {
	_root=$1 _dev=$2 _uuid=$3 _out=$4
	_tools=$(mktemp -d)
	cat >"$_tools/grub-probe" <<PROBE
#!/bin/sh
t=
for a in "\$@"; do
	case \$a in --target=*) t=\${a#--target=} ;; -t) t=next ;; *) [ "\$t" = next ] && t=\$a ;; esac
done
case \$t in
device) echo $_dev ;;
fs) echo ext2 ;;
fs_uuid) echo $_uuid ;;
drive) echo '(hd0)' ;;
partmap|abstraction|compatibility_hint|hints_string|cryptodisk_uuid) ;;
*) exit 1 ;;
esac
PROBE
	printf '#!/bin/sh\nprintf "%%s\\n" "$1"\n' >"$_tools/grub-mkrelpath"
	chmod 755 "$_tools/grub-probe" "$_tools/grub-mkrelpath"
	unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mount --bind "$1/etc/default" /etc/default
		mount --bind "$1/etc/grub.d" /etc/grub.d
		mount --bind "$1/boot" /boot
		mount --bind "$2/grub-probe" /usr/sbin/grub-probe
		mount --bind "$2/grub-mkrelpath" /usr/bin/grub-mkrelpath
		grub-mkconfig -o "$3"' sh "$_root" "$_tools" "$_out"
	_rc=$?
	rm -rf "$_tools"
	return $_rc
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
