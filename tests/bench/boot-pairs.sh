#!/bin/bash
# tests/bench/boot-pairs.sh OTHER_TREE [PAIRS]: the QEMU boot of
# tests/bench/initramfs.sh, for this tree's binder and OTHER_TREE's (another
# checkout, already built with 'make all'), in PAIRS pairs (default 12).
#
# One boot per image says little on a shared host: the same image's /init ->
# last bind varies several-fold from boot to boot. Here both images are
# built once, on the same root file system, and booted in turn, the order
# within a pair alternating; the summary gives each image's medians and the
# median of the per-pair ratios (this tree / OTHER_TREE), with quartiles.
# About 40 s per pair under TCG. B as in the boot tests.
set -u
OTHER=${1:?usage: tests/bench/boot-pairs.sh OTHER_TREE [PAIRS]}
N=${2:-12}
OTHER=$(cd "$OTHER" && pwd) || exit 2
# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/../boot/lib.sh"
vfe_setup # exits 0 with a "SKIP" line when a tool is missing
VFE_TEST_MODULES="virtio_pci virtio_blk ext4"
THIS=$VFE_DEST THAT=$T/other-dest
make -s -C "$OTHER" DESTDIR="$THAT" install >"$T/other-install.log" 2>&1 || tap_bail "make install of $OTHER" "$T/other-install.log"
for d in "$THIS" "$THAT"; do
	mkdir -p "$d/etc"
	echo "device 0000:00:05.0 id=1234:1111 group=whole" >"$d/etc/vfio-early.conf"
	VFE_DEST=$d vfe_dest_root_on_vda # an older hook ignores it
done
for v in that this; do
	if [ "$v" = that ]; then VFE_DEST=$THAT; else VFE_DEST=$THIS; fi
	if ! { vfe_it_confdir "$T/c-$v" && vfe_mkinitramfs "$T/c-$v" "$T/$v.img"; }; then
		tap_bail "mkinitramfs ($v)" "$T/$v.img.log"
	fi
done
vfe_mkrootfs "$T/root.img" || tap_bail "root file system image" "$T/mke2fs.log"

# ts LOG REGEX [last]: the printk timestamp (seconds) of the first (or last) matching kernel log line
ts() {
	vfe_section "$1" dmesg | grep -E -- "$2" | { if [ "${3:-}" = last ]; then tail -n 1; else head -n 1; fi; } |
		sed -nE 's/^\[ *([0-9.]+)\].*/\1/p'
}
echo "== Boots in pairs: this tree ($VFE_TOP) and $OTHER, kernel $VFE_KVER, TCG"
R=$T/results
: >"$R"
for i in $(seq 1 "$N"); do
	order="this that"
	[ $((i % 2)) = 0 ] && order="that this"
	for v in $order; do
		l=$T/$v-$i.log
		vfe_boot "$T/$v.img" "$T/root.img" "$l" "" || { echo "   $v $i: the boot did not finish"; continue; }
		a=$(ts "$l" 'Run /init as init process') b=$(ts "$l" 'VFIO - User Level meta-driver')
		c=$(ts "$l" 'vfio-early: .*: bound to vfio-pci' last)
		rec=$(vfe_section "$l" status-file | grep '^boot ')
		line="$v $i $(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { if (a == "" || c == "") print "- -"; else printf "%.1f %.1f", (c - a) * 1000, (c - b) * 1000 }')"
		line="$line $(echo "$rec" | sed -n 's/.* elapsed_us=\([0-9]*\).* cpu_us=\([0-9]*\).*/\1 \2/p')"
		# when the binder ended, i.e. when /init could go on: its record's CLOCK_MONOTONIC
		# finished_us against the printk clock of /init (both count from boot). The "last
		# bind" line is a weaker mark since the kernel-log lines are packed and written at
		# the end of the run (common/kmsg.h): it is when the line was written, not the bind.
		f=$(echo "$rec" | sed -n 's/.* finished_us=\([0-9]*\).*/\1/p')
		line="$line $(awk -v a="$a" -v f="$f" 'BEGIN { if (a == "" || f == "") print "-"; else printf "%.1f", f / 1000 - a * 1000 }')"
		echo "$line" >>"$R"
		echo "   $line"
	done
done
# columns: image pair init->bind_ms vfio->bind_ms elapsed_us cpu_us init->end_ms
echo "   (image pair /init->bind_ms vfio-init->bind_ms elapsed_us cpu_us /init->binder-end_ms)"
summary() { # COLUMN NAME
	awk -v k="$1" -v name="$2" '
		function sort(v, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t } }
		function q(v, n, p) { return v[int(p * (n - 1) + 1.5)] }
		$k != "-" && $k != "" { x[$1, $2] = $k }
		END {
			for (key in x) { split(key, f, SUBSEP); if (f[1] == "this" && (("that", f[2]) in x)) {
				np++; a[np] = x["this", f[2]]; b[np] = x["that", f[2]]; r[np] = x["this", f[2]] / x["that", f[2]] } }
			if (!np) { print "   " name ": no pair"; exit }
			sort(a, np); sort(b, np); sort(r, np)
			printf "   %-22s this %9.1f  other %9.1f  this/other %.2fx (p25-p75 %.2f-%.2f), %d pairs\n", name,
				q(a, np, 0.5), q(b, np, 0.5), q(r, np, 0.5), q(r, np, 0.25), q(r, np, 0.75), np
		}' "$R"
}
echo "== Medians, and the median of the per-pair ratios"
summary 3 "/init -> last bind ms"
summary 4 "vfio init -> bind ms"
summary 5 "binder elapsed_us"
summary 6 "binder cpu_us"
summary 7 "/init -> binder end ms"
