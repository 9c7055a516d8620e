#!/bin/bash
# vfio-early check on the shared fake machine, made to look like a good host
# (CPU flags, kernel modules, an initramfs built like update-initramfs does:
# an uncompressed microcode cpio + a zstd cpio), then broken one item at a
# time. Also: check changes no file. Prints TAP.
set -u
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
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
# fix ID: the fix of one check in the JSON output
fix() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(" ".join(c["fix"] or "" for c in d["checks"] if c["id"]==sys.argv[2]))' "$T/out" "$1"; }
# every failure has a fix
fails_fixed() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
bad=[c["id"] for c in d["checks"] if c["result"]=="fail" and not c["fix"]]
assert not bad, bad' "$T/out"; }

# build_image COMPRESSOR: boot/initrd.img-$REL from $T/img (microcode cpio first, uncompressed)
build_image() {
	mkdir -p "$T/ucode/kernel/x86/microcode"
	echo ucode >"$T/ucode/kernel/x86/microcode/GenuineIntel.bin"
	(cd "$T/ucode" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$R/boot/initrd.img-$REL"
	(cd "$T/img" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | $1 -c) >>"$R/boot/initrd.img-$REL"
}

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
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
tap_check "a good host: exit 0, nothing failed" test "$(rc)" = 0 -a -n "$(grep ', 0 failed,' "$T/out")"
tap_check "... the zstd initramfs after a microcode cpio is read" grep -q 'ok.*initramfs.*zstd' "$T/out"
tap_check "... the device, its group and the host display pass" \
	test -n "$(line '\[ ok \] device 0000:00:05.1')" -a -n "$(line 'host keeps 0000:00:01.0')"
tap_check "... Secure Boot state is read from efivarfs" grep -q 'Secure Boot: enabled' "$T/out"
tap_check "... in words for the counts" grep -qE '^[0-9]+ passed, [0-9]+ warnings?, 0 failed, [0-9]+ not checked$' "$T/out"
(cd "$R" && find . -type f -exec md5sum {} + | sort) >"$T/after"
tap_check "check changes no file" cmp -s "$T/before" "$T/after"
ve check --json
tap_check "--json is valid JSON with a summary" python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["summary"]["fail"]==0 and len(d["checks"])>10' "$T/out"

build_image gzip
ve check --json
tap_check "a gzip initramfs is read too" test "$(result initramfs)" = pass
nwarn=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["warn"])' "$T/out")
mv "$R/usr/share/OVMF" "$T/ovmf"
ve check
tap_check "one warning more is counted in the singular or plural it needs" \
	grep -q ", $((nwarn + 1)) warning$([ "$nwarn" = 0 ] || echo s), 0 failed" "$T/out"
mv "$T/ovmf" "$R/usr/share/OVMF"
mv "$R/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c" "$T/sb"
rm -r "$R/sys/firmware/efi/efivars"
ve check --json
tap_check "Secure Boot unknown (no EFI variables) is not checked, not [ ok ]" test "$(result secure-boot)" = skip
mkdir -p "$R/sys/firmware/efi/efivars" && mv "$T/sb" "$R/sys/firmware/efi/efivars/"
if command -v script >/dev/null; then
	script -qec "$(printf '%q ' "$B/vfio-early" --root="$R" check)" /dev/null >"$T/out" 2>&1
	tap_check "the tags in colour on a terminal" grep -q $'\033\\[32m\\[ ok \\]' "$T/out"
	NO_COLOR=1 script -qec "$(printf '%q ' "$B/vfio-early" --root="$R" check)" /dev/null >"$T/out" 2>&1
	tap_check "... but not with NO_COLOR" test -z "$(grep $'\033' "$T/out")"
fi

echo 'device 0000:00:05.0 id=1234:1111 group=whole allow-boot-vga' >"$R/etc/vfio-early.conf"
ve check --json
tap_check "a config changed since the image was built fails, exit 1" test "$(result initramfs)" = fail -a "$(rc)" = 1
cp "$R/etc/vfio-early.conf" "$T/img/etc/"
mkdir -p "$T/img/etc/vfio-early.d"
echo 'device 0000:01:01.0' >"$T/img/etc/vfio-early.d/old.conf"
build_image zstd
ve check
tap_check "a drop-in still in the image but gone from disk fails" grep -q 'old.conf is in the image but no longer on disk' "$T/out"
rm -r "$T/img/etc/vfio-early.d"
mv "$R/etc/vfio-early.conf" "$T/saved.conf"
ve check --json
tap_check "no config on disk but one in the image fails (the next boot binds by it)" test "$(result initramfs)" = fail
mv "$T/saved.conf" "$R/etc/vfio-early.conf"
rm "$T/img/usr/libexec/vfio-early/vfio-early-bind"
build_image zstd
ve check
tap_check "an image without the binder fails and says to rebuild" \
	grep -q "update-initramfs -u -k $REL" "$T/out"
"$B/vfio-early" --root="$R" check -q >"$T/out" 2>"$T/err"
tap_check "check -q: nothing on stdout, the failure on stderr with its fix, exit 1" \
	test $? = 1 -a ! -s "$T/out" -a -n "$(grep 'error: initramfs.*fix: .*update-initramfs -u -k' "$T/err")"
cp "$B/vfio-early-bind" "$T/img/usr/libexec/vfio-early/"
rm "$T/img/lib/modules/$REL/kernel/drivers/vfio/pci/vfio-pci.ko"
build_image zstd
ve check
tap_check "an image without vfio-pci.ko fails" grep -q 'not the vfio-pci module' "$T/out"
echo "kernel/drivers/vfio/pci/vfio-pci.ko" >"$R/lib/modules/$REL/modules.builtin"
ve check --json
tap_check "... unless vfio-pci is built in" test "$(result initramfs)" = pass
# dracut instead of initramfs-tools: another image name, the binder started by a cmdline hook
rm "$R/usr/sbin/update-initramfs" "$T/img/scripts/init-top/00_vfio_early"
mkdir -p "$R/usr/bin" "$T/img/var/lib/dracut/hooks/pre-udev" "$T/img/var/lib/dracut/hooks/cmdline"
: >"$R/usr/bin/dracut"
build_image zstd
mv "$R/boot/initrd.img-$REL" "$R/boot/initramfs-$REL.img"
ve check --json
tap_check "dracut: an image without the cmdline hook fails" test "$(result initramfs)" = fail
: >"$T/img/var/lib/dracut/hooks/pre-udev/00-vfio-early-pre-udev.sh"
build_image zstd
mv "$R/boot/initrd.img-$REL" "$R/boot/initramfs-$REL.img"
ve check --json
tap_check "dracut: an older image with the pre-udev hook warns (rd.driver.pre loads before it)" \
	test "$(result initramfs)" = warn
rm "$T/img/var/lib/dracut/hooks/pre-udev/00-vfio-early-pre-udev.sh"
: >"$T/img/var/lib/dracut/hooks/cmdline/00-vfio-early-cmdline.sh"
build_image zstd
mv "$R/boot/initrd.img-$REL" "$R/boot/initramfs-$REL.img"
ve check
tap_check "dracut: /boot/initramfs-REL.img with the hook passes" grep -q 'ok.*initramfs.*(dracut, zstd)' "$T/out"
rm "$R/boot/initramfs-$REL.img"
ve check --json
tap_check "no initramfs for the running kernel fails" test "$(result initramfs)" = fail

printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse2\n' >"$R/proc/cpuinfo"
ve check --json
tap_check "no vmx/svm fails" test "$(result cpu-virt)" = fail
echo "root=/dev/sda1 intel_iommu=off pcie_acs_override=downstream,multifunction vfio-pci.ids=1234:1111" \
	>"$R/proc/cmdline"
ve check --json
tap_check "intel_iommu=off fails" test "$(result cmdline-iommu)" = fail
tap_check "pcie_acs_override warns" test "$(result cmdline-acs-override)" = warn
tap_check "vfio-pci.ids= on the command line warns" test "$(result cmdline-vfio-pci-ids)" = warn
tap_check "no iommu=pt warns" test "$(result cmdline-iommu-pt)" = warn
rm -r "$R/lib/modules/$REL"
ve check --json
tap_check "no modules for the running kernel fails" test "$(result vfio-modules)" = fail

# AMD: the IOMMU is on by default and amd_iommu=on is no kernel option
printf 'processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm sse2\n' >"$R/proc/cpuinfo"
echo "root=/dev/sda1 amd_iommu=on iommu=pt" >"$R/proc/cmdline"
ve check --json
tap_check "AMD: amd_iommu=on warns (not a kernel option)" test "$(result cmdline-iommu)" = warn
ve check
tap_check "... and nothing tells an AMD host to add intel_iommu=on or amd_iommu=on" \
	eval '! grep -Eq "add (intel|amd)_iommu=on" "$T/out"'
echo "root=/dev/sda1 iommu=pt" >"$R/proc/cmdline"
mv "$R/sys/class/iommu" "$T/iommu.saved"
ve check
tap_check "AMD without an active IOMMU: the fix is the firmware setting, no parameter" \
	eval 'grep -q "IOMMU active" "$T/out" && grep -q "no parameter needed" "$T/out" && ! grep -q "add intel_iommu" "$T/out"'
tap_check "AMD without amd_iommu=: the parameter item passes" test -n "$(line 'no amd_iommu= needed')"
mv "$T/iommu.saved" "$R/sys/class/iommu"
printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse2\n' >"$R/proc/cpuinfo"

printf '0x00000000c0000000 0x00000000c0ffffff 0x0000000000040200\n' >"$R/sys/bus/pci/devices/0000:00:05.0/resource"
ve check --json
tap_check "a target inside the BOOTFB range fails" test "$(result framebuffer:0000:00:05.0)" = fail
sed -i 's/c0000000-c02fffff/00000000-00000000/' "$R/proc/iomem"
ve check --json
tap_check "hidden /proc/iomem addresses (unprivileged) are not checked" test "$(result framebuffer)" = skip

# the boot VGA (VGA class) holds the framebuffer: since 6.0 vfio-pci removes it as it binds the device
sed -i 's/00000000-00000000 : BOOTFB/c0000000-c02fffff : BOOTFB/' "$R/proc/iomem"
echo 'device 0000:00:01.0 id=1234:1111 allow-boot-vga' >"$R/etc/vfio-early.conf"
ve check --json
tap_check "a VGA target under the framebuffer on 6.x: no video=efifb:off, it passes" \
	eval 'test "$(result framebuffer:0000:00:01.0)" = pass && ! grep -q "efifb:off\|sysfb_init" "$T/out"'
echo "5.15.0-91-generic" >"$R/proc/sys/kernel/osrelease"
ve check --json
tap_check "... on a kernel before 6.0 it fails and says video=efifb:off" \
	eval 'test "$(result framebuffer:0000:00:01.0)" = fail && grep -q "efifb:off" "$T/out"'
echo "$REL" >"$R/proc/sys/kernel/osrelease"

# an unencrypted root: no cryptsetup in the image, no passphrase prompt to lose
mkdir -p "$T/img/usr/sbin" "$T/img/lib/modules/$REL"
cp "$R/etc/vfio-early.conf" "$T/img/etc/"
build_image zstd
ve check --json
tap_check "allow-boot-vga, no cryptsetup in the image: no passphrase prompt item" test -z "$(result console-prompt)"
# an encrypted root: cryptsetup in the image asks for the passphrase after the binder took the boot VGA
: >"$T/img/usr/sbin/cryptsetup"
cp "$R/etc/vfio-early.conf" "$T/img/etc/"
build_image zstd
ve check --json
tap_check "allow-boot-vga before a LUKS prompt, no other display driver in the image: warns" \
	test "$(result console-prompt)" = warn
# the distribution's bochs alias (modules.alias of linux-image-amd64): the other display has a driver in the image
echo 'alias pci:v00001234d00001111sv*sd*bc*sc*i* bochs' >"$T/img/lib/modules/$REL/modules.alias"
build_image zstd
ve check
tap_check "... with a driver for the other display in the image: passes and names it" \
	grep -q 'ok.*passphrase prompt.*0000:00:05.0 (bochs)' "$T/out"
rm -r "$T/img/usr/sbin" "$T/img/lib/modules/$REL/modules.alias"
echo 'device 0000:00:05.0 id=1234:1111 group=whole' >"$R/etc/vfio-early.conf"
cp "$R/etc/vfio-early.conf" "$T/img/etc/"
build_image zstd

mkdir -p "$R/etc/modprobe.d"
printf 'blacklist nouveau\nblacklist snd-hda-intel\noptions vfio-pci ids=1234:1111,8086:293e disable_vga=1\n' \
	>"$R/etc/modprobe.d/vfio.conf"
ve check
tap_check "blacklisting snd_hda_intel warns about the host's sound" grep -q "host's own sound" "$T/out"
ve check --json
tap_check "... with its own id" test "$(result modprobe-blacklist:snd_hda_intel)" = warn
ve check
tap_check "ids= that also takes the boot VGA fails and names it" \
	grep -q 'also takes 0000:00:01.0 (the boot VGA)' "$T/out"
tap_check "... naming the file and line" grep -q '/etc/modprobe.d/vfio.conf:3: ids=' "$T/out"

echo 'device 0000:00:05.0 id=1234:1111 group=whole' >"$R/etc/vfio-early.conf"
ve check --json
tap_check "group=whole without recorded members warns (not pinned)" test "$(result device:0000:00:05.0)" = warn
echo 'device 0000:00:05.0 id=1234:1111 group=whole members=0000:00:05.0/1234:1111,0000:00:05.1/8086:293e' \
	>"$R/etc/vfio-early.conf"
ve check --json
tap_check "... pinned with members=, it passes" test "$(result device:0000:00:05.0)" = pass
echo 'device 0000:00:05.0 id=1234:1111 group=whole members=0000:00:05.0/1234:1111' >"$R/etc/vfio-early.conf"
ve check
tap_check "... a member it did not record fails, named" grep -q '0000:00:05.1 (8086:293e) was not in it' "$T/out"
echo 'device 0000:00:1f.2 allow-storage' >"$R/etc/vfio-early.conf"
ve check
tap_check "the controller holding / fails even with allow-storage, naming the mount" \
	grep -q 'on the path to the host.s running system: / (sda1)' "$T/out"

echo 'device 0000:00:05.0 id=10de:2684' >"$R/etc/vfio-early.conf"
ve check --json
tap_check "a card swapped at the configured address fails" test "$(result device:0000:00:05.0)" = fail
tap_check "... and its fix is the command" eval '[[ "$(fix device:0000:00:05.0)" == *"sudo vfio-early remove 0000:00:05.0"* ]]'
echo 'device 0000:00:05.0' >"$R/etc/vfio-early.conf"
ln -s ../../drivers/snd_hda_intel "$R/sys/bus/pci/devices/0000:00:05.1/driver"
ve check --json
tap_check "a half-bound group is refused through the plan's guard" test "$(result device:0000:00:05.0)" = fail
tap_check "... and its fix is the command, not 'see the reason'" \
	eval '[[ "$(fix device:0000:00:05.0)" == "take the whole IOMMU group: sudo vfio-early add --group 0000:00:05.0" ]]'
tap_check "every failure so far has its fix" fails_fixed
echo 'device 0000:00:01.0' >"$R/etc/vfio-early.conf"
ve check --json
tap_check "the boot VGA refused: its fix installs the way back, then --allow-boot-vga" \
	eval '[[ "$(fix device:0000:00:01.0)" == *"sudo vfio-early boot install"*"sudo vfio-early add --allow-boot-vga 0000:00:01.0"* ]]'
echo 'device 0000:00:05.0' >"$R/etc/vfio-early.conf"
rm "$R/sys/bus/pci/devices/0000:00:05.1/driver"
printf 'device 0000:00:05.0 group=whole\nfrobnicate\n' >"$R/etc/vfio-early.conf"
ve check --json
tap_check "a bad config line fails" test "$(result config)" = fail
tap_check "... and its fix names the line and the command" \
	eval '[[ "$(fix config)" == "fix or delete line /etc/vfio-early.conf:2 (sudoedit /etc/vfio-early.conf;"* ]]'
tap_check "every failure has its fix" fails_fixed
ve check extra
tap_check "an extra argument is a usage error" test "$(rc)" = 2

ve check --json
# the fake host has efivarfs, so only the firmware's Boot#### path is known: a second way back, its absence warns
tap_check "no boot loader known: a missing firmware entry only warns" test "$(result recovery-entry:firmware)" = warn
mkdir -p "$R/etc/default"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$R/etc/default/grub"
ve check --json
tap_check "GRUB without our recovery entry fails, through the backend's status()" test "$(result recovery-entry:grub)" = fail

tap_done
