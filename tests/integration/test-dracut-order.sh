#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
# Where the dracut module (initramfs-hook/dracut/90vfio-early) puts the binder in
# the boot, read from images the real dracut builds (Debian's, downloaded and
# unpacked as tests/boot/lib-dracut.sh does; --no-kernel, so no kernel and no
# QEMU: two seconds an image). The modules that load rd.driver.pre
# (force_drivers+=" amdgpu ", the usual early-KMS recipe) are found in the
# images by what they run, not by name:
#   shell    dracut's classic /init sources the cmdline hooks in name order:
#            ours comes before the hook that loads rd.driver.pre (parse-kernel.sh)
#   systemd  vfio-early.service is ordered before the unit that loads
#            rd.driver.pre (dracut-pre-udev.service), systemd-udevd,
#            systemd-udev-trigger and systemd-modules-load, without the default
#            dependencies that would put it after sysinit.target
# The QEMU boot test (tests/boot/test-dracut.sh) shows the outcome on a booted
# kernel; this shows the order at every make check. Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
# shellcheck source=tests/boot/lib-dracut.sh
. tests/boot/lib-dracut.sh
if ! command -v dpkg-deb >/dev/null || ! command -v cpio >/dev/null; then
	tap_skip_all "needs dpkg-deb and cpio"
fi

VFE_DEST=$T/dest
VFE_KVER=0.0.0-vfio-early-test # --no-kernel: no modules are read; a version no host has
VFE_DRACUT_DRIVERS=
if ! make -s install B="$B" DESTDIR="$VFE_DEST" >"$T/install.log" 2>&1; then
	tap_bail "make install" "$T/install.log"
fi
echo "device 0000:00:05.0 group=whole" >"$VFE_DEST/etc/vfio-early.conf"
if ! vfe_dracut_fetch; then
	tap_skip_all "the Debian dracut packages are not available: $VFE_DRACUT_WHY"
fi

# image FLAVOUR: the image with our module, unpacked into $T/x-FLAVOUR
image() {
	vfe_build_dracut_initrd "$T/initrd-$1" "$1" --add vfio-early --no-kernel || tap_bail "dracut builds the $1 image" "$T/initrd-$1.log"
	grep -q 'Including module: vfio-early' "$T/initrd-$1.log" || tap_bail "dracut included vfio-early ($1)" "$T/initrd-$1.log"
	vfe_dracut_unpack "$T/initrd-$1" "$T/x-$1" || tap_bail "unpack the $1 image"
}
# loads_pre FILE...: those of the files (scripts) that load the rd.driver.pre modules
loads_pre() { grep -lE 'getargs[[:space:]]+rd\.driver\.pre' "$@" 2>/dev/null; }

# ---- the shell init
image shell
H=$T/x-shell/lib/dracut/hooks
hooks=$(cd "$H/cmdline" 2>/dev/null && printf '%s\n' *.sh | LC_ALL=C sort | tr '\n' ' ')
pre=$(cd "$H/cmdline" 2>/dev/null && loads_pre -- *.sh | tr '\n' ' ')
ours=$(cd "$H/cmdline" 2>/dev/null && ls -- *vfio-early*)
tap_check "(shell) one cmdline hook of ours ($ours); none in pre-udev or later" \
	eval '[ "$(echo "$ours" | wc -w)" = 1 ] && [ -z "$(ls "$H" | grep -v cmdline | while read -r d; do ls "$H/$d"; done | grep vfio)" ]'
tap_check "(shell) a cmdline hook loads rd.driver.pre ($pre)" test -n "$pre"
# before SORTED_LIST A B...: A comes before each B in the list
before() {
	local list=$1 a=$2 b w i=0 pa=-1 pb
	shift 2
	for b in "$@"; do
		i=0 pa=-1 pb=-1
		for w in $list; do
			[ "$w" = "$a" ] && pa=$i
			[ "$w" = "$b" ] && pb=$i
			i=$((i + 1))
		done
		if [ "$pa" -lt 0 ] || [ "$pb" -le "$pa" ]; then
			echo "$a does not come before $b in: $list"
			return 1
		fi
	done
}
# shellcheck disable=SC2086 # $pre: one word a hook
tap_check "(shell) /init sources ours first: $hooks" before "$hooks" "$ours" $pre

# ---- the systemd initrd
image systemd
S=$T/x-systemd
U=usr/lib/systemd/system
[ -d "$S/$U" ] || U=lib/systemd/system
# the units whose ExecStart runs a script that loads rd.driver.pre
pre_units=$(for u in "$S/$U"/*.service; do
	exe=$(sed -n 's/^ExecStart=[-@+!:]*\([^ ]*\).*/\1/p' "$u" | head -n 1)
	[ -n "$exe" ] && [ -f "$S$exe" ] && loads_pre "$S$exe" >/dev/null && basename "$u"
done | tr '\n' ' ')
tap_check "(systemd) a unit loads rd.driver.pre ($pre_units)" test -n "$pre_units"
# orders A B: A is ordered before B (Before= in A, or After= in B, drop-ins included)
orders() {
	local a=$1 b=$2
	cat "$S/$U/$a" "$S/$U/$a.d"/*.conf "$S/etc/systemd/system/$a.d"/*.conf 2>/dev/null |
		grep -qE "^Before=(.*[[:space:]])?$b([[:space:]]|\$)" && return 0
	cat "$S/$U/$b" "$S/$U/$b.d"/*.conf "$S/etc/systemd/system/$b.d"/*.conf 2>/dev/null |
		grep -qE "^After=(.*[[:space:]])?$a([[:space:]]|\$)" && return 0
	echo "nothing orders $a before $b"
	return 1
}
tap_check "(systemd) vfio-early.service is in the image, wanted by sysinit.target; no hook" \
	eval 'test -f "$S/$U/vfio-early.service" &&
		test -n "$(find "$S/etc/systemd/system/sysinit.target.wants" "$S/$U/sysinit.target.wants" -name vfio-early.service 2>/dev/null)" &&
		test -z "$(find "$S/lib/dracut/hooks" -name "*vfio-early*" 2>/dev/null)"'
tap_check "(systemd) without default dependencies (they would order it after sysinit.target)" \
	grep -qx 'DefaultDependencies=no' "$S/$U/vfio-early.service"
for b in $pre_units systemd-udevd.service systemd-udev-trigger.service systemd-modules-load.service; do
	tap_check "(systemd) vfio-early.service runs before $b" orders vfio-early.service "$b"
done
tap_done
