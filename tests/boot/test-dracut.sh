#!/bin/bash
# shellcheck disable=SC2016 source-path=SCRIPTDIR # eval '...' defers expansion to the check, on purpose
# QEMU boot test of the dracut integration (initramfs-hook/dracut/90vfio-early):
# the real Debian dracut (downloaded with apt-get and unpacked beside
# initramfs-tools, see lib-dracut.sh), the real Debian kernel, our installed
# module, and two images:
#   systemd  dracut's systemd initrd: vfio-early.service before systemd-udevd
#   shell    dracut's classic shell /init (omit_dracutmodules+=" systemd "):
#            a cmdline hook at priority 00
# each booted twice:
#   P  passthrough, with rd.driver.pre=bochs on the command line (what
#      force_drivers+=" bochs " writes; the usual early-KMS recipe): the
#      target GPU + its HDMI audio end on vfio-pci, their native drivers never
#      probe them, though the shell init loads bochs in its cmdline hooks and
#      the systemd one in dracut-pre-udev.service; the status record reaches
#      the real root
#   R  vfio_early=off: the native drivers own them (recovery)
# Prints TAP. About 3-4 minutes on 2 cores under TCG.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dracut.sh"

vfe_need dpkg-deb dpkg-query cpio debugfs
vfe_setup
M=$VFE_DEST/usr/lib/dracut/modules.d/90vfio-early
C=$VFE_DEST/etc/vfio-early.conf
TARGET=0000:00:05.0 AUDIO=0000:00:05.1 BOOTVGA=0000:00:01.0

t0=$SECONDS
if ! vfe_dracut_fetch; then
	tap_skip "the Debian dracut packages are available" "$VFE_DRACUT_WHY"
	tap_done
	exit 0
fi
tap_ok "dracut unpacked in $VFE_DRACUT_CACHE: $(cat "$VFE_DRACUT_CACHE/unpacked.stamp") ($((SECONDS - t0)) s)"

# ------------------------------------------------------------------ the module alone

tap_check "make install: module-setup.sh and the hook 0755, the unit 0644" \
	test "$(stat -c %a "$M/module-setup.sh") $(stat -c %a "$M/vfio-early-cmdline.sh") $(stat -c %a "$M/vfio-early.service")" = "755 755 644"
tap_check "the cmdline hook is POSIX sh and never exits (dracut's /init sources it)" \
	eval 'sh -n "$M/vfio-early-cmdline.sh" && ! grep -qE "^[^#]*\<exit\>" "$M/vfio-early-cmdline.sh"'

# module_check ROOT: what check() returns with VFIO_EARLY_ROOT=ROOT, as dracut calls it
module_check() {
	env VFIO_EARLY_ROOT="$1" bash -c '
		dwarn() { echo "W: $*" >&2; }
		. "$0"; check; echo $?' "$M/module-setup.sh" 2>/dev/null
}
mkdir -p "$T/noconf" "$T/withconf/etc/vfio-early.d"
echo "device 0000:00:05.0" >"$T/withconf/etc/vfio-early.d/10-x.conf"
tap_check "check() without a config: 255 (only when asked for)" test "$(module_check "$T/noconf")" = 255
tap_check "check() with only /etc/vfio-early.d/*.conf: 0 (included)" test "$(module_check "$T/withconf")" = 0
tap_check "the module names no vfio_virqfd and reads no /etc/modprobe.d" \
	eval '! grep -rqE "^[^#]*(vfio_virqfd|modprobe\.d)" "$M"'

# module_install ROOT: what install() asks dracut to install, one "FUNCTION ARGS" a line
module_install() {
	env VFIO_EARLY_ROOT="$1" bash -c '
		for f in inst_binary inst_library inst_simple inst_hook; do eval "$f() { echo $f \"\$@\"; }"; done
		dwarn() { echo "W: $*" >&2; }
		dracut_module_included() { return 1; }
		moddir=$(dirname "$0")
		. "$0"; install' "$M/module-setup.sh" 2>&1
}
cp -a "$VFE_DEST/usr" "$T/withconf/"
libkmod=$("$VFE_DEST/usr/libexec/vfio-early/vfio-early-bind" --print-dlopen)
tap_check "install() installs the libkmod the binder dlopens ($libkmod): inst_binary follows DT_NEEDED only" \
	eval 'module_install "$T/withconf" | grep -qx "inst_library $libkmod"'

# ------------------------------------------------------------------ the images

cat >"$C" <<'EOF'
# vfio-early boot test (tests/boot/test-dracut.sh)
# one of two identical 1234:1111 cards, by address, with its audio function
device 0000:00:05.0 id=1234:1111 group=whole
EOF

# build NAME FLAVOUR: OUT=$T/initrd-FLAVOUR, with our module added (--add:
# the flavour's module list is explicit, see lib-dracut.sh)
build() {
	local t0=$SECONDS
	if vfe_build_dracut_initrd "$T/initrd-$1" "$1" --add vfio-early; then
		tap_ok "dracut builds the $1 image ($((SECONDS - t0)) s)"
	else
		tap_bail "dracut builds the $1 image" "$T/initrd-$1.log"
	fi
	grep -q 'Including module: vfio-early' "$T/initrd-$1.log" || tap_not_ok "dracut included vfio-early ($1)" "$T/initrd-$1.log"
	vfe_dracut_unpack "$T/initrd-$1" "$T/x-$1" || tap_bail "unpack the $1 image"
}
build systemd
build shell
S=$T/x-systemd H=$T/x-shell
UNIT=usr/lib/systemd/system/vfio-early.service
[ -e "$S/$UNIT" ] || UNIT=lib/systemd/system/vfio-early.service

for X in "$S" "$H"; do
	f=${X##*x-}
	tap_check "($f) the image holds the binder, its libraries and the config" \
		eval 'test -x "$X/usr/libexec/vfio-early/vfio-early-bind" -a -f "$X/etc/vfio-early.conf" &&
			chroot "$X" /usr/libexec/vfio-early/vfio-early-bind --version'
	tap_check "($f) the binder finds the libkmod it dlopens inside the image" \
		chroot "$X" /usr/libexec/vfio-early/vfio-early-bind --print-dlopen
	tap_check "($f) the image holds vfio-pci and vfio_iommu_type1" \
		test -n "$(find "$X" -name 'vfio-pci.ko*')" -a -n "$(find "$X" -name 'vfio_iommu_type1.ko*')"
done
tap_check "(systemd) vfio-early.service wanted by sysinit.target; no hook" \
	eval 'test -f "$S/$UNIT" && test -n "$(find "$S/etc/systemd/system/sysinit.target.wants" "$S/${UNIT%/*}/sysinit.target.wants" \
			-name vfio-early.service 2>/dev/null)" &&
		test -z "$(ls "$S/lib/dracut/hooks/cmdline" "$S/lib/dracut/hooks/pre-udev" 2>/dev/null | grep vfio)"'
# unit_has KEY VALUE: the installed unit has KEY= naming VALUE
unit_has() { grep -qE "^$1=(.* )?$2( |\$)" "$S/$UNIT" || { echo "no $1=$2 in $UNIT"; return 1; }; }
tap_check "(systemd) unit: oneshot, no default deps, before udevd + udev-trigger, initrd only" \
	eval 'unit_has Type oneshot && unit_has DefaultDependencies no && unit_has Before systemd-udevd.service &&
		unit_has Before systemd-udev-trigger.service && unit_has ConditionPathExists /etc/initrd-release'
# dracut's /init sources the cmdline hooks in name order: ours before parse-kernel.sh, which loads rd.driver.pre
cmdline_hooks=$(find "$H/lib/dracut/hooks/cmdline" -maxdepth 1 -name '*.sh' -printf '%f\n' 2>/dev/null | LC_ALL=C sort | tr '\n' ' ')
tap_check "(shell) the cmdline hook runs before parse-kernel.sh loads rd.driver.pre ($cmdline_hooks)" \
	eval '[[ "$cmdline_hooks" == 00-vfio-early-cmdline.sh\ *01-parse-kernel.sh* ]]'
tap_check "(shell) the hook is in the image; no unit, no systemd" \
	eval 'test -f "$H/lib/dracut/hooks/cmdline/00-vfio-early-cmdline.sh" &&
		test -z "$(find "$H" -name vfio-early.service -o -name systemd-udevd.service)" -a ! -e "$H/usr/lib/systemd/systemd"'

vfe_mkrootfs "$T/root.img" || tap_bail "root file system image" "$T/mke2fs.log"
vfe_rootfs_add_os_release "$T/root.img" || tap_bail "os-release in the root image" "$T/debugfs.log"

# ------------------------------------------------------------------ boots

boot() {
	local name=$1 initrd=$2 log=$3 t0=$SECONDS
	if vfe_boot "$initrd" "$T/root.img" "$log" "${4:-}"; then
		tap_ok "$name boot reaches /sbin/init on the real root and finishes ($((SECONDS - t0)) s)"
	else
		tap_not_ok "$name boot reaches /sbin/init on the real root and finishes ($((SECONDS - t0)) s)"
		sed 's/\x1b\[[0-9;]*[mK]//g' "$log" | tail -n 30 | sed 's/^/# /'
		sed 's/^/# qemu: /' "$log.qemu" | head -n 5
	fi
}
# line_no FILE REGEX: the first matching line's number (empty: none)
line_no() { sed 's/\x1b\[[0-9;]*[mK]//g' "$1" | grep -n -m1 -E -- "$2" | cut -d: -f1; }
# before FILE A B: the first line matching A comes before the first matching B
before() {
	local a b
	a=$(line_no "$1" "$2") b=$(line_no "$1" "$3")
	{ [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; } || { echo "'$2' at line '${a:-none}', '$3' at line '${b:-none}'"; return 1; }
}

passthrough_checks() {
	local f=$1 P=$2
	tap_check "($f) $TARGET (bochs-display) ends on vfio-pci" is_driver "$P" $TARGET vfio-pci
	tap_check "($f) $AUDIO (its HDA audio, same group) ends on vfio-pci" is_driver "$P" $AUDIO vfio-pci
	tap_check "($f) the native drivers never probed $TARGET / $AUDIO" \
		no_lines "$(vfe_dmesg_driver "$P" bochs-drm $TARGET; vfe_dmesg_driver "$P" snd_hda_intel $AUDIO)"
	tap_check "($f) udev did load bochs and snd_hda_intel in that boot" \
		has_line "$(vfe_section "$P" modules | tr '\n' ' ')" '(^| )bochs .*snd_hda_intel |(^| )snd_hda_intel .*bochs '
	vfe_section "$P" dmesg >"$P.dmesg"
	tap_check "($f) the binder ran before udev (its kernel log line precedes bochs-drm's)" \
		before "$P.dmesg" "vfio-early: $TARGET: bound to vfio-pci" 'bochs-drm'
	tap_check "($f) the boot VGA $BOOTVGA stays on bochs-drm" is_driver "$P" $BOOTVGA bochs-drm
	# /sbin/init on the real root reads /run/vfio-early/status: it survived switch-root
	tap_check "($f) the status record survived switch-root: passthrough, both functions bound" \
		eval 'has_line "$(vfe_section "$P" status-file)" "^boot mode=passthrough .*iommu=yes" &&
			has_line "$(vfe_status_dev "$P" $TARGET)" " action=bound before=- after=vfio-pci " &&
			has_line "$(vfe_status_dev "$P" $AUDIO)" " via=$TARGET action=bound "'
	tap_check "($f) 'vfio-early status' on the real root names both functions on vfio-pci" \
		test "$(vfe_section "$P" status | grep -cE "^ +0000:00:05\.[01] .*driver now: vfio-pci")" = 2
}
recovery_checks() {
	local f=$1 R=$2 # (R is used inside the eval'd checks)
	: "$R"
	tap_check "($f) recovery: bochs-drm owns $TARGET, and logged it" \
		eval 'is_driver "$R" $TARGET bochs-drm && test -n "$(vfe_dmesg_driver "$R" bochs-drm $TARGET)"'
	tap_check "($f) recovery: snd_hda_intel owns $AUDIO, and logged it" \
		eval 'is_driver "$R" $AUDIO snd_hda_intel && test -n "$(vfe_dmesg_driver "$R" snd_hda_intel $AUDIO)"'
	tap_check "($f) recovery: status record mode=recovery (vfio_early=off), nothing bound" \
		eval 'has_line "$(vfe_section "$R" status-file)" "^boot mode=recovery reason=\"vfio_early=off" &&
			no_lines "$(vfe_section "$R" status-file | grep "action=bound")"'
}

for f in systemd shell; do
	boot "($f) passthrough, rd.driver.pre=bochs" "$T/initrd-$f" "$T/p-$f.log" "rd.driver.pre=bochs"
	passthrough_checks $f "$T/p-$f.log"
	if [ $f = systemd ]; then
		tap_check "(systemd) vfio-early.service finished before systemd-udevd started" \
			before "$T/p-$f.log" 'Finished vfio-early\.servic' 'Starting systemd-udevd\.ser'
	fi
	boot "($f) recovery (vfio_early=off)" "$T/initrd-$f" "$T/r-$f.log" "vfio_early=off"
	recovery_checks $f "$T/r-$f.log"
done

# ------------------------------------------------------------------ no config

# Asked for explicitly (add_dracutmodules / --add) but not configured: check()
# says 255, so dracut goes on; had it said 1, dracut would exit with "dracut
# module 'vfio-early' cannot be found or installed". --print-cmdline runs
# dracut's real module selection (check_module) and stops before building.
rm -f "$C"
if vfe_build_dracut_initrd "$T/initrd-noconf" shell --add vfio-early --no-kernel --print-cmdline &&
	! grep -q 'cannot be found or installed' "$T/initrd-noconf.log"; then
	tap_ok "no config, module asked for: dracut's module selection accepts it"
else
	tap_not_ok "no config, module asked for: dracut's module selection accepts it" "$T/initrd-noconf.log"
fi

tap_done
