#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package through its life, in a real Debian 12 root:
#   make deb (dpkg-buildpackage), lintian, the version from debian/changelog;
#   a chroot made by debootstrap (minbase, initramfs-tools, grub2-common and
#   the package's dependencies and recommends) with the host's Debian kernel
#   package installed and a grub.cfg written by update-grub; then, as a user:
#   - apt-get install ./vfio-early_V_amd64.deb: the update-initramfs trigger
#     rebuilds the image with the binder; --version from the installed files;
#     no 'boot refresh', no update-grub where 'boot install' was never run;
#   - 'vfio-early boot install' (GRUB for real, plus the record a systemd-boot
#     install writes), an upgrade: refresh, update-grub, trigger;
#   - apt-get remove: the user's choices and the conffiles stay, the image
#     loses the binder; apt-get purge: GRUB's recovery entries go, only the
#     user's files stay (the drop-in, the record of 'boot install');
#   - install, 'boot remove', purge: the root holds exactly the files it held
#     before the first install.
# Needs root (debootstrap, chroot) and the registry for packages not in the
# cache. Prints TAP; about two minutes of CPU, half of it four initramfs builds.
#
# Nothing leaks onto the host: every command in the root runs in its own
# mount and PID namespaces (its /proc and bind mounts vanish with it, and so
# does any process it leaves); the root lives in the test's temporary
# directory. Only the download cache stays, in $VFE_DEB_CACHE (default
# ${TMPDIR:-/tmp}/vfio-early-debootstrap-cache): symbolic links to the .debs
# apt already holds in /var/cache/apt/archives, and what debootstrap fetched.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/boot/lib-grub.sh
TAP_DIAG=$T/log TAP_DIAG_LINES=40

missing=
for c in debootstrap dpkg-buildpackage dh lintian unshare chroot apt-get; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ "$(id -u)" != 0 ] || [ -n "$missing" ]; then
	tap_skip_all "needs root and${missing:- debootstrap, debhelper, lintian} (tests/deps.sh)"
fi

CACHE=${VFE_DEB_CACHE:-${TMPDIR:-/tmp}/vfio-early-debootstrap-cache}
R=$T/root
SUITE=bookworm
t0=$(date +%s) t_last=$t0
# timing WHAT: a diagnostic line with the seconds since the last one
timing() {
	local now
	now=$(date +%s)
	echo "# $1: $((now - t_last)) s"
	t_last=$now
}

# in_root CMD...: CMD in the root, with a clean environment, in private mount
# and PID namespaces. GRUB's grub-probe and grub-mkrelpath are replaced by
# stand-ins there (tests/boot/lib-grub.sh): the root is a directory, not a disk.
in_root() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive \
		unshare --mount --pid --fork --propagation private sh -c '
		r=$1 tools=$2
		shift 2
		mount -t proc proc "$r/proc" || exit 125
		for f in usr/sbin/grub-probe usr/bin/grub-mkrelpath; do
			[ ! -e "$r/$f" ] || mount --bind "$tools/${f##*/}" "$r/$f" || exit 125
		done
		exec chroot "$r" "$@"' sh "$R" "$T/tools" "$@"
}

# snapshot FILE: every path in the root with its type, but for the places
# the package manager and the kernel own (dpkg's database, apt's and
# debconf's caches, logs, /proc, /sys, /dev, /tmp)
snapshot() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp \
		-o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log \) -prune \
		-o -printf '%y %p\n' | sort) >"$1"
}

# image_has PATH: the newest initramfs holds PATH
image_has() { in_root lsinitramfs "/boot/initrd.img-$KVER" 2>/dev/null | grep -qx "$1"; }
sum() { sha256sum "$R$1" 2>/dev/null | cut -d' ' -f1; }

# ---------------------------------------------------------------- the package

: >"$T/log"
# nocheck: make check runs the unit tests that dh_auto_test would run again
if DEB_BUILD_OPTIONS="nocheck parallel=2" make -s deb DEBDIR="$T/deb" >"$T/log" 2>&1; then
	tap_ok "make deb builds the package"
else
	tap_bail "make deb builds the package"
fi
VERSION=$(sed -n '1s/^vfio-early (\([^ ]*\)) .*/\1/p' debian/changelog)
ARCH=$(dpkg --print-architecture)
DEB=$(tail -n 1 "$T/log")
tap_check "make deb names ./.../vfio-early_${VERSION}_$ARCH.deb on its last line" \
	eval '[ "${DEB##*/}" = "vfio-early_${VERSION}_$ARCH.deb" ] && [ -f "$DEB" ]'
DEB=$T/deb/vfio-early_${VERSION}_$ARCH.deb
[ -f "$DEB" ] || tap_bail "no $DEB"
echo "# $(stat -c %s "$DEB") bytes: ${DEB##*/}"
tap_check "the package's version is debian/changelog's" test "$(dpkg-deb -f "$DEB" Version)" = "$VERSION"
tap_check "the package activates the update-initramfs trigger" \
	eval 'dpkg-deb -I "$DEB" triggers | grep -qx "activate-noawait update-initramfs"'
tap_check "/etc/grub.d/42_vfio-early is a conffile" eval 'dpkg-deb -I "$DEB" conffiles | grep -qx /etc/grub.d/42_vfio-early'
lintian --fail-on error,warning -EIL +pedantic --color never "$T/deb/vfio-early_${VERSION}_$ARCH.changes" 2>&1 |
	grep -v 'running with root privileges' >"$T/log"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && ! grep -q '^[EW]:' "$T/log"; then tap_ok "lintian: no error, no warning"; else tap_not_ok "lintian: no error, no warning"; fi
sed 's/^/# lintian: /' "$T/log"
timing "package built and checked"

# ---------------------------------------------------------------- a Debian 12 root

# Where the host's apt gets bookworm from: the same mirror, not a name written here.
MIRROR=$(apt-get indextargets --format '$(REPO_URI)' "Release: $SUITE" 'Identifier: Packages' 2>/dev/null | head -n 1)
[ -n "$MIRROR" ] || MIRROR=$(apt-get indextargets --format '$(REPO_URI)' "Codename: $SUITE" 'Identifier: Packages' 2>/dev/null | head -n 1)
if [ -z "$MIRROR" ]; then
	tap_skip "a Debian 12 root" "no $SUITE source in apt's sources.list"
	tap_done
	exit
fi

# The host's Debian kernel package (tests/deps.sh installs linux-image-amd64):
# from apt's cache when it is there, else downloaded once into the cache.
KPKG=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null | sed 's/[ ,].*//')
KPKGVER=$(dpkg-query -W -f='${Version}' "$KPKG" 2>/dev/null)
[ -n "$KPKG" ] && [ -n "$KPKGVER" ] || tap_bail "the host has no linux-image-amd64 (tests/deps.sh installs it)"
KVER=${KPKG#linux-image-}
mkdir -p "$CACHE/debs" "$T/tools"
exec 9>"$CACHE/.lock"
flock 9
KDEB=${KPKG}_${KPKGVER/:/%3a}_$ARCH.deb
if [ -f "/var/cache/apt/archives/$KDEB" ]; then
	KDEB=/var/cache/apt/archives/$KDEB
elif [ -f "$CACHE/$KDEB" ] || (cd "$CACHE" && apt-get download "$KPKG=$KPKGVER") >"$T/log" 2>&1; then
	KDEB=$CACHE/$KDEB
else
	tap_bail "apt-get download $KPKG=$KPKGVER"
fi

# debootstrap's cache: links to every .deb apt holds, so those of the right
# versions are not downloaded again (debootstrap checks their checksums).
find "$CACHE/debs" -xtype l -delete
for f in /var/cache/apt/archives/*.deb; do
	[ -e "$f" ] && [ ! -e "$CACHE/debs/${f##*/}" ] && ln -s "$f" "$CACHE/debs/"
done
# first alternatives of a Depends/Recommends field
names() { tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:.*//; s/ //g' | grep .; }
include=$( { dpkg-deb -f "$DEB" Depends | names; dpkg-deb -f "$DEB" Recommends | names
	dpkg-deb -f "$KDEB" Depends | names; echo grub2-common; } | sort -u | paste -sd,)
# dpkg without fsync in the root (it is thrown away): the same operations,
# minutes less of waiting for the disk on a busy machine.
mkdir -p "$R/etc/dpkg/dpkg.cfg.d" && echo force-unsafe-io >"$R/etc/dpkg/dpkg.cfg.d/unsafe-io"
if unshare --mount --propagation private debootstrap --variant=minbase --cache-dir="$CACHE/debs" \
	--include="$include" "$SUITE" "$R" "$MIRROR" >"$T/log" 2>&1; then
	tap_ok "debootstrap $SUITE: minbase and what the package and the kernel need"
else
	tap_bail "debootstrap $SUITE: minbase and what the package and the kernel need"
fi
echo "# included: $include"
flock -u 9
tap_check "the root is Debian 12 ($(cat "$R/etc/debian_version" 2>/dev/null))" grep -q '^12\.' "$R/etc/debian_version"
timing "debootstrap"
GRUB_FAKE_ROOT_DEV=/dev/vda GRUB_FAKE_ROOT_UUID=0f2e9d1c-3b4a-4c5d-8e6f-708192a3b4c5 grub_fake_tools "$T/tools"
cp "$KDEB" "$R/tmp/" && in_root dpkg -i "/tmp/${KDEB##*/}" >"$T/log" 2>&1 && [ -f "$R/boot/initrd.img-$KVER" ] ||
	tap_bail "the Debian kernel $KPKG installed in the root"
rm -f "$R/tmp/${KDEB##*/}"
tap_ok "the Debian kernel $KPKG $KPKGVER installed in the root, with its initramfs"
# A GRUB machine: grub.cfg as update-grub writes it (the disk probed by stand-ins)
mkdir -p "$R/boot/grub" # grub-install makes it
in_root update-grub >"$T/log" 2>&1 && [ -s "$R/boot/grub/grub.cfg" ] || tap_bail "update-grub writes /boot/grub/grub.cfg"
timing "kernel and GRUB in the root"

# The user's device choice, written before the package comes (a reinstall,
# or a configuration management tool); the package must never touch it.
printf '# my passthrough card\ndevice 0000:41:00.0 id=10de:2684 group=whole\n' >"$R/etc/vfio-early.conf"
CONF_SUM=$(sum /etc/vfio-early.conf)
cp "$DEB" "$R/tmp/"
UPDEB=vfio-early_${VERSION}+test1_$ARCH.deb
# The next version for the upgrade: the same files under a higher version.
dpkg-deb -R "$DEB" "$T/up" && sed -i "s/^Version: .*/Version: ${VERSION}+test1/" "$T/up/DEBIAN/control" &&
	dpkg-deb --root-owner-group -b "$T/up" "$R/tmp/$UPDEB" >/dev/null || tap_bail "repack $UPDEB"

# install WHAT CMD...: runs an apt-get/dpkg command in the root, output in $T/out
run() {
	local what=$1
	shift
	if in_root "$@" >"$T/out" 2>&1; then tap_ok "$what"; else cp "$T/out" "$T/log"; tap_not_ok "$what"; fi
}
generated() { grep -q "update-initramfs: Generating /boot/initrd.img-$KVER" "$T/out"; }

# ---------------------------------------------------------------- install, upgrade, remove, purge

snapshot "$T/before"
cp "$T/before" "$T/before0"
GRUB_SUM=$(sum /boot/grub/grub.cfg)
run "apt-get install ./${DEB##*/}" apt-get install -y "/tmp/${DEB##*/}"
tap_check "install: dpkg ran the update-initramfs trigger" eval 'grep -q "Processing triggers for initramfs-tools" "$T/out" && generated'
tap_check "install: the rebuilt initramfs has the binder, the boot script and the user's config" \
	eval 'image_has usr/libexec/vfio-early/vfio-early-bind && image_has scripts/init-top/00_vfio_early && image_has etc/vfio-early.conf'
tap_check "install: vfio-early --version is the package's" test "$(in_root vfio-early --version 2>&1)" = "vfio-early $VERSION"
tap_check "install: vfio-early-bind --version is the package's" \
	test "$(in_root /usr/libexec/vfio-early/vfio-early-bind --version 2>&1)" = "vfio-early-bind $VERSION"
in_root dpkg --verify vfio-early >"$T/log" 2>&1
tap_check "install: every installed file is the package's (dpkg --verify)" eval "[ $? = 0 ] && [ ! -s \"\$T/log\" ]"
tap_check "install: no boot entry refreshed where 'boot install' was never run" eval '! grep -q "refreshing" "$T/out"'
tap_check "install: no update-grub where 'boot install' was never run" test "$(sum /boot/grub/grub.cfg)" = "$GRUB_SUM"
timing "install"

# The user sets up the boot: GRUB for real; for systemd-boot, the record
# 'boot install' writes there (a chroot has no ESP to write it for real).
in_root vfio-early boot install --no-update >"$T/log" 2>&1 && [ -f "$R/etc/default/grub.d/vfio-early.cfg" ] ||
	tap_bail "vfio-early boot install (GRUB) writes its drop-in"
in_root update-grub >"$T/log" 2>&1
tap_check "boot install + update-grub: grub.cfg has the '(no GPU passthrough)' entry" \
	grep -q "vfio-early-nopt" "$R/boot/grub/grub.cfg"
mkdir -p "$R/var/lib/vfio-early"
printf "# What 'vfio-early boot install' changed; 'vfio-early boot remove' undoes it.\ncreated path=%s\n" \
	"boot/efi/loader/entries/debian-$KVER-vfio-early-nopt.conf" >"$R/var/lib/vfio-early/boot-efi.state"
DROPIN_SUM=$(sum /etc/default/grub.d/vfio-early.cfg) STATE_SUM=$(sum /var/lib/vfio-early/boot-efi.state)

run "upgrade to $VERSION+test1" apt-get install -y "/tmp/$UPDEB"
tap_check "upgrade: the boot entries of 'boot install' were refreshed" \
	eval 'grep -q "vfio-early: refreshing the boot entries" "$T/out" && ! grep -q "could not refresh" "$T/out"'
tap_check "upgrade: update-grub ran" eval 'grep -q "Generating grub configuration file" "$T/out"'
tap_check "upgrade: the update-initramfs trigger ran" generated
timing "boot install, upgrade"

GRUB_SUM=$(sum /boot/grub/grub.cfg)
run "apt-get remove vfio-early" apt-get remove -y vfio-early
tap_check "remove: the program is gone" test ! -e "$R/usr/sbin/vfio-early"
tap_check "remove: the trigger rebuilt the initramfs without the binder" \
	eval 'generated && ! image_has usr/libexec/vfio-early/vfio-early-bind && ! image_has scripts/init-top/00_vfio_early'
tap_check "remove: the conffiles stay (42_vfio-early, kernel hooks)" \
	eval '[ -x "$R/etc/grub.d/42_vfio-early" ] && [ -x "$R/etc/kernel/postinst.d/zzz-vfio-early" ]'
tap_check "remove: the kernel hook does nothing without the program" \
	eval '[ -z "$(in_root /etc/kernel/postinst.d/zzz-vfio-early "$KVER" 2>&1)" ]'
tap_check "remove: the user's config, the GRUB drop-in and the boot record are untouched" \
	eval '[ "$(sum /etc/vfio-early.conf)" = "$CONF_SUM" ] && [ "$(sum /etc/default/grub.d/vfio-early.cfg)" = "$DROPIN_SUM" ] &&
		[ "$(sum /var/lib/vfio-early/boot-efi.state)" = "$STATE_SUM" ]'
tap_check "remove: no update-grub, the recovery entries stay" test "$(sum /boot/grub/grub.cfg)" = "$GRUB_SUM"
timing "remove"

run "apt-get purge vfio-early" apt-get purge -y vfio-early
tap_check "purge: update-grub dropped the '(no GPU passthrough)' entries, the user's parameters stay" \
	eval 'grep -q "Generating grub configuration file" "$T/out" && ! grep -q vfio-early-nopt "$R/boot/grub/grub.cfg" &&
		grep -q "intel_iommu=on\|amd_iommu=on" "$R/boot/grub/grub.cfg"'
tap_check "purge: the boot record still in effect is kept, and a message says so" \
	eval '[ "$(sum /var/lib/vfio-early/boot-efi.state)" = "$STATE_SUM" ] && grep -q "kept /var/lib/vfio-early/boot-efi.state" "$T/out"'
tap_check "purge: /etc/vfio-early.conf (the user's) is untouched" test "$(sum /etc/vfio-early.conf)" = "$CONF_SUM"
tap_check "purge: dpkg forgot the package" eval '! ls "$R"/var/lib/dpkg/info/vfio-early.* >/dev/null 2>&1'
left=
while read -r path; do
	[ -e "$R$path" ] && ! [ -d "$R$path" ] && left="$left $path"
done < <(dpkg-deb -c "$DEB" | awk '{ print substr($6, 2) }')
tap_check "purge: no file of the package is left${left:+ (left:$left)}" test -z "$left"
snapshot "$T/after"
# Beside what was there before, only what the user asked for: the drop-in
# of 'boot install', the record of what it did (with their directories), and
# grubenv, which 'boot install' made for the automatic fallback's counter.
diff "$T/before" "$T/after" | sed -n 's/^> //p' | grep -vxE 'd ./etc/default/grub.d|d ./var/lib/vfio-early' >"$T/log"
tap_check "purge: the root holds what it held before, plus the user's drop-in and boot record" eval '
	[ "$(cat "$T/log")" = "$(printf "f ./boot/grub/grubenv\nf ./etc/default/grub.d/vfio-early.cfg\nf ./var/lib/vfio-early/boot-efi.state")" ] &&
	! diff "$T/before" "$T/after" | grep -q "^<"'
timing "purge"

# ---------------------------------------------------------------- purge after 'boot remove'

# The same cycle where the user undoes 'boot install' before purging: then
# nothing at all may remain. The initramfs is not the subject here, so
# update-initramfs is switched off (its own setting) to save two image builds.
sed -i 's/^update_initramfs=.*/update_initramfs=no/' "$R/etc/initramfs-tools/update-initramfs.conf"
run "again: apt-get install ./${DEB##*/}" apt-get install -y "/tmp/${DEB##*/}"
# 'boot remove': GRUB for real; on systemd-boot it deletes the record and
# leaves the previous version that every rewrite keeps (.bak).
in_root vfio-early boot remove --no-update >"$T/log" 2>&1 && [ ! -e "$R/etc/default/grub.d/vfio-early.cfg" ] ||
	tap_bail "vfio-early boot remove (GRUB) deletes its drop-in"
mv "$R/var/lib/vfio-early/boot-efi.state" "$R/var/lib/vfio-early/boot-efi.state.bak"
in_root update-grub >"$T/log" 2>&1
run "again: apt-get purge vfio-early" apt-get purge -y vfio-early
snapshot "$T/after"
tap_check "after 'boot remove' and purge, /var/lib/vfio-early is gone" test ! -e "$R/var/lib/vfio-early"
# /etc/default/grub.d, where 'boot install' put its drop-in, may stay (empty):
# the drop-in directory of GRUB's configuration, not the package's.
diff "$T/before0" "$T/after" | grep '^[<>]' | grep -vx '> d ./etc/default/grub.d' >"$T/log"
tap_check "after 'boot remove' and purge, the root holds exactly what it held before the first install" \
	test ! -s "$T/log"
tap_check "/etc/vfio-early.conf (the user's) is still untouched" test "$(sum /etc/vfio-early.conf)" = "$CONF_SUM"
timing "install, boot remove, purge"
echo "# total: $(($(date +%s) - t0)) s"
tap_done
