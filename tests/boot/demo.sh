#!/bin/bash
# make demo: builds a real initramfs with vfio-early in it (Debian kernel,
# mkinitramfs, our installed hook) and boots the same QEMU machine twice:
# a passthrough boot, then a recovery boot with vfio_early=off. Prints what
# the guest saw each time. About a minute under TCG.
set -u
. "$(dirname "$0")/lib.sh"

say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }

vfe_setup
mkdir -p "$VFE_DEST/etc"
vfe_dest_root_on_vda
cat >"$VFE_DEST/etc/vfio-early.conf" <<'EOF'
# The "GPU" to pass through: the second of two identical 1234:1111 cards,
# with its HDMI-audio function (same IOMMU group).
device 0000:00:05.0 id=1234:1111 group=whole
# A GPU whose IOMMU group it shares with a network card: refused.
device 0000:01:01.0
EOF

say "vfio-early demo: kernel $VFE_KVER, QEMU q35 + emulated VT-d (TCG)"
say
say "The machine:"
say "  00:01.0  VGA 1234:1111 (the boot VGA, the host's display)"
say "  00:05.0  bochs-display 1234:1111 + 00:05.1 HD audio: the card to pass through"
say "  01:01.0  virtio-gpu + 01:02.0 e1000, behind one PCI bridge (one IOMMU group)"
say
say "/etc/vfio-early.conf:"
indent <"$VFE_DEST/etc/vfio-early.conf"
say

say "Building the initramfs with the real mkinitramfs and the vfio-early hook..."
vfe_it_confdir "$T/it" || { say "cannot prepare the initramfs-tools config"; exit 1; }
vfe_mkinitramfs "$T/it" "$T/initrd" || { tail -n 20 "$T/initrd.log"; exit 1; }
vfe_mkrootfs "$T/root.img" || { cat "$T/mke2fs.log"; exit 1; }
say "  $(du -h "$T/initrd" | cut -f1) image; init-top order: $(vfe_unpack "$T/initrd" "$T/x" &&
	grep -ho '^/scripts/init-top/[^ ]*' "$T"/x/scripts/init-top/ORDER "$T"/x/main/scripts/init-top/ORDER 2>/dev/null |
	sed 's|.*/||' | tr '\n' ' ')"
say

# summary TITLE LOG: what one boot left behind
summary() {
	local log=$2 bdf
	say "== $1"
	say "  kernel command line: $(vfe_section "$log" cmdline)"
	say
	say "  vfio-early status (run inside the guest):"
	vfe_section "$log" status | grep -v '^rc=' | indent | sed 's/^/  /'
	say
	say "  Drivers at the end of the boot:"
	for bdf in 0000:00:01.0 0000:00:05.0 0000:00:05.1 0000:01:01.0 0000:01:02.0; do
		printf '      %s  %s\n' "$bdf" "$(vfe_driver "$log" "$bdf")"
	done
	say
	say "  Kernel log, vfio-early and the native drivers on 00:05.x:"
	vfe_section "$log" dmesg | grep -E 'vfio-early|(bochs-drm|snd_hda_intel) 0000:00:05|bochs-drm .* for 0000:00:05' |
		indent | sed 's/^/  /'
	say
}

n=0
for mode in passthrough recovery; do
	n=$((n + 1))
	extra=
	[ $mode = recovery ] && extra=vfio_early=off
	t0=$SECONDS
	say "Boot $n ($mode${extra:+, $extra})..."
	if ! vfe_boot "$T/initrd" "$T/root.img" "$T/$mode.log" "$extra"; then
		say "  the guest did not finish; the end of its console:"
		tail -n 30 "$T/$mode.log" | indent
		exit 1
	fi
	summary "Boot $n: $mode, $((SECONDS - t0)) s" "$T/$mode.log"
done
