#!/bin/bash
# vfio-early check on the shared fake machine, made to look like a good host
# (CPU flags, kernel modules, an initramfs built like update-initramfs does:
# an uncompressed microcode cpio + a zstd cpio), then broken one item at a
# time. Also: check changes no file. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/out TAP_DIAG_LINES=30
R=$T/root
REL=6.1.0-99-amd64

ve() { "$B/vfio-early" --root="$R" "$@" >"$T/out" 2>&1; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
line() { grep -- "$1" "$T/out" | head -1; }
# result ID: the result of one check in the JSON output
result() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(" ".join(c["result"] for c in d["checks"] if c["id"]==sys.argv[2]))' "$T/out" "$1"; }

# build_image COMPRESSOR: boot/initrd.img-$REL from $T/img (microcode cpio first, uncompressed)
build_image() {
	mkdir -p "$T/ucode/kernel/x86/microcode"
	echo ucode >"$T/ucode/kernel/x86/microcode/GenuineIntel.bin"
	(cd "$T/ucode" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$R/boot/initrd.img-$REL"
	(cd "$T/img" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | $1 -c) >>"$R/boot/initrd.img-$REL"
}

"$B/tools/fake-machine" "$R" || { echo "not ok 1 - fake machine"; exit 1; }
mkdir -p "$R/proc/sys/kernel" "$R/lib/modules/$REL" "$R/boot" "$R/usr/sbin" "$R/usr/share/OVMF" \
	"$R/sys/firmware/efi/efivars"
echo "$REL" >"$R/proc/sys/kernel/osrelease"
printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme vmx sse2\n\n' >"$R/proc/cpuinfo"
echo "BOOT_IMAGE=/vmlinuz-$REL root=/dev/sda1 ro quiet intel_iommu=on iommu=pt" >"$R/proc/cmdline"
cat >"$R/lib/modules/$REL/modules.dep" <<DEP
kernel/drivers/vfio/vfio.ko:
kernel/drivers/vfio/vfio_iommu_type1.ko: kernel/drivers/vfio/vfio.ko
kernel/drivers/vfio/pci/vfio-pci-core.ko: kernel/drivers/vfio/vfio.ko
kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/vfio.ko
DEP
: >"$R/usr/sbin/update-initramfs"
: >"$R/usr/share/OVMF/OVMF_CODE_4M.fd"
printf '\x06\x00\x00\x00\x01' >"$R/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
printf '00000000-00000fff : Reserved\nc0000000-c0ffffff : PCI Bus 0000:00\n  c0000000-c02fffff : BOOTFB\n' >"$R/proc/iomem"
# the boot VGA holds the framebuffer; the target's BAR lies elsewhere
printf '0x00000000c0000000 0x00000000c0ffffff 0x0000000000040200\n' >"$R/sys/bus/pci/devices/0000:00:01.0/resource"
printf '0x00000000d0000000 0x00000000d0ffffff 0x0000000000040200\n0x0 0x0 0x0\n' \
	>"$R/sys/bus/pci/devices/0000:00:05.0/resource"
echo 'device 0000:00:05.0 id=1234:1111 group=whole' >"$R/etc/vfio-early.conf"

mkdir -p "$T/img/usr/libexec/vfio-early" "$T/img/etc" "$T/img/scripts/init-top" \
	"$T/img/lib/modules/$REL/kernel/drivers/vfio/pci"
cp "$B/vfio-early-bind" "$T/img/usr/libexec/vfio-early/"
cp "$R/etc/vfio-early.conf" "$T/img/etc/"
: >"$T/img/scripts/init-top/00_vfio_early"
: >"$T/img/lib/modules/$REL/kernel/drivers/vfio/pci/vfio-pci.ko"
build_image zstd

(cd "$R" && find . -type f -exec md5sum {} + | sort) >"$T/before"
ve check
check "a good host: exit 0, nothing failed" test "$(rc)" = 0 -a -n "$(grep ', 0 failed,' "$T/out")"
check "... the zstd initramfs after a microcode cpio is read" grep -q 'ok.*initramfs.*zstd' "$T/out"
check "... the device, its group and the host display pass" \
	test -n "$(line '\[ ok \] device 0000:00:05.1')" -a -n "$(line 'host keeps 0000:00:01.0')"
check "... Secure Boot state is read from efivarfs" grep -q 'Secure Boot: enabled' "$T/out"
(cd "$R" && find . -type f -exec md5sum {} + | sort) >"$T/after"
check "check changes no file" cmp -s "$T/before" "$T/after"
ve check --json
check "--json is valid JSON with a summary" python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["summary"]["fail"]==0 and len(d["checks"])>10' "$T/out"

build_image gzip
ve check --json
check "a gzip initramfs is read too" test "$(result initramfs)" = pass

echo 'device 0000:00:05.0 id=1234:1111 group=whole allow-boot-vga' >"$R/etc/vfio-early.conf"
ve check --json
check "a config changed since the image was built fails, exit 1" test "$(result initramfs)" = fail -a "$(rc)" = 1
cp "$R/etc/vfio-early.conf" "$T/img/etc/"
mkdir -p "$T/img/etc/vfio-early.d"
echo 'device 0000:01:01.0' >"$T/img/etc/vfio-early.d/old.conf"
build_image zstd
ve check
check "a drop-in still in the image but gone from disk fails" grep -q 'old.conf is in the image but no longer on disk' "$T/out"
rm -r "$T/img/etc/vfio-early.d"
mv "$R/etc/vfio-early.conf" "$T/saved.conf"
ve check --json
check "no config on disk but one in the image fails (the next boot binds by it)" test "$(result initramfs)" = fail
mv "$T/saved.conf" "$R/etc/vfio-early.conf"
rm "$T/img/usr/libexec/vfio-early/vfio-early-bind"
build_image zstd
ve check
check "an image without the binder fails and says to rebuild" \
	grep -q "update-initramfs -u -k $REL" "$T/out"
cp "$B/vfio-early-bind" "$T/img/usr/libexec/vfio-early/"
rm "$T/img/lib/modules/$REL/kernel/drivers/vfio/pci/vfio-pci.ko"
build_image zstd
ve check
check "an image without vfio-pci.ko fails" grep -q 'not the vfio-pci module' "$T/out"
echo "kernel/drivers/vfio/pci/vfio-pci.ko" >"$R/lib/modules/$REL/modules.builtin"
ve check --json
check "... unless vfio-pci is built in" test "$(result initramfs)" = pass
# dracut instead of initramfs-tools: another image name, the binder started by a cmdline hook
rm "$R/usr/sbin/update-initramfs" "$T/img/scripts/init-top/00_vfio_early"
mkdir -p "$R/usr/bin" "$T/img/var/lib/dracut/hooks/pre-udev" "$T/img/var/lib/dracut/hooks/cmdline"
: >"$R/usr/bin/dracut"
build_image zstd
mv "$R/boot/initrd.img-$REL" "$R/boot/initramfs-$REL.img"
ve check --json
check "dracut: an image without the cmdline hook fails" test "$(result initramfs)" = fail
: >"$T/img/var/lib/dracut/hooks/pre-udev/00-vfio-early-pre-udev.sh"
build_image zstd
mv "$R/boot/initrd.img-$REL" "$R/boot/initramfs-$REL.img"
ve check --json
check "dracut: an older image with the pre-udev hook warns (rd.driver.pre loads before it)" \
	test "$(result initramfs)" = warn
rm "$T/img/var/lib/dracut/hooks/pre-udev/00-vfio-early-pre-udev.sh"
: >"$T/img/var/lib/dracut/hooks/cmdline/00-vfio-early-cmdline.sh"
build_image zstd
mv "$R/boot/initrd.img-$REL" "$R/boot/initramfs-$REL.img"
ve check
check "dracut: /boot/initramfs-REL.img with the hook passes" grep -q 'ok.*initramfs.*(dracut, zstd)' "$T/out"
rm "$R/boot/initramfs-$REL.img"
ve check --json
check "no initramfs for the running kernel fails" test "$(result initramfs)" = fail

printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse2\n' >"$R/proc/cpuinfo"
ve check --json
check "no vmx/svm fails" test "$(result cpu-virt)" = fail
echo "root=/dev/sda1 intel_iommu=off pcie_acs_override=downstream,multifunction vfio-pci.ids=1234:1111" \
	>"$R/proc/cmdline"
ve check --json
check "intel_iommu=off fails" test "$(result cmdline-iommu)" = fail
check "pcie_acs_override warns" test "$(result cmdline-acs-override)" = warn
check "vfio-pci.ids= on the command line warns" test "$(result cmdline-vfio-pci-ids)" = warn
check "no iommu=pt warns" test "$(result cmdline-iommu-pt)" = warn
rm -r "$R/lib/modules/$REL"
ve check --json
check "no modules for the running kernel fails" test "$(result vfio-modules)" = fail

printf '0x00000000c0000000 0x00000000c0ffffff 0x0000000000040200\n' >"$R/sys/bus/pci/devices/0000:00:05.0/resource"
ve check --json
check "a target inside the BOOTFB range fails" test "$(result framebuffer:0000:00:05.0)" = fail
sed -i 's/c0000000-c02fffff/00000000-00000000/' "$R/proc/iomem"
ve check --json
check "hidden /proc/iomem addresses (unprivileged) are not checked" test "$(result framebuffer)" = skip

mkdir -p "$R/etc/modprobe.d"
printf 'blacklist nouveau\nblacklist snd-hda-intel\noptions vfio-pci ids=1234:1111,8086:293e disable_vga=1\n' \
	>"$R/etc/modprobe.d/vfio.conf"
ve check
check "blacklisting snd_hda_intel warns about the host's sound" grep -q "host's own sound" "$T/out"
ve check --json
check "... with its own id" test "$(result modprobe-blacklist:snd_hda_intel)" = warn
ve check
check "ids= that also takes the boot VGA fails and names it" \
	grep -q 'also takes 0000:00:01.0 (the boot VGA)' "$T/out"

echo 'device 0000:00:05.0 id=10de:2684' >"$R/etc/vfio-early.conf"
ve check --json
check "a card swapped at the configured address fails" test "$(result device:0000:00:05.0)" = fail
echo 'device 0000:00:05.0' >"$R/etc/vfio-early.conf"
ln -s ../../drivers/snd_hda_intel "$R/sys/bus/pci/devices/0000:00:05.1/driver"
ve check --json
check "a half-bound group is refused through the plan's guard" test "$(result device:0000:00:05.0)" = fail
rm "$R/sys/bus/pci/devices/0000:00:05.1/driver"
printf 'device 0000:00:05.0 group=whole\nfrobnicate\n' >"$R/etc/vfio-early.conf"
ve check --json
check "a bad config line fails" test "$(result config)" = fail
ve check extra
check "an extra argument is a usage error" test "$(rc)" = 2

ve check --json
# the fake host has efivarfs, so only the firmware's Boot#### path is known: a second way back, its absence warns
check "no boot loader known: a missing firmware entry only warns" test "$(result recovery-entry:firmware)" = warn
mkdir -p "$R/etc/default"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$R/etc/default/grub"
ve check --json
check "GRUB without our recovery entry fails, through the backend's status()" test "$(result recovery-entry:grub)" = fail

echo "1..$n"
[ $failed = 0 ]
