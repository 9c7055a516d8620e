#!/bin/bash
# QEMU boot test of the initramfs-tools integration: the real Debian kernel,
# an initramfs built by the real mkinitramfs with our installed hook and
# init-top script, three boots of one image:
#   P  passthrough: the target GPU + audio end on vfio-pci, their native
#      drivers never probe them; refusals for the boot VGA and a shared group;
#      twelve more cards (GPU + HDMI audio behind PCIe root ports), and every
#      decision and the closing line in the kernel log; then, in the real
#      root, udev's replay of the boot's devices changes nothing, and a NIC
#      hot-added on a PCIe root port through the QEMU monitor ends on
#      vfio-pci before its driver (loaded by udev then) can probe it
#   R  vfio_early=off: the native drivers own everything (recovery)
#   G  a garbage kernel command line: the boot goes on, problems are recorded
# and one boot of a second image whose vfio-pci module was taken out:
#   M  the binder finds no vfio-pci: it binds nothing, says why, the boot goes on
# Prints TAP. About two minutes on 2 cores under TCG.
set -u
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
. "$(dirname "$0")/lib.sh"

vfe_setup
C=$VFE_DEST/etc/vfio-early.conf
D=$VFE_DEST/etc/vfio-early.d/90-garbage.conf
TARGET=0000:00:05.0 AUDIO=0000:00:05.1 BOOTVGA=0000:00:01.0 VGPU=0000:01:01.0 NIC=0000:01:02.0
# (h) twelve cards on PCIe root ports (slots 10.0-10.7 and 11.0-11.3); the
# root ports' buses follow the pci-bridge's bus 01 in slot order
CARD_BUSES="02 03 04 05 06 07 08 09 0a 0b 0c 0d"
CARDS=()
i=0
for b in $CARD_BUSES; do
	mf=
	[ $((i % 8)) = 0 ] && mf=,multifunction=on
	CARDS+=(-device "pcie-root-port,id=rp$i,bus=pcie.0,chassis=$((10 + i)),addr=$(printf '%x.%x' $((0x10 + i / 8)) $((i % 8)))$mf"
		-device "bochs-display,bus=rp$i,addr=00.0,multifunction=on" -device "ich9-intel-hda,bus=rp$i,addr=00.1")
	i=$((i + 1))
done
# (g) an empty hotplug-capable root port, and the monitor to hot-add through
HOTPLUG=(-device pcie-root-port,id=hp1,bus=pcie.0,chassis=40,addr=12.0 -monitor "unix:$T/monitor.sock,server=on,wait=off")
HOT_ID=8086:10d3 HOT_DEV=e1000e,bus=hp1,id=hot1

# ------------------------------------------------------------------ the hook alone

# run_hook ROOT VERSION: the installed hook as mkinitramfs runs it, into $T/hookout
run_hook() {
	rm -rf "$T/hookout" && mkdir -p "$T/hookout"
	env DESTDIR="$T/hookout" version="$2" CONFDIR=/etc/initramfs-tools verbose=n \
		MODULESDIR="/lib/modules/$2" VFIO_EARLY_ROOT="$1" \
		sh "$VFE_DEST/usr/share/initramfs-tools/hooks/vfio-early" >"$T/hook.out" 2>&1
}
HOOK=$VFE_DEST/usr/share/initramfs-tools/hooks/vfio-early
SCRIPT=$VFE_DEST/usr/share/initramfs-tools/scripts/init-top/00_vfio_early

tap_check "hook and boot script answer prereqs with nothing" \
	test -z "$(sh "$HOOK" prereqs)" -a -z "$(sh "$SCRIPT" prereqs)"
run_hook "$VFE_DEST" "$VFE_KVER"
tap_check "hook without any config: exits 0, adds nothing" \
	test -z "$(find "$T/hookout" -mindepth 1 -print -quit)"
mkdir -p "$(dirname "$D")"
echo "device 0000:00:05.0" >"$D"
run_hook "$VFE_DEST" "$VFE_KVER"
tap_check "hook with only a drop-in config: copies it, the binder and vfio-pci" \
	test -f "$T/hookout/etc/vfio-early.d/90-garbage.conf" -a ! -e "$T/hookout/etc/vfio-early.conf" \
	-a -x "$T/hookout/usr/libexec/vfio-early/vfio-early-bind" \
	-a -n "$(find "$T/hookout" -name 'vfio-pci.ko*')"
# copy_exec follows DT_NEEDED only: the libkmod the binder dlopens, and libkmod's own libraries
tap_check "hook copies libkmod (the binder dlopens it) and what libkmod needs (libcrypto)" \
	test -n "$(find "$T/hookout" -name 'libkmod.so.2*')" -a -n "$(find "$T/hookout" -name 'libcrypto.so*')"
rm -f "$D"
echo "device 0000:00:05.0" >"$C"
if run_hook "$VFE_DEST" 0.0.0-novfio && grep -q 'vfio-pci is neither a module nor built' "$T/hook.out" &&
	[ -x "$T/hookout/usr/libexec/vfio-early/vfio-early-bind" ]; then
	tap_ok "hook for a kernel without vfio-pci: warns, copies the binder, exits 0"
else
	tap_not_ok "hook for a kernel without vfio-pci: warns, copies the binder, exits 0" "$T/hook.out"
fi

# ------------------------------------------------------------------ the image

cat >"$C" <<'EOF'
# vfio-early boot test (tests/boot/test-initramfs-tools.sh)
# (a)+(c) one of two identical 1234:1111 cards, by address, with its audio function
device 0000:00:05.0 id=1234:1111 group=whole
# (d) virtio-gpu behind the bridge; its IOMMU group also holds the unlisted e1000
device 0000:01:01.0
# (e) the boot VGA, without allow-boot-vga
device 0000:00:01.0
# (f) garbage
frobnicate the flux capacitor
device 0000:zz:00.0 group=sometimes
# (g) a device that comes late: an Intel 82574L hot-added on a PCIe root port
# after boot, listed by id as SR-IOV virtual functions are
device 8086:10d3
# (h) twelve more cards, GPU + HDMI audio each, behind PCIe root ports
EOF
for b in $CARD_BUSES; do echo "device 0000:$b:00.0 id=1234:1111 group=whole"; done >>"$C"
cat >"$D" <<'EOF'
device
device id=1234 "unterminated
EOF
# a binary drop-in (random bytes with NULs): skipped whole, the rest still applies
B2=$VFE_DEST/etc/vfio-early.d/95-binary.conf
head -c 3000 /dev/urandom >"$B2"
printf 'device 0000:00:05.0\0\1\2' >>"$B2"

vfe_it_confdir "$T/it" || tap_bail "initramfs-tools CONFDIR"
t0=$(date +%s)
vfe_mkinitramfs "$T/it" "$T/initrd" || tap_bail "mkinitramfs with our hook" "$T/initrd.log"
tap_ok "mkinitramfs -d CONFDIR builds the image ($(($(date +%s) - t0)) s)"
grep -q 'vfio-early' "$T/initrd.log" && tap_diag "mkinitramfs said:" "$(grep vfio-early "$T/initrd.log")"
vfe_unpack "$T/initrd" "$T/x" || tap_bail "unmkinitramfs"
X=$T/x
[ -d "$X/main" ] && X=$X/main # an early microcode archive puts the rest under main/

order=$(grep -o '^/scripts/init-top/[^ ]*' "$X/scripts/init-top/ORDER" | sed 's|.*/||' | tr '\n' ' ')
tap_check "scripts/init-top/ORDER runs 00_vfio_early before udev ($order)" \
	eval '[[ " $order" =~ \ 00_vfio_early\ .*\ udev\  ]]'
tap_check "the image holds the binder and both config files" \
	test -x "$X/usr/libexec/vfio-early/vfio-early-bind" -a -f "$X/etc/vfio-early.conf" \
	-a -f "$X/etc/vfio-early.d/90-garbage.conf"
tap_check "the binder finds the libkmod it dlopens inside the image" \
	chroot "$X" /usr/libexec/vfio-early/vfio-early-bind --print-dlopen
tap_check "the image holds vfio-pci and vfio_iommu_type1" \
	test -n "$(find "$X" -name 'vfio-pci.ko*')" -a -n "$(find "$X" -name 'vfio_iommu_type1.ko*')"
tap_check "the image holds the test devices' native drivers" \
	test -n "$(find "$X" -name 'bochs.ko*')" -a -n "$(find "$X" -name 'snd-hda-intel.ko*')"

# the real root has udev and, for the NIC hot-added in (g), its driver's module
VFE_ROOTFS_UDEV_MODULES=e1000e vfe_mkrootfs "$T/root.img" || tap_bail "root file system image" "$T/mke2fs.log"

# ------------------------------------------------------------------ boots

P=$T/passthrough.log R=$T/recovery.log G=$T/garbage.log
# boot NAME LOG [CMDLINE [INITRD]]
boot() {
	local name=$1 log=$2 t0=$SECONDS
	if vfe_boot "${4:-$T/initrd}" "$T/root.img" "$log" "${3:-}"; then
		tap_ok "$name boot reaches /sbin/init and finishes ($((SECONDS - t0)) s)"
	else
		tap_not_ok "$name boot reaches /sbin/init and finishes ($((SECONDS - t0)) s)"
		tail -n 30 "$log" | sed 's/^/# /'
		sed 's/^/# qemu: /' "$log.qemu" | head -n 5
	fi
}

VFE_QEMU_EXTRA=("${CARDS[@]}" "${HOTPLUG[@]}")
vfe_hotplug_when_ready "$P" "$T/monitor.sock" "$HOT_DEV"
boot "passthrough, twelve more cards, a hot-added NIC" "$P" "vfe_test.hotplug=$HOT_ID"
VFE_QEMU_EXTRA=()
boot "recovery (vfio_early=off)" "$R" "vfio_early=off"
boot "garbage command line" "$G" \
	'vfio_early=maybe vfio_early.frobnicate=1 vfio_early.devices=zz:zz,,0000:00:05.1 vfio_early.debug=sometimes "vfio_early.devices=0000:00:1f.2 unbalanced'

# ------------------------------------------------------------------ (a) passthrough

tap_check "(a) $TARGET (bochs-display) ends on vfio-pci" is_driver "$P" $TARGET vfio-pci
tap_check "(a) $AUDIO (its HDA audio, same group) ends on vfio-pci" is_driver "$P" $AUDIO vfio-pci
tap_check "(a) status record: $TARGET action=bound before=-" \
	has_line "$(vfe_status_dev "$P" $TARGET)" ' action=bound before=- after=vfio-pci '
tap_check "(a) status record: $AUDIO bound via $TARGET" \
	has_line "$(vfe_status_dev "$P" $AUDIO)" " via=$TARGET action=bound before=- "
tap_check "(a) the native drivers never probed $TARGET / $AUDIO" \
	no_lines "$(vfe_dmesg_driver "$P" bochs-drm $TARGET; vfe_dmesg_driver "$P" snd_hda_intel $AUDIO)"
# ... although udev had every chance: the modules were loaded in the initramfs
tap_check "(a) udev did load bochs and snd_hda_intel in that boot" \
	eval 'has_line "$(vfe_section "$P" modules)" ^bochs$ && has_line "$(vfe_section "$P" modules)" ^snd_hda_intel$'
# line_no LOG SECTION REGEX: the line number of the first match in the section (empty: none)
line_no() { vfe_section "$1" "$2" | grep -n -m1 -E -- "$3" | cut -d: -f1; }
binder_first() {
	local b u
	b=$(line_no "$P" dmesg "vfio-early: $TARGET: bound to vfio-pci") u=$(line_no "$P" dmesg 'bochs-drm')
	[ -n "$b" ] && [ -n "$u" ] && [ "$b" -lt "$u" ] || { echo "binder at line '$b', bochs-drm at '$u'"; return 1; }
}
tap_check "(a) the binder ran before udev (its kernel log line precedes bochs-drm's)" binder_first
tap_check "(a) status record: mode=passthrough, iommu=yes" \
	has_line "$(vfe_section "$P" status-file)" '^boot mode=passthrough .*iommu=yes'
if vfe_section "$P" status | grep -q "$TARGET"; then
	tap_check "(a) 'vfio-early status' in the guest names both functions on vfio-pci" eval \
		'has_line "$(vfe_section "$P" status)" "^ +$TARGET .*driver now: vfio-pci" &&
		has_line "$(vfe_section "$P" status)" "^ +$AUDIO .*driver now: vfio-pci"'
	tap_check "(a) 'vfio-early status --json' in the guest: $TARGET driver_now vfio-pci" \
		python3 -c 'import json,sys
d = {x["address"]: x for x in json.loads(sys.argv[1])["devices"]}
assert d[sys.argv[2]]["driver_now"] == "vfio-pci" and d[sys.argv[2]]["action"] == "bound", d' \
		"$(vfe_section "$P" status-json)" $TARGET
else
	tap_not_ok "(a) 'vfio-early status' in the guest names the devices"
	vfe_section "$P" status | sed 's/^/# /'
fi

# ------------------------------------------------------------------ (c) (d) (e) guards

tap_check "(c) the boot VGA $BOOTVGA (same id 1234:1111) stays on bochs-drm" is_driver "$P" $BOOTVGA bochs-drm
tap_check "(d) $VGPU (shared group with the unlisted e1000) is refused" \
	has_line "$(vfe_status_dev "$P" $VGPU)" "action=refused .*half-bound: $NIC"
tap_check "(d) ... and keeps virtio-pci, with virtio_gpu on top" \
	eval 'is_driver "$P" $VGPU virtio-pci && vfe_section "$P" drivers | grep -q "parent=$VGPU driver=virtio_gpu$"'
tap_check "(d) ... and the e1000 $NIC keeps e1000" is_driver "$P" $NIC e1000
tap_check "(e) the boot VGA listed without allow-boot-vga is refused" \
	has_line "$(vfe_status_dev "$P" $BOOTVGA)" 'action=refused .*boot VGA'

# ------------------------------------------------------------------ (f) config problems

# has_problems LOG STRING...: the status record has a "problem" line naming each STRING
has_problems() {
	local log=$1 p s
	shift
	p=$(vfe_section "$log" status-file | grep '^problem ')
	for s in "$@"; do
		grep -qF -- "$s" <<<"$p" || { echo "no problem naming $s; the record has:"; printf '%s\n' "$p"; return 1; }
	done
}
tap_check "(f) config problems are recorded with file:line" has_problems "$P" \
	/etc/vfio-early.conf:9: /etc/vfio-early.conf:10: \
	/etc/vfio-early.d/90-garbage.conf:1: /etc/vfio-early.d/90-garbage.conf:2:
tap_check "(f) a binary drop-in is skipped whole and said so" has_problems "$P" \
	"/etc/vfio-early.d/95-binary.conf: contains a NUL byte"

# ------------------------------------------------------------------ (h) the kernel log with twelve more cards

# every_decision LOG: each configured card's two functions bound, in dmesg
every_decision() {
	local d b f miss=""
	d=$(vfe_section "$1" dmesg)
	for b in $CARD_BUSES; do
		for f in 0 1; do
			grep -q "vfio-early: 0000:$b:00.$f: bound to vfio-pci" <<<"$d" || miss="$miss 0000:$b:00.$f"
			[ "$(vfe_driver "$1" "0000:$b:00.$f")" = vfio-pci ] || miss="$miss 0000:$b:00.$f(driver)"
		done
	done
	[ -z "$miss" ] || { echo "not bound, or not in the kernel log:$miss"; return 1; }
}
tap_check "(h) twelve more cards: all 24 functions on vfio-pci, each decision in the kernel log" every_decision "$P"
# journal_view LOG: the same, as /dev/kmsg gives each record to the journal (newlines as \x0a)
journal_view() {
	local k b f miss=""
	k=$(vfe_section "$1" kmsg-records | sed 's/\\x0a/\n/g')
	for b in $CARD_BUSES; do
		for f in 0 1; do
			grep -q "vfio-early: 0000:$b:00.$f: bound to vfio-pci" <<<"$k" || miss="$miss 0000:$b:00.$f"
		done
	done
	grep -qE 'vfio-early: done in [0-9]+ us: 26 bound' <<<"$k" || miss="$miss (closing line)"
	[ -z "$miss" ] || { echo "not in what /dev/kmsg gives its readers:$miss"; return 1; }
}
tap_check "(h) ... and in the records /dev/kmsg gives the journal and util-linux dmesg" journal_view "$P"
tap_check "(h) ... the refusals and skips are there too" eval \
	'has_line "$(vfe_section "$P" dmesg)" "vfio-early: $BOOTVGA: refused: the boot VGA" &&
	has_line "$(vfe_section "$P" dmesg)" "vfio-early: $VGPU: refused: IOMMU group" &&
	has_line "$(vfe_section "$P" dmesg)" "vfio-early: /etc/vfio-early.conf:13: skipped: no PCI device with id 8086:10d3"'
tap_check "(h) ... and the closing line" \
	has_line "$(vfe_section "$P" dmesg)" 'vfio-early: done in [0-9]+ us: 26 bound, 2 refused, 1 skipped$'
tap_check "(h) the kernel dropped nothing (no 'output lines suppressed due to ratelimiting')" \
	no_lines "$(vfe_section "$P" dmesg | grep 'suppressed due to ratelimiting')"

# ------------------------------------------------------------------ (g) a device added after boot

HOT=$(vfe_section "$P" hotplug | sed -n 's/^added=//p')
# late_driver BDF: the driver BDF was on after the hot-add
late_driver() { vfe_section "$P" late-drivers | awk -v b="$1" '$1 == b { sub("driver=", "", $6); print $6 }'; }
tap_check "(g) udev's replay of the boot's devices (udevadm trigger) changed no record and no driver" eval \
	'[ "$(vfe_section "$P" replay-status-file)" = "$(vfe_section "$P" status-file)" ] &&
	[ "$(vfe_section "$P" replay-drivers)" = "$(vfe_section "$P" drivers)" ]'
tap_check "(g) the NIC was not there when the binder ran (the boot's record: no device with its id)" \
	has_line "$(vfe_section "$P" status-file)" 'entry=/etc/vfio-early.conf:13 via=- action=skipped .*no PCI device with id 8086:10d3'
if [ -n "$HOT" ] && [ "$HOT" != none ]; then
	tap_ok "(g) the NIC hot-added through the QEMU monitor appeared at $HOT"
	tap_check "(g) $HOT ends on vfio-pci" test "$(late_driver "$HOT")" = vfio-pci
	tap_check "(g) udev loaded e1000e for it, and e1000e never probed it" eval \
		'has_line "$(vfe_section "$P" late-modules)" "^e1000e$" &&
		no_lines "$(vfe_section "$P" late-dmesg | grep -E "\] e1000e $HOT: ")"'
	tap_check "(g) status record: $HOT bound, late" \
		has_line "$(vfe_section "$P" late-status-file | grep "^device bdf=$HOT ")" ' action=bound before=- after=vfio-pci .* late=yes'
	tap_check "(g) ... the entry's 'no device' line replaced, the boot's lines kept" eval \
		'no_lines "$(vfe_section "$P" late-status-file | grep "no PCI device with id 8086:10d3")" &&
		[ "$(vfe_section "$P" late-status-file | grep -c "^device ")" = "$(vfe_section "$P" status-file | grep -c "^device ")" ]'
	tap_check "(g) the kernel log says so" \
		has_line "$(vfe_section "$P" late-dmesg)" "vfio-early: $HOT: bound to vfio-pci after boot \(listed by id\)"
	tap_check "(g) 'vfio-early status' shows it bound late" \
		has_line "$(vfe_section "$P" late-status)" "^ +$HOT .*bound late .*driver now: vfio-pci"
else
	tap_not_ok "(g) the NIC hot-added through the QEMU monitor appeared" "$P.monitor"
fi

# ------------------------------------------------------------------ (b) recovery

tap_check "(b) recovery: bochs-drm owns $TARGET" is_driver "$R" $TARGET bochs-drm
tap_check "(b) recovery: snd_hda_intel owns $AUDIO" is_driver "$R" $AUDIO snd_hda_intel
tap_check "(b) recovery: bochs-drm logs about $TARGET (so (a)'s check can fail)" \
	test -n "$(vfe_dmesg_driver "$R" bochs-drm $TARGET)"
tap_check "(b) recovery: snd_hda_intel logs about $AUDIO (so (a)'s check can fail)" \
	test -n "$(vfe_dmesg_driver "$R" snd_hda_intel $AUDIO)"
tap_check "(b) status record: mode=recovery, because of vfio_early=off" \
	has_line "$(vfe_section "$R" status-file)" '^boot mode=recovery reason="vfio_early=off on the kernel command line"'
tap_check "(b) recovery: the binder bound nothing" \
	no_lines "$(vfe_section "$R" status-file | grep 'action=bound')"
tap_check "(b) recovery: $VGPU and $NIC keep their drivers" \
	eval 'is_driver "$R" $VGPU virtio-pci && is_driver "$R" $NIC e1000'
tap_check "(b) 'vfio-early status' in the guest says recovery" \
	has_line "$(vfe_section "$R" status)" 'recovery'

# ------------------------------------------------------------------ (f) garbage command line

tap_check "(f) garbage command line: the problems are recorded" has_problems "$G" \
	vfio_early=maybe vfio_early.frobnicate zz:zz vfio_early.debug=sometimes /etc/vfio-early.conf:9:
tap_check "(f) garbage command line: passthrough stays on, $TARGET on vfio-pci" \
	eval 'vfe_section "$G" status-file | grep -q "^boot mode=passthrough" && is_driver "$G" $TARGET vfio-pci'

# ------------------------------------------------------------------ fault: no vfio-pci in the image

# The same CONFDIR plus a hook that runs after ours and takes vfio-pci out again
# (mkinitramfs runs depmod after the hooks, so the image's index agrees).
cp -a "$T/it" "$T/it-novfio"
printf '%s\n' '#!/bin/sh' 'case $1 in prereqs) exit 0 ;; esac' \
	'find "$DESTDIR/lib/modules" -name "vfio-pci.ko*" -delete' >"$T/it-novfio/hooks/zzz-drop-vfio-pci"
chmod 755 "$T/it-novfio/hooks/zzz-drop-vfio-pci"
M=$T/novfio.log
if vfe_mkinitramfs "$T/it-novfio" "$T/initrd-novfio" && vfe_unpack "$T/initrd-novfio" "$T/xm" &&
	[ -z "$(find "$T/xm" -name 'vfio-pci.ko*')" ]; then
	tap_ok "an image without vfio-pci.ko is built"
	boot "no vfio-pci" "$M" "" "$T/initrd-novfio"
	tap_check "no vfio-pci: the status record says why $TARGET was not bound" \
		has_line "$(vfe_status_dev "$M" $TARGET)" 'action=failed .*vfio-pci driver is not available'
	tap_check "no vfio-pci: the kernel log says it too" has_line "$(vfe_section "$M" dmesg)" \
		"vfio-early: $TARGET: failed: .*vfio-pci driver is not available"
	tap_check "no vfio-pci: $TARGET stays with its native driver (no override left behind)" \
		is_driver "$M" $TARGET bochs-drm
else
	tap_not_ok "an image without vfio-pci.ko is built" "$T/initrd-novfio.log"
fi

tap_done
