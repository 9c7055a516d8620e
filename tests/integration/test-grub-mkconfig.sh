#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recovery/grub.d/42_vfio-early under the real grub-mkconfig (Debian's 00_header and
# 10_linux) on a fake root (tests/boot/lib-grub.sh; needs root for unshare -m):
# nothing without the drop-in, our entries with it, kernel upgrades and removals,
# GRUB_DISABLE_SUBMENU, the shared command-line helper, and the C parser reading
# the result. Prints TAP; a few seconds per grub-mkconfig run.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/boot/lib-grub.sh
if [ "$(id -u)" != 0 ] || ! command -v grub-mkconfig >/dev/null || ! command -v unshare >/dev/null; then
	tap_skip_all "needs root, grub-mkconfig (grub-common) and unshare"
fi
TAP_DIAG=$T/log
R=$T/root CFG=$T/root/boot/grub/grub.cfg
kernel() { echo k >"$R/boot/vmlinuz-$1"; echo i >"$R/boot/initrd.img-$1"; }
mk() { grub_mkconfig_fakeroot "$R" /dev/vda 1234-abcd "$CFG" >"$T/log" 2>&1; }
# block ID: the lines of the menuentry with that id, up to its closing brace
block() { awk -v id="'$1'" 'index($0, id) && /menuentry/ { on = 1 } on { print } on && /^[[:space:]]*}$/ { exit }' "$CFG"; }

grub_fakeroot_tree "$R"
kernel 6.1.0-50-amd64
kernel 6.1.0-56-amd64
# Debian's own /etc/default/grub (grub2-common), and a user drop-in for the serial console
if [ -r /usr/share/grub/default/grub ]; then
	cp /usr/share/grub/default/grub "$R/etc/default/grub"
else
	printf 'GRUB_DEFAULT=0\nGRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' \
		>"$R/etc/default/grub"
fi
echo 'GRUB_CMDLINE_LINUX="console=ttyS0"' >"$R/etc/default/grub.d/10-serial.cfg"

mk
tap_check "without the drop-in: grub-mkconfig succeeds, no entry of ours" eval '[ -s "$CFG" ] && ! grep -q vfio-early-nopt "$CFG"'

printf 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt"\n' \
	>"$R/etc/default/grub.d/vfio-early.cfg"
mk
tap_check "with the drop-in: grub-mkconfig (and grub-script-check) succeed" test -s "$CFG"
tap_check "top-level entry boots the newest kernel with vfio_early=off" \
	eval 'block vfio-early-nopt | grep -q "linux.*vmlinuz-6.1.0-56-amd64 root=/dev/vda ro .*vfio_early=off"'
tap_check "the distribution's entry keeps the passthrough parameters" \
	eval 'block gnulinux-simple-1234-abcd | grep -q "intel_iommu=on iommu=pt" &&
	      ! block gnulinux-simple-1234-abcd | grep -q vfio_early'
tap_check "our entry = the default entry but for title, id and the linux line" \
	eval 'diff <(block gnulinux-simple-1234-abcd | grep -v -e menuentry -e "linux	") \
	           <(block vfio-early-nopt | grep -v -e menuentry -e "linux	")'
tap_check "one entry per kernel in our submenu" \
	eval 'grep -q "submenu .*(no GPU passthrough).*'"'"'vfio-early-advanced'"'"'" "$CFG" &&
	      block vfio-early-nopt-6.1.0-50-amd64 | grep -q "vmlinuz-6.1.0-50-amd64 .*vfio_early=off"'
tap_check "the distribution's recovery entries are left alone" \
	eval '[ "$(grep -c "(recovery mode)" "$CFG")" = 2 ]'
tap_check "the menu --next hook is there" grep -q 'if \[ "${vfio_early_menu}" = 1 \]' "$CFG"

kernel 6.1.0-60-amd64
mk
tap_check "kernel upgrade: the same id now boots the new kernel" \
	eval 'block vfio-early-nopt | grep -q "vmlinuz-6.1.0-60-amd64 "'
rm -f "$R/boot/vmlinuz-6.1.0-50-amd64" "$R/boot/initrd.img-6.1.0-50-amd64"
mk
tap_check "kernel removal: its entry is gone, the others stay" \
	eval '! grep -q vfio-early-nopt-6.1.0-50-amd64 "$CFG" && grep -q vfio-early-nopt-6.1.0-56-amd64 "$CFG"'

"$B/vfio-early" --root="$R" boot show >"$T/log" 2>&1
tap_check "the C parser reads the generated ids (submenu>entry)" \
	grep -q '\[vfio-early-advanced>vfio-early-nopt-6.1.0-60-amd64\]' "$T/log"

# the shared transform: a stand-in for 'vfio-early boot recovery-cmdline -- ARGS'
cat >"$T/helper" <<'H'
#!/bin/sh
[ "$1 $2 $3" = "boot recovery-cmdline --" ] && [ $# = 4 ] || exit 2
out=
for w in $4; do case $w in intel_iommu=*|iommu=*) ;; *) out="$out $w" ;; esac; done
echo "${out# } vfio_early=off"
H
chmod 755 "$T/helper"
VFIO_EARLY_CLI=$T/helper mk
tap_check "with the helper: its command line, passthrough parameters gone" \
	eval 'block vfio-early-nopt | grep -Eq "linux	/boot/vmlinuz-6.1.0-60-amd64 root=/dev/vda ro console=ttyS0 quiet vfio_early=off$"'

echo GRUB_DISABLE_SUBMENU=y >>"$R/etc/default/grub"
mk
tap_check "GRUB_DISABLE_SUBMENU=y: still a top-level vfio-early-nopt" \
	eval 'block vfio-early-nopt | grep -q "vmlinuz-6.1.0-60-amd64 .*vfio_early=off"'

rm "$R/etc/default/grub.d/vfio-early.cfg"
mk
tap_check "after boot remove: the entries are gone" eval '! grep -q vfio-early-nopt "$CFG"'

tap_done
