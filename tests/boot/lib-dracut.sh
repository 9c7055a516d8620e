# shellcheck shell=bash
# shellcheck disable=SC2034 # VFE_DRACUT_* are read by the test scripts
# dracut helpers for the boot tests (sourced after lib.sh; tests/boot/test-dracut.sh uses them).
#
#   vfe_dracut_fetch                 the Debian dracut packages, downloaded and unpacked
#                                    once into a cache dir; sets VFE_DRACUT_PKGROOT
#                                    (returns 1 with the reason in VFE_DRACUT_WHY)
#   vfe_dracut_basedir DIR           a dracutbasedir: the packaged modules + our
#                                    installed 90vfio-early from $VFE_DEST
#   vfe_build_dracut_initrd OUT systemd|shell [DRACUT_ARGS...]
#                                    the real dracut, run from the cache; log in OUT.log
#   vfe_dracut_unpack INITRD DIR     the image's files
#   vfe_rootfs_add_os_release IMG    /etc/os-release in a vfe_mkrootfs image
#
# Why the tricks: Debian's dracut-core conflicts with initramfs-tools, so it is
# never installed. "apt-get download" + "dpkg -x" give its files under
# $VFE_DRACUT_PKGROOT; dracut finds everything else through two variables it
# honours from the environment:
#   dracutbasedir=DIR   where dracut-init.sh, dracut-functions.sh, skipcpio and
#                       modules.d/ are (default /usr/lib/dracut). We point it at
#                       a per-test copy of the unpacked directory, with our
#                       installed module added to modules.d/.
#   DRACUT_INSTALL=PATH the dracut-install helper (else looked up in PATH first)
# and --conf/--confdir point at an empty private config, so a host's
# /etc/dracut.conf.d never changes what the test builds. ("--local" would do
# the same as dracutbasedir, but only for a dracut.sh next to its modules.d.)
#
# Knobs: VFE_DRACUT_CACHE (default ${TMPDIR:-/tmp}/vfio-early-dracut-cache)
# holds the .deb files and the unpacked tree; delete it to download again.

VFE_DRACUT_CACHE=${VFE_DRACUT_CACHE:-${TMPDIR:-/tmp}/vfio-early-dracut-cache}
VFE_DRACUT_PKGROOT=
VFE_DRACUT_WHY=

# _vfe_apt_download DIR PKG...: apt-get download into DIR; on a fresh machine
# without package lists, one "apt-get update" (as root) and a second try.
_vfe_apt_download() {
	local dir=$1
	shift
	(cd "$dir" && apt-get download "$@") >>"$dir/download.log" 2>&1 && return 0
	[ "$(id -u)" = 0 ] || return 1
	apt-get update -qq >>"$dir/download.log" 2>&1 || return 1
	(cd "$dir" && apt-get download "$@") >>"$dir/download.log" 2>&1
}

# vfe_dracut_fetch: dracut-core + dracut (Debian 12 splits dracut this way)
# and those of dracut-core's dependencies that are not installed, unpacked
# into $VFE_DRACUT_CACHE/root. A stamp file makes later runs reuse it.
vfe_dracut_fetch() {
	local c=$VFE_DRACUT_CACHE dep missing="" d
	VFE_DRACUT_PKGROOT=$c/root
	if [ -f "$c/unpacked.stamp" ] && [ -x "$c/root/usr/bin/dracut" ]; then
		return 0
	fi
	command -v apt-get >/dev/null || { VFE_DRACUT_WHY="no apt-get"; return 1; }
	{ rm -rf "$c" && mkdir -p "$c" && chmod 755 "$c"; } || { VFE_DRACUT_WHY="cannot create $c"; return 1; }
	if ! _vfe_apt_download "$c" dracut-core dracut; then
		VFE_DRACUT_WHY="apt-get download dracut-core dracut failed: $(grep -E '^(E|W):' "$c/download.log" | head -n 1)"
		return 1
	fi
	# Depends: "cpio, kmod, udev, kpartx, libkmod2 (>= 22~), ..." -> names not installed
	for dep in $(dpkg-deb -f "$c"/dracut-core_*.deb Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:.*//'); do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$dep" 2>/dev/null)" = installed ] || missing="$missing $dep"
	done
	# shellcheck disable=SC2086
	if [ -n "$missing" ] && ! _vfe_apt_download "$c" $missing; then
		VFE_DRACUT_WHY="apt-get download of dracut's dependencies$missing failed"
		return 1
	fi
	for d in "$c"/*.deb; do
		dpkg -x "$d" "$c/root" || { VFE_DRACUT_WHY="dpkg -x $d failed"; return 1; }
	done
	[ -x "$c/root/usr/bin/dracut" ] || { VFE_DRACUT_WHY="no usr/bin/dracut in the packages"; return 1; }
	echo "dracut-core $(dpkg-deb -f "$c"/dracut-core_*.deb Version)${missing:+; unpacked too:$missing}" >"$c/unpacked.stamp"
}

# vfe_dracut_basedir DIR: a copy of the unpacked /usr/lib/dracut (about 2 MB)
# with our installed 90vfio-early added to modules.d/. A copy, not symlinks:
# dracut-install reproduces a symlinked source as a symlink in the image
# (99base's dracut-util would point into the cache).
vfe_dracut_basedir() {
	local dir=$1
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	cp -a "$VFE_DRACUT_PKGROOT/usr/lib/dracut/." "$dir/" || return 1
	cp -a "$VFE_DEST/usr/lib/dracut/modules.d/90vfio-early" "$dir/modules.d/"
}

# The dracut modules of the two flavours. Listing them (-m) keeps the image
# small and the build independent of what else the host has installed
# (lvm2, cryptsetup, plymouth...); vfio-early itself is left out of the list
# and added by the caller, so a test can also build without it. The shell
# flavour is also built with --omit systemd, the command-line form of
# omit_dracutmodules+=" systemd ", which is how a user gets it.
VFE_DRACUT_MODS_SYSTEMD="bash systemd systemd-initrd dracut-systemd kernel-modules udev-rules rootfs-block base fs-lib"
VFE_DRACUT_MODS_SHELL="bash kernel-modules udev-rules rootfs-block base fs-lib"

# vfe_build_dracut_initrd OUT systemd|shell [DRACUT_ARGS...]: the real dracut
# from the cache, generic (not host-only), uncompressed, for $VFE_KVER, with
# the test devices' drivers (VFE_DRACUT_DRIVERS, default $VFE_TEST_MODULES;
# empty: none named, so dracut's kernel-modules picks its own generic set, as
# a distribution's generic image has it) and our module from $VFE_DEST
# reading its config and binder through VFIO_EARLY_ROOT. Log in OUT.log.
vfe_build_dracut_initrd() {
	local out=$1 flavour=$2 mods base=$T/dracut-base omit=() drivers=${VFE_DRACUT_DRIVERS-$VFE_TEST_MODULES}
	shift 2
	case $flavour in
	systemd) mods=$VFE_DRACUT_MODS_SYSTEMD ;;
	shell) mods=$VFE_DRACUT_MODS_SHELL omit=(--omit systemd) ;;
	*) return 2 ;;
	esac
	[ -d "$base/modules.d" ] || vfe_dracut_basedir "$base" || return 1
	mkdir -p "$T/dracut.conf.d" "$T/dracut-tmp" && : >"$T/dracut.conf"
	# PATH: binaries unpacked from missing dependencies (e.g. kpartx) come last
	env VFIO_EARLY_ROOT="$VFE_DEST" dracutbasedir="$base" DRACUT_INSTALL="$base/dracut-install" \
		PATH="$PATH:$VFE_DRACUT_PKGROOT/usr/sbin:$VFE_DRACUT_PKGROOT/sbin:$VFE_DRACUT_PKGROOT/usr/bin" \
		bash "$VFE_DRACUT_PKGROOT/usr/bin/dracut" \
		--conf "$T/dracut.conf" --confdir "$T/dracut.conf.d" --tmpdir "$T/dracut-tmp" \
		--force --no-hostonly --no-early-microcode --nostrip --no-compress \
		-m "$mods" "${omit[@]}" ${drivers:+--drivers "$drivers"} "$@" \
		"$out" "$VFE_KVER" >"$out.log" 2>&1
}

# vfe_dracut_unpack INITRD DIR: an uncompressed image without early cpio is one archive
vfe_dracut_unpack() {
	rm -rf "$2" && mkdir -p "$2" && (cd "$2" && cpio -id --quiet --no-absolute-filenames) <"$1" 2>/dev/null
}

# vfe_rootfs_add_os_release IMG: systemd's switch-root refuses a root without
# os-release ("does not seem to be an OS tree"); add one with debugfs.
vfe_rootfs_add_os_release() {
	local f=$T/os-release
	printf '%s\n' 'NAME="vfio-early test root"' 'ID=vfio-early-test' >"$f"
	debugfs -w -R "write $f /etc/os-release" "$1" >"$T/debugfs.log" 2>&1 &&
		debugfs -R "stat /etc/os-release" "$1" 2>/dev/null | grep -q 'Size: [1-9]'
}
