#!/bin/bash
# shellcheck disable=SC2016 source-path=SCRIPTDIR # eval '...' defers expansion to the check, on purpose
# QEMU boot test of the guards on images built the way distributions build
# them, which carry none of the drivers the guards must foresee:
#   initramfs-tools with Debian's MODULES=most (no GPU, no sound driver), and
#   dracut's generic image (kernel-modules' own choice, no --drivers),
# on a machine whose root file system is a USB disk behind an xHCI
# controller, and whose real root loads the drivers the images lack
# (bochs, snd_hda_intel, e1000), as udev does on a distribution's root.
#
# One config holds every case:
#   (i)   the GPU 00:05.0 listed alone; its HDMI audio 00:05.1 has no driver
#         in the image but gets snd_hda_intel from the real root: refused,
#         and the reason names snd_hda_intel
#   (ii)  a leftover "options vfio-pci ids=1234:1111" in /etc/modprobe.d of
#         the image, matching the boot VGA 00:01.0: the listed card 00:08.0
#         is bound, the boot VGA keeps bochs-drm
#   (iii) the xHCI controller 00:07.0 holding the root file system: refused,
#         naming "/", and the boot reaches the real root
#   (iv)  group=whole pinned with the members add --group recorded when the
#         NIC 01:02.0 was not in the group: refused
# Boots:
#   A  a recovery boot (vfio_early=off) of an image built before the guest's
#      facts were known: in the guest's real root, add and check refuse the
#      xHCI and say the binder's verdict on 00:05.0; the guest prints its
#      mounts and block devices, which the test replays as a tree for the
#      hooks (the installed system an image is built on)
#   B  initramfs-tools, MODULES=most, built with those facts: (i)-(iv)
#   C  dracut's systemd initrd, generic, the same: (i)-(iv)
# Prints TAP. About 4 minutes on 2 cores under TCG.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dracut.sh"

vfe_need depmod kmod cpio debugfs dpkg-deb dpkg-query
vfe_setup
C=$VFE_DEST/etc/vfio-early.conf
BOOTVGA=0000:00:01.0 GPU=0000:00:05.0 AUDIO=0000:00:05.1 VGPU=0000:01:01.0 NIC=0000:01:02.0
XHCI=0000:00:07.0 CARD=0000:00:08.0

# The machine: lib.sh's (boot VGA, GPU + HDMI audio, a bridge with a display
# and a NIC behind it) without its virtio disk, plus the xHCI controller with
# the USB root disk and a second 1234:1111 card in its own group.
# shellcheck disable=SC2054 # the commas are QEMU's
MACHINE=("${VFE_QEMU_ARGS[@]}"
	-device qemu-xhci,id=xhci,addr=07.0
	-device bochs-display,addr=08.0)
# no_timer_check: a busy host makes TCG's timer look broken to the kernel's IO-APIC check (a
# panic at 0.05 s)
CMDLINE="console=ttyS0 intel_iommu=on root=LABEL=vfe-root rootfstype=ext4 rw panic=-1 no_timer_check"

# gboot NAME INITRD LOG [EXTRA_CMDLINE]: boots the machine from a fresh copy of the root disk
gboot() {
	local name=$1 initrd=$2 log=$3 extra=${4:-} t0=$SECONDS
	cp --sparse=always "$T/root.img" "$T/disk.img" || return 1
	vfe_qemu_run "$log" "${MACHINE[@]}" \
		-drive "file=$T/disk.img,if=none,id=root,format=raw" -device usb-storage,bus=xhci.0,drive=root \
		-kernel "$VFE_KERNEL" -initrd "$initrd" -append "$CMDLINE $extra"
	if grep -q '^@@VFE-DONE@@' "$log"; then
		tap_ok "$name: the boot reaches /sbin/init on the USB root and finishes ($((SECONDS - t0)) s)"
	else
		tap_not_ok "$name: the boot reaches /sbin/init on the USB root and finishes ($((SECONDS - t0)) s)"
		sed 's/\x1b\[[0-9;]*[mK]//g' "$log" | tail -n 30 | sed 's/^/# /'
		sed 's/^/# qemu: /' "$log.qemu" | head -n 5
	fi
}

# ------------------------------------------------------------------ config, root, images

cat >"$C" <<'EOF'
# vfio-early boot test (tests/boot/test-guards.sh)
# (i) the GPU alone: its HDMI audio gets snd_hda_intel from the real root
device 0000:00:05.0 id=1234:1111
# (ii) a card to pass through, beside a leftover "options vfio-pci ids=1234:1111"
device 0000:00:08.0 id=1234:1111
# (iii) the xHCI controller that holds the root file system
device 0000:00:07.0
# (iv) pinned by 'vfio-early add --group' before the NIC joined the group
device 0000:01:01.0 id=1af4:1050 group=whole members=0000:00:06.0/1b36:0001,0000:01:01.0/1af4:1050
EOF
# the manual recipe's leftover, as /etc/modprobe.d of the host would hold it
echo 'options vfio-pci ids=1234:1111' >"$T/leftover.conf"

# What the guest runs in its real root before any driver of the root is loaded,
# so the machine is as the binder saw it: add and check on the live system,
# and vfio-early-image-facts on it.
# (The config is moved aside for add: an entry already there is not added again. The console is a
# terminal, so add would ask about the group (--function, and no input) and check would use colour.)
cat >"$T/guest-test.sh" <<'EOF'
#!/bin/sh
mv /etc/vfio-early.conf /tmp/conf
echo "== add 0000:00:07.0"; vfio-early add --dry-run 0000:00:07.0 </dev/null; echo "rc=$?"
echo "== add 0000:00:05.0"; vfio-early add --dry-run --function 0000:00:05.0 </dev/null; echo "rc=$?"
mv /tmp/conf /etc/vfio-early.conf
echo "== check"; NO_COLOR=1 vfio-early check </dev/null; echo "rc=$?"
echo "== facts"; /usr/libexec/vfio-early/vfio-early-image-facts --modules="/lib/modules/$(uname -r)" --output=/tmp/facts
echo "rc=$?"; cat /tmp/facts/protected
EOF
VFE_ROOT_MODULES="bochs snd_hda_intel e1000" VFE_ROOT_TEST_SCRIPT=$T/guest-test.sh VFE_ROOT_SIZE=96M \
	vfe_mkrootfs "$T/root.img" || tap_bail "root file system image" "$T/mke2fs.log"
vfe_rootfs_add_os_release "$T/root.img" || tap_bail "os-release in the root image" "$T/debugfs.log"

# it_confdir DIR [MODULES...]: /etc/initramfs-tools as Debian ships it
# (MODULES=most; with MODULES given, MODULES=list of just those), our
# installed hook and boot script, and a hook standing for the host's
# /etc/modprobe.d, which mkinitramfs copies into every image.
it_confdir() {
	local dir=$1 it=$VFE_DEST/usr/share/initramfs-tools
	shift
	rm -rf "$dir" && cp -a /etc/initramfs-tools "$dir" || return 1
	sed -i "s/^MODULES=.*/MODULES=${1:+list}/; s/^MODULES=\$/MODULES=most/" "$dir/initramfs.conf"
	printf '%s\n' "$@" >"$dir/modules" && rm -f "$dir"/conf.d/* && mkdir -p "$dir/hooks" "$dir/scripts/init-top"
	install -m755 "$it/hooks/vfio-early" "$dir/hooks/vfio-early" || return 1
	install -m755 "$it/scripts/init-top/"* "$dir/scripts/init-top/" || return 1
	printf '%s\n' '#!/bin/sh' 'case $1 in prereqs) exit 0 ;; esac' \
		"mkdir -p \"\$DESTDIR/etc/modprobe.d\" && cp '$T/leftover.conf' \"\$DESTDIR/etc/modprobe.d/vfio.conf\"" \
		>"$dir/hooks/zz-host-modprobe-d"
	# test only, timing: initramfs-tools waits 30 s for the root device (rootdelay= would
	# sleep first), and a USB disk under TCG on a busy host can take longer to show
	mkdir -p "$dir/scripts/init-premount"
	printf '%s\n' '#!/bin/sh' 'case $1 in prereqs) exit 0 ;; esac' \
		'i=0; while [ $i -lt 150 ] && [ ! -e /dev/disk/by-label/vfe-root ]; do sleep 1; i=$((i + 1)); done' \
		>"$dir/scripts/init-premount/zz-vfe-test-wait-usb"
	chmod 755 "$dir/hooks/zz-host-modprobe-d" "$dir/scripts/init-premount/zz-vfe-test-wait-usb"
}
it_confdir "$T/it" || tap_bail "initramfs-tools CONFDIR"
# boot A only needs to reach the USB root: a small image
it_confdir "$T/it-a" xhci_pci usb_storage sd_mod ext4 || tap_bail "initramfs-tools CONFDIR (A)"
if ! grep -q '^MODULES=most$' "$T/it/initramfs.conf" || ! grep -q '^MODULES=list$' "$T/it-a/initramfs.conf"; then
	tap_bail "MODULES= in the CONFDIRs"
fi

t0=$SECONDS
vfe_mkinitramfs "$T/it-a" "$T/initrd-a" || tap_bail "mkinitramfs (MODULES=list)" "$T/initrd-a.log"
tap_ok "mkinitramfs builds a small image for the recovery boot ($((SECONDS - t0)) s)"

# ------------------------------------------------------------------ A: recovery boot, the live system

A=$T/a.log
gboot "A (vfio_early=off)" "$T/initrd-a" "$A" "vfio_early=off"
G=$(vfe_section "$A" test)
tap_check "A: add refuses the xHCI controller holding / on the live system, naming the mount" \
	eval 'has_text "$G" "0000:00:07.0 is on the path to the host'"'"'s running system: / (sda)" &&
		has_line "$(sed -n "/^== add 0000:00:07.0/,/^rc=/p" <<<"$G")" "^rc=1"'
tap_check "A: check fails the xHCI controller for the same reason" \
	has_line "$G" "^\[FAIL\] device 0000:00:07.0: .*on the path to the host's running system: / \(sda\)"
tap_check "A: add gives the binder's verdict on the GPU alone: its audio would get snd_hda_intel" \
	has_line "$G" "the binder would refuse 0000:00:05.0 at boot: IOMMU group .* would get snd_hda_intel"
tap_check "A: vfio-early-image-facts on the live guest records the xHCI controller" \
	has_line "$(vfe_section "$A" test)" '^protect bdf=0000:00:07.0 what="/ \(sda\)"$'
tap_check "A: recovery: the real root gave the audio function snd_hda_intel, the GPUs bochs-drm" \
	eval 'is_driver "$A" $AUDIO snd_hda_intel && is_driver "$A" $GPU bochs-drm && is_driver "$A" $BOOTVGA bochs-drm'

# The installed system the next images are built on: the guest's mounts,
# command line and block devices, replayed as a tree under $VFE_DEST (the
# hooks' VFIO_EARLY_ROOT), its disk where its device node would be, for libblkid.
replay() {
	local log=$1 r=$2 name dev path rel holder slave
	mkdir -p "$r/proc/self" "$r/sys/dev/block" "$r/sys/class/block" "$r/dev" || return 1
	vfe_section "$log" mountinfo >"$r/proc/self/mountinfo"
	vfe_section "$log" swaps >"$r/proc/swaps"
	vfe_section "$log" cmdline >"$r/proc/cmdline"
	while read -r name dev path; do
		[ "$name" = slave ] && continue
		rel=${path#/sys/}
		mkdir -p "$r/sys/$rel" && echo "$dev" >"$r/sys/$rel/dev" || return 1
		ln -sfn "../../$rel" "$r/sys/dev/block/$dev" && ln -sfn "../../$rel" "$r/sys/class/block/$name" || return 1
	done < <(vfe_section "$log" blockdevs)
	while read -r _ holder slave; do
		mkdir -p "$r/sys/class/block/$holder/slaves" &&
			ln -sfn "$(readlink -f "$r/sys/class/block/$slave")" "$r/sys/class/block/$holder/slaves/$slave"
	done < <(vfe_section "$log" blockdevs | grep '^slave ')
	ln -sfn "$T/root.img" "$r/dev/sda"
}
replay "$A" "$VFE_DEST" || tap_bail "replay the guest's mounts and block devices"
tap_check "A: the guest's root is on sda behind the xHCI controller" \
	has_line "$(vfe_section "$A" blockdevs)" '^sda 8:0 /sys/devices/pci0000:00/0000:00:07.0/usb'

# ------------------------------------------------------------------ B: initramfs-tools, MODULES=most

t0=$SECONDS
vfe_mkinitramfs "$T/it" "$T/initrd-b" || tap_bail "mkinitramfs (MODULES=most)" "$T/initrd-b.log"
tap_ok "mkinitramfs MODULES=most builds the image with the guest's facts ($((SECONDS - t0)) s)"
vfe_unpack "$T/initrd-b" "$T/xb" || tap_bail "unmkinitramfs"
X=$T/xb
[ -d "$X/main" ] && X=$X/main
tap_check "B: the image has no GPU or sound driver (bochs, snd-hda-intel), but xHCI and USB storage" \
	test -z "$(find "$X" -name 'bochs.ko*' -o -name 'snd-hda-intel.ko*')" \
	-a -n "$(find "$X" -name 'xhci-pci.ko*')" -a -n "$(find "$X" -name 'usb-storage.ko*')"
tap_check "B: the image's own alias index knows no driver for the HDMI audio function" \
	eval '! grep -q snd_hda_intel "$X"/lib/modules/*/modules.alias'
tap_check "B: the image carries the leftover ids= and the installed system's facts" \
	test -f "$X/etc/modprobe.d/vfio.conf" -a -s "$X/usr/lib/vfio-early/host/modules.alias.bin" \
	-a -f "$X/usr/lib/vfio-early/host/protected"
tap_check "B: the hook's record of the replayed system is the live guest's own" \
	eval 'diff <(grep ^protect "$X/usr/lib/vfio-early/host/protected") <(vfe_section "$A" test | grep ^protect)'

# the four cases, on one passthrough boot's log
guard_checks() {
	local f=$1 P=$2
	local st
	st=$(vfe_section "$P" status-file)
	tap_check "($f) (i) the GPU alone is refused: its audio would get snd_hda_intel from the installed system" \
		has_line "$(vfe_status_dev "$P" $GPU)" "action=refused .*half-bound: $AUDIO \(8086:293e\) is not listed and would get snd_hda_intel from the installed system"
	tap_check "($f) (i) ... as the live system's add said in boot A, word for word" \
		has_text "$G" "the binder would refuse $GPU at boot: $(vfe_status_dev "$P" $GPU | sed -n 's/.* reason="\(.*\)"$/\1/p')"
	tap_check "($f) (i) ... and the real root did give the audio function snd_hda_intel" is_driver "$P" $AUDIO snd_hda_intel
	tap_check "($f) (ii) the listed card $CARD is bound to vfio-pci" \
		eval 'is_driver "$P" $CARD vfio-pci && has_line "$(vfe_status_dev "$P" $CARD)" " action=bound "'
	tap_check "($f) (ii) the boot VGA (1234:1111, the leftover ids=) keeps bochs-drm" is_driver "$P" $BOOTVGA bochs-drm
	tap_check "($f) (ii) vfio-pci took nothing unasked as it loaded" no_text "$st" "vfio-pci took"
	tap_check "($f) (iii) the xHCI controller holding / is refused, naming the mount" \
		has_line "$(vfe_status_dev "$P" $XHCI)" "action=refused .*on the path to the host's running system: / \(sda\)"
	tap_check "($f) (iii) ... and keeps xhci_hcd" is_driver "$P" $XHCI xhci_hcd
	tap_check "($f) (iv) the pinned group with a member add did not record is refused, naming it" \
		has_line "$(vfe_status_dev "$P" $VGPU)" "action=refused .*IOMMU group [0-9]+ changed since 'vfio-early add --group' recorded it: $NIC \(8086:100e\) was not in it"
	tap_check "($f) (iv) ... nothing of it was bound: the NIC on e1000, the display on virtio-pci" \
		eval 'is_driver "$P" $NIC e1000 && is_driver "$P" $VGPU virtio-pci && no_text "$(vfe_status_dev "$P" $NIC)" "action=bound"'
	tap_check "($f) the binder complained of no missing fact" no_text "$st" "the initramfs has no"
}

B=$T/b.log
gboot "B (initramfs-tools, MODULES=most)" "$T/initrd-b" "$B"
guard_checks initramfs-tools "$B"

# ------------------------------------------------------------------ C: dracut, generic

t0=$SECONDS
if ! vfe_dracut_fetch; then
	tap_skip "the Debian dracut packages are available" "$VFE_DRACUT_WHY"
	tap_done
	exit 0
fi
# a generic image as dracut makes it: kernel-modules chooses the drivers; the host's modprobe.d goes in
if VFE_DRACUT_DRIVERS='' vfe_build_dracut_initrd "$T/initrd-c" systemd --add vfio-early \
	--include "$T/leftover.conf" /etc/modprobe.d/vfio.conf; then
	tap_ok "dracut builds the generic systemd image ($((SECONDS - t0)) s)"
else
	tap_bail "dracut builds the generic systemd image" "$T/initrd-c.log"
fi
vfe_dracut_unpack "$T/initrd-c" "$T/xc" || tap_bail "unpack the dracut image"
tap_check "C: no GPU or sound driver in the dracut image; the leftover and the facts are there" \
	test -z "$(find "$T/xc" -name 'bochs.ko*' -o -name 'snd-hda-intel.ko*')" -a -f "$T/xc/etc/modprobe.d/vfio.conf" \
	-a -s "$T/xc/usr/lib/vfio-early/host/modules.alias.bin" -a -n "$(grep '^protect bdf=0000:00:07.0' \
	"$T/xc/usr/lib/vfio-early/host/protected")"
C_LOG=$T/c.log
gboot "C (dracut, systemd, generic)" "$T/initrd-c" "$C_LOG"
guard_checks dracut "$C_LOG"

tap_done
