#!/bin/bash
# The binder in a real initramfs (called by tests/bench/run.sh; B as there):
#
# 1. Footprint: the same mkinitramfs CONFDIR (a copy of /etc/initramfs-tools,
#    MODULES=list plus the test machine's root disk modules, see
#    tests/boot/lib.sh) with and without our hook and a one-line config; the
#    compressed and unpacked sizes, and every file the hook adds.
#    MODULES=list keeps each build near 15 s; the host's MODULES=most takes
#    minutes and grows both images alike, so the difference is the same.
# 2. Boot: the QEMU test machine of tests/boot/lib.sh (TCG), the real Debian
#    kernel, booted twice:
#      vfio-early  our image, "device 0000:00:05.0 id=1234:1111 group=whole"
#      ids=        an image without our hook but with vfio_pci listed in its
#                  modules file, and vfio-pci.ids=1234:1111,8086:293e
#    and, from the kernel log (printk timestamps, same clock as the status
#    record's CLOCK_MONOTONIC microseconds): when /init started, when the
#    vfio modules came in, when the last device was bound.
#    Neither image holds the native drivers of the test devices (bochs,
#    snd_hda_intel): with them, udev would win the race against
#    vfio-pci.ids= (the reason vfio-early exists), and the ids= boot would
#    bind nothing to time.
# VFE_BENCH_BOOT_QEMU=0 skips part 2.
set -u
# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/../boot/lib.sh"

echo "== Footprint in a real initramfs (mkinitramfs, kernel $(uname -r) host)"
vfe_setup # exits 0 with a "SKIP" line when a tool is missing
echo "   kernel for the image: $VFE_KVER"
VFE_TEST_MODULES="virtio_pci virtio_blk ext4"
mkdir -p "$VFE_DEST/etc"
echo "device 0000:00:05.0 id=1234:1111 group=whole" >"$VFE_DEST/etc/vfio-early.conf"
vfe_dest_root_on_vda

vfe_it_confdir "$T/with" || tap_bail "initramfs-tools CONFDIR"
cp -a "$T/with" "$T/without"
rm -f "$T/without/hooks/vfio-early" "$T/without/scripts/init-top/00_vfio_early"
cp -a "$T/without" "$T/ids"
printf 'vfio_pci\nvfio_iommu_type1\n' >>"$T/ids/modules"

for v in with without; do
	vfe_mkinitramfs "$T/$v" "$T/$v.img" || tap_bail "mkinitramfs ($v our hook)" "$T/$v.img.log"
	vfe_unpack "$T/$v.img" "$T/$v.x" || tap_bail "unmkinitramfs $v"
done

bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
cw=$(stat -c %s "$T/with.img") co=$(stat -c %s "$T/without.img")
uw=$(bytes "$T/with.x") uo=$(bytes "$T/without.x")
printf '   %-26s %14s %14s %16s\n' "" "without hook" "with hook" "added"
printf '   %-26s %14s %14s %16s\n' "image (zstd, as on /boot)" "$co" "$cw" "$((cw - co)) ($(kib $((cw - co))))"
printf '   %-26s %14s %14s %16s\n' "unpacked (sum of files)" "$uo" "$uw" "$((uw - uo)) ($(kib $((uw - uo))))"

# every file only in the image with our hook (paths without the main/ of an early-microcode image)
files() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./main/|./|' | sort); }
comm -13 <(files "$T/without.x") <(files "$T/with.x") >"$T/added"
echo "   files the hook adds (bytes; a symlink shows its target):"
while read -r f; do
	p=$T/with.x/$f
	[ -e "$p" ] || [ -L "$p" ] || p=$T/with.x/main/$f
	if [ -L "$p" ]; then
		printf '     %10s  %s -> %s\n' "" "${f#./}" "$(readlink "$p")"
	else
		printf '     %10s  %s\n' "$(stat -c %s "$p")" "${f#./}"
	fi
done <"$T/added"
# ldd names /lib/...; on a merged-/usr system the image holds them under usr/lib/...
echo "   shared libraries of the binder (ldd, then the one it dlopens and that one's own) and whether the image"
echo "   without our hook had them already:"
bin=$VFE_DEST/usr/libexec/vfio-early/vfio-early-bind
files "$T/with.x" >"$T/with.files"
dl=$("$bin" --print-dlopen 2>/dev/null)
for lib in $({ ldd "$bin"; [ -n "$dl" ] && echo "$dl" && ldd "$dl"; } 2>/dev/null | grep -o '/[^ ]*' | awk '!seen[$0]++'); do
	state="not in the image"
	for p in ".$lib" "./usr$lib"; do
		grep -qxF "$p" "$T/with.files" && state="already there"
		grep -qxF "$p" "$T/added" && state="ADDED by our hook"
	done
	printf '     %10s  %-40s %s\n' "$(stat -L -c %s "$lib")" "$lib" "$state"
done
cp "$bin" "$T/stripped" && strip "$T/stripped"
echo "   the binder: $(stat -c %s "$bin") bytes as make install puts it (install -s), $(stat -c %s "$T/stripped") stripped;" \
	"$(size "$T/stripped" | awk 'NR == 2 { print "text " $1 ", data " $2 ", bss " $3 }')"

[ "${VFE_BENCH_BOOT_QEMU:-1}" = 1 ] || exit 0

# ---------------------------------------------------------------- boots

echo
echo "== Boot (QEMU q35 + intel-iommu, TCG: every time below is an emulated machine's, several times slower than hardware)"
vfe_mkinitramfs "$T/ids" "$T/ids.img" || tap_bail "mkinitramfs (vfio-pci.ids=)" "$T/ids.img.log"
vfe_mkrootfs "$T/root.img" || tap_bail "root file system image" "$T/mke2fs.log"
vfe_boot "$T/with.img" "$T/root.img" "$T/vfe.log" "" || echo "   (the vfio-early boot did not finish; see below)"
vfe_boot "$T/ids.img" "$T/root.img" "$T/ids.log" "vfio-pci.ids=1234:1111,8086:293e" ||
	echo "   (the vfio-pci.ids= boot did not finish; see below)"

# ts LOG REGEX [last]: the printk timestamp (seconds) of the first (or last) matching kernel log line
ts() {
	vfe_section "$1" dmesg | grep -E -- "$2" | { if [ "${3:-}" = last ]; then tail -n 1; else head -n 1; fi; } |
		sed -nE 's/^\[ *([0-9.]+)\].*/\1/p'
}
boot_line() { vfe_section "$T/vfe.log" status-file | grep '^boot '; }
field() { boot_line | tr ' ' '\n' | sed -n "s/^$1=//p"; }
d_ms() { # FROM TO (seconds) -> milliseconds
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }' || echo "-"
}

V_INIT=$(ts "$T/vfe.log" 'Run /init as init process')
V_VFIO=$(ts "$T/vfe.log" 'VFIO - User Level meta-driver')
V_LAST=$(ts "$T/vfe.log" 'vfio-early: .*: bound to vfio-pci' last)
I_INIT=$(ts "$T/ids.log" 'Run /init as init process')
I_VFIO=$(ts "$T/ids.log" 'VFIO - User Level meta-driver')
I_LAST=$(ts "$T/ids.log" 'vfio_pci: add \[' last)

printf '   %-22s %10s %12s %12s %14s %16s %14s\n' "boot" "/init at s" "vfio init s" "last bind s" \
	"/init->bind ms" "vfio init->bind" "05.0 / 05.1"
printf '   %-22s %10s %12s %12s %14s %16s %14s\n' "vfio-early binder" "${V_INIT:--}" "${V_VFIO:--}" "${V_LAST:--}" \
	"$(d_ms "$V_INIT" "$V_LAST")" "$(d_ms "$V_VFIO" "$V_LAST") ms" \
	"$(vfe_driver "$T/vfe.log" 0000:00:05.0)/$(vfe_driver "$T/vfe.log" 0000:00:05.1)"
printf '   %-22s %10s %12s %12s %14s %16s %14s\n' "vfio-pci.ids= alone" "${I_INIT:--}" "${I_VFIO:--}" "${I_LAST:--}" \
	"$(d_ms "$I_INIT" "$I_LAST")" "$(d_ms "$I_VFIO" "$I_LAST") ms" \
	"$(vfe_driver "$T/ids.log" 0000:00:05.0)/$(vfe_driver "$T/ids.log" 0000:00:05.1)"
echo "   the binder's status record (CLOCK_MONOTONIC): elapsed_us=$(field elapsed_us) (its start to its end, every" \
	"bind included: loading vfio-pci with libkmod, the scan, the binds, the record) cpu_us=$(field cpu_us)" \
	"(user+sys of the whole process, dynamic loading and the kernel's module init included)"
echo "   (printk timestamps and CLOCK_MONOTONIC drift apart under TCG: durations are taken within one clock)"
echo "   the boot VGA 0000:00:01.0 (also 1234:1111): with vfio-pci.ids= on $(vfe_driver "$T/ids.log" 0000:00:01.0)," \
	"with vfio-early on '$(vfe_driver "$T/vfe.log" 0000:00:01.0)' ('-': no driver; bochs is not in these images)"
exit 0
