#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot entries through a machine's life, on a fake Debian 12 root whose ESP is
# laid out by the real tools: bootctl install (systemd-boot 252) and
# kernel-install with 90-loaderentry.install. The whole test runs in a private
# mount namespace where the ESP is a tmpfs of its own, so that kernel-install
# (stat -c %m) and bootctl see a mount point, as on a real host.
# Our kernel-install plugin runs 'vfio-early boot refresh' as a real upgrade
# would. Covers: install on a host migrated from GRUB (GRUB's leftovers found,
# not touched), the real bootctl list reading our entry, the --dry-run diff
# applied by patch(1), recovery --default / passthrough --default across
# kernel upgrades and removals, one-shots and their cancelling, boot counting
# (renames by hand as systemd-boot does at boot, the bless by the real
# systemd-bless-boot), and remove undoing everything, however many kernels
# came after install. Needs root, unshare, bootctl, kernel-install. Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 1
VFE_BLS_WHAT="boot entries through a machine's life"
# shellcheck source=tests/lib/bls-root.sh
. tests/lib/bls-root.sh
opts() { sed -n 's/^options *//p' "$ENT/$MID-$1.conf"; }
no_bak() { ! find "$ESP" -name '*.bak' | grep -q .; }

# ---- a Debian 12 host: systemd-boot installed by bootctl, GRUB's files left from before the move
bls_debian_host
mkdir -p "$R/etc/default" "$R/boot/grub"
# the entries' own lifecycle; the automatic fallback's renames have test-fallback-lifecycle.sh
printf 'device 0000:41:00.0\nfallback off\n' >"$R/etc/vfio-early.conf"
cp /usr/share/grub/default/grub "$R/etc/default/grub"
grub-editenv "$R/boot/grub/grubenv" create
grub-editenv "$R/boot/grub/grubenv" set saved_entry=gnulinux-simple-5b2b6c3d
cp -a "$R/etc/default/grub" "$R/boot/grub/grubenv" "$T/"
ns bootctl install --esp-path="$ESP" --no-variables >"$T/log" 2>&1
tap_check "bootctl install lays out the ESP" test -f "$ESP/EFI/systemd/systemd-bootx64.efi"
kadd 6.1.0-13-amd64
tap_check "kernel-install writes the first kernel's entry from /etc/kernel/cmdline" \
	eval '[ "$(opts 6.1.0-13-amd64)" = "root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet systemd.machine_id=$MID" ]'
# what systemd-boot 252 exports when it starts the entry
efivar_str LoaderInfo "systemd-boot 252.39-1~deb12u1"
efivar_str LoaderImageIdentifier '\EFI\systemd\systemd-bootx64.efi'
efivar_str LoaderEntrySelected "$MID-6.1.0-13-amd64.conf"
printf '\006\000\000\000\377\007\000\000\000\000\000\000' >"$EV/LoaderFeatures-$LG"

# ---- the --dry-run diff is exact: patch(1) applies it and gives what install writes
cp -a "$R" "$T/r2" # (a copy: the ESP's content, on the root file system)
ve boot install --dry-run && cp "$T/log" "$T/dry"
(cd "$T/r2" && patch -s -p1 <"$T/dry") >"$T/log" 2>&1
dry_ok=$?
ve boot install
tap_check "install on a host moved from GRUB to systemd-boot succeeds" test $? = 0
tap_check "it says GRUB's files were found but GRUB is not in use" grep -q 'grub: found, but not in use' "$T/log"
tap_check "GRUB's leftovers are left as they were" cmp -s "$T/grub" "$R/etc/default/grub"
tap_check "no GRUB drop-in was written" test ! -e "$R/etc/default/grub.d/vfio-early.cfg"
tap_check "the entry gets the IOMMU parameters" eval 'opts 6.1.0-13-amd64 | grep -q "quiet systemd.machine_id=$MID intel_iommu=on iommu=pt$"'
tap_check "/etc/kernel/cmdline gets them too" grep -qx 'root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet intel_iommu=on iommu=pt' "$R/etc/kernel/cmdline"
nopt() { sed -n 's/^options *//p' "$ENT/$MID-$1-vfio-early-nopt.conf"; }
tap_check "the recovery entry is there: the same options plus vfio_early=off" \
	eval '[ "$(nopt 6.1.0-13-amd64)" = "$(opts 6.1.0-13-amd64) vfio_early=off" ]'
tap_check "no .bak in loader/entries (systemd-boot would list it)" no_bak
tap_check "the previous entry is kept under /var/lib/vfio-early/backup" \
	grep -q 'ro quiet systemd.machine_id' "$R/var/lib/vfio-early/backup/boot/efi/loader/entries/$MID-6.1.0-13-amd64.conf"
tap_check "the dry-run diff, applied by patch -p1, gives exactly what install wrote" \
	eval '[ $dry_ok = 0 ] && diff -r "$R/boot/efi/loader" "$T/r2/boot/efi/loader" && diff -r "$R/etc/kernel" "$T/r2/etc/kernel"'
tap_check "the dry-run diff is in unified order (removals before additions)" \
	eval 'grep -A1 "^-options" "$T/dry" | grep -q "^+options"'
ns bootctl list --esp-path="$ESP" --no-pager >"$T/log" 2>&1
tap_check "the real bootctl list reads our entry" \
	grep -q "title: Debian GNU/Linux 12 (bookworm) (no GPU passthrough)" "$T/log"

# ---- recovery --default, then a kernel upgrade and the old kernel's removal
ve boot recovery --default
tap_check "recovery --default names the recovery entry in LoaderEntryDefault" \
	eval '[ "$(efivar_get LoaderEntryDefault)" = "$MID-6.1.0-13-amd64-vfio-early-nopt.conf" ]'
kadd 6.1.0-15-amd64
tap_check "upgrade: kernel-install's new entry carries the parameters (from /etc/kernel/cmdline)" \
	eval 'opts 6.1.0-15-amd64 | grep -q "ro quiet intel_iommu=on iommu=pt systemd.machine_id=$MID$"'
tap_check "upgrade: the plugin's refresh moved the recovery entry to the new kernel" \
	eval '[ -f "$ENT/$MID-6.1.0-15-amd64-vfio-early-nopt.conf" ] && [ ! -f "$ENT/$MID-6.1.0-13-amd64-vfio-early-nopt.conf" ]'
kinstall remove 6.1.0-13-amd64
tap_check "removal: kernel-install deleted the old kernel's entry" test ! -e "$ENT/$MID-6.1.0-13-amd64.conf"
ve boot show
tap_check "the default is still the recovery entry, now of the new kernel" \
	grep -q "default: $MID-6.1.0-15-amd64-vfio-early-nopt.conf (LoaderEntryDefault" "$T/log"
# bootctl reads LoaderEntryDefault from /sys/firmware/efi/efivars: give it ours
with_efivars() {
	mount -t tmpfs fw /sys/firmware && mkdir -p /sys/firmware/efi/efivars && mount --bind "$EV" /sys/firmware/efi/efivars &&
		ns "$@"
	local rc=$?
	umount /sys/firmware/efi/efivars /sys/firmware 2>/dev/null
	return $rc
}
# (bootctl list would show the default from LoaderEntryDefault too, but it reads no EFI
# variables in a container: is_efi_boot() is false there)
ve status
tap_check "status: the next boot is the recovery entry" grep -q "vfio-early-nopt.conf (no GPU passthrough)" "$T/log"

# ---- a default that names a removed entry is reported
efivar_str LoaderEntryDefault "$MID-6.1.0-13-amd64.conf"
ve boot show
tap_check "show says LoaderEntryDefault names no entry" grep -q "warning: LoaderEntryDefault \"$MID-6.1.0-13-amd64.conf\" names no entry" "$T/log"
ve boot status
ve status
tap_check "status says it too" grep -q "names no entry and is ignored" "$T/log"

# ---- passthrough --default, then another upgrade
ve boot passthrough --default
tap_check "passthrough --default hands the default back to systemd-boot's rule (newest entry)" test ! -e "$EV/LoaderEntryDefault-$LG"
kadd 6.1.0-16-amd64
ve boot show
tap_check "after the upgrade the default is the new kernel's passthrough entry" grep -q "default: $MID-6.1.0-16-amd64.conf (first entry)" "$T/log"

# ---- one-shots: set, followed by refresh, cancelled
ve boot recovery --next
tap_check "recovery --next names the recovery entry" eval '[ "$(efivar_get LoaderEntryOneShot)" = "$MID-6.1.0-16-amd64-vfio-early-nopt.conf" ]'
kadd 6.1.0-17-amd64
tap_check "a kernel upgrade before the reboot: refresh re-points the one-shot" \
	eval '[ "$(efivar_get LoaderEntryOneShot)" = "$MID-6.1.0-17-amd64-vfio-early-nopt.conf" ]'
ve boot passthrough --next
tap_check "passthrough --next cancels it" test ! -e "$EV/LoaderEntryOneShot-$LG"
tap_check "and says so" grep -q "deleted EFI variable LoaderEntryOneShot" "$T/log"

# ---- boot counting: kernel-install writes NAME+3.conf, systemd-boot and systemd-bless-boot rename it
echo 3 >"$R/etc/kernel/tries"
kadd 6.1.0-18-amd64
tap_check "with /etc/kernel/tries kernel-install writes a counted entry" test -f "$ENT/$MID-6.1.0-18-amd64+3.conf"
tap_check "refresh made the recovery entry from it, without a counter" test -f "$ENT/$MID-6.1.0-18-amd64-vfio-early-nopt.conf"
# what systemd-boot does at boot: the file loses one try, LoaderEntrySelected may carry the counter (systemd#38813)
mv "$ENT/$MID-6.1.0-18-amd64+3.conf" "$ENT/$MID-6.1.0-18-amd64+2-1.conf"
efivar_str LoaderEntrySelected "$MID-6.1.0-18-amd64+2-1.conf"
efivar_str LoaderBootCountPath "/loader/entries/$MID-6.1.0-18-amd64+2-1.conf"
ve boot show
tap_check "show marks the booted entry though the selected id carries the counter" \
	grep -q "$MID-6.1.0-18-amd64.conf .*\[booted\]" "$T/log"
ve boot refresh
tap_check "refresh follows the rename" grep -q "$MID-6.1.0-18-amd64+2-1.conf" "$R/var/lib/vfio-early/boot-efi.state"
# the bless, by the real systemd-bless-boot against our efivarfs and ESP; it refuses to
# run in a container (/.dockerenv), and there we rename the file as it does
SYSTEMD_ESP_PATH="$ESP" with_efivars /lib/systemd/systemd-bless-boot good >"$T/log" 2>&1
if grep -q "not supported in containers" "$T/log"; then
	mv "$ENT/$MID-6.1.0-18-amd64+2-1.conf" "$ENT/$MID-6.1.0-18-amd64.conf"
fi
tap_check "the entry has its blessed name" test -f "$ENT/$MID-6.1.0-18-amd64.conf"

# ---- the firmware's Boot#### option, read back by the real efibootmgr
GG=8be4df61-93ca-11d2-aa0d-00e098032b8c
if command -v efibootmgr >/dev/null; then
	# Boot0000 is the distribution's; BootOrder still names 0001, a stale number another tool left
	printf '\007\000\000\000\000\000\001\000' >"$EV/BootOrder-$GG"
	{ printf '\007\000\000\000\001\000\000\000\004\000'; printf 'debian' | iconv -t UTF-16LE; printf '\000\000\177\377\004\000'; } >"$EV/Boot0000-$GG"
	"$B/tools/fw-backend" "$R" install >"$T/log" 2>&1
	EFIVARFS_PATH="$EV/" efibootmgr -v >"$T/efi" 2>&1
	tap_check "install writes a Boot#### that efibootmgr reads: our title, the kernel's path, the recovery command line" \
		eval 'grep -q "^Boot0002\* Debian GNU/Linux 12 (bookworm) (no GPU passthrough)	HD(1,GPT,.*)/File(\\\\$MID\\\\6.1.0-18-amd64\\\\linux).*i.n.i.t.r.d.=" "$T/efi"'
	tap_check "it never takes a number BootOrder names (0001), and leaves BootOrder as it was" \
		eval '! grep -q "^Boot0001" "$T/efi" && grep -qx "BootOrder: 0000,0001" "$T/efi"'
	"$B/tools/fw-backend" "$R" recovery-next >"$T/log" 2>&1
	tap_check "recovery --next --firmware: efibootmgr sees BootNext = our option" eval 'EFIVARFS_PATH="$EV/" efibootmgr | grep -qx "BootNext: 0002"'
	"$B/tools/fw-backend" "$R" passthrough-next >"$T/log" 2>&1
	tap_check "passthrough --next cancels that BootNext" eval '! EFIVARFS_PATH="$EV/" efibootmgr | grep -q BootNext'
	"$B/tools/fw-backend" "$R" remove >"$T/log" 2>&1
	tap_check "remove deletes our option only" eval 'EFIVARFS_PATH="$EV/" efibootmgr >"$T/efi" && ! grep -q "^Boot0002" "$T/efi" && grep -q "^Boot0000" "$T/efi"'
else
	tap_skip "Boot#### read by efibootmgr" "needs efibootmgr"
fi

# a kernel installed while our plugin was not there: no refresh saw its entry
echo "kernel" >"$T/vmlinuz-x" && echo "initrd" >"$T/initrd-x"
ns BOOT_ROOT="$ESP" KERNEL_INSTALL_CONF_ROOT="$R/etc/kernel" MACHINE_ID=$MID KERNEL_INSTALL_LAYOUT=bls \
	KERNEL_INSTALL_PLUGINS=/usr/lib/kernel/install.d/90-loaderentry.install \
	kernel-install add 6.1.0-10-amd64 "$T/vmlinuz-x" "$T/initrd-x" >"$T/log" 2>&1
tap_check "an older kernel installed without our plugin carries the parameters (from /etc/kernel/cmdline)" \
	eval 'opts 6.1.0-10-amd64+3 | grep -q intel_iommu=on'

# ---- remove, however many kernels came after install
ve boot recovery --default
ve boot remove
tap_check "remove succeeds" test $? = 0
tap_check "no entry keeps intel_iommu=on or iommu=pt (the blessed one included)" eval '! grep -l -e intel_iommu -e iommu=pt "$ENT"/*.conf'
tap_check "every entry is as kernel-install wrote it" \
	eval '(for v in 15 16 17 18 10; do opts 6.1.0-$v-amd64$( [ $v = 10 ] && echo +3) | grep -qx "root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet systemd.machine_id=$MID" || exit 1; done)'
tap_check "/etc/kernel/cmdline is as before install" grep -qx "root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet" "$R/etc/kernel/cmdline"
tap_check "our entries are gone" eval '! ls "$ENT" | grep -q vfio-early'
tap_check "LoaderEntryDefault that selected our entry is gone" test ! -e "$EV/LoaderEntryDefault-$LG"
tap_check "the state file is gone" test ! -e "$R/var/lib/vfio-early/boot-efi.state"
tap_check "still no .bak on the ESP" no_bak
kadd 6.1.0-19-amd64
tap_check "after remove, a new kernel gets no parameters and no recovery entry" \
	eval '! opts 6.1.0-19-amd64+3 | grep -q iommu && ! ls "$ENT" | grep -q vfio-early'

# ---- a host that boots unified kernel images (Type #2) only: made with the real systemd-stub and objcopy
if command -v objcopy >/dev/null && [ -f /usr/lib/systemd/boot/efi/linuxx64.efi.stub ]; then
	R=$T/u ESP=$T/u/boot/efi EV=$T/u/sys/firmware/efi/efivars
	ENT=$ESP/loader/entries
	mkdir -p "$ESP" "$R/proc/self" "$R/etc/kernel" "$EV" && mount -t tmpfs -o mode=0755 esp2 "$ESP" &&
		tap_at_exit "umount '$ESP'"
	cp "$T/r/proc/self/mountinfo" "$R/proc/self/" && cp "$T/r/proc/cpuinfo" "$R/proc/"
	ns bootctl install --esp-path="$ESP" --no-variables >"$T/log" 2>&1
	echo "root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet" >"$T/cmdline"
	echo kernel >"$T/vmlinuz" && echo initrd >"$T/initrd"
	# as systemd-stub(7) of systemd 252 says to build one
	objcopy --add-section .osrel=/etc/os-release --change-section-vma .osrel=0x20000 \
		--add-section .cmdline="$T/cmdline" --change-section-vma .cmdline=0x30000 \
		--add-section .linux="$T/vmlinuz" --change-section-vma .linux=0x2000000 \
		--add-section .initrd="$T/initrd" --change-section-vma .initrd=0x3000000 \
		/usr/lib/systemd/boot/efi/linuxx64.efi.stub "$ESP/EFI/Linux/debian-6.1.0-13-amd64.efi"
	efivar_str LoaderInfo "systemd-boot 252.39-1~deb12u1"
	printf '\006\000\000\000\377\007\000\000\000\000\000\000' >"$EV/LoaderFeatures-$LG"
	ns bootctl list --esp-path="$ESP" --no-pager >"$T/bootctl" 2>&1
	ve boot show
	tap_check "show lists the UKI as bootctl list does (id, title, built-in options)" \
		eval 'grep -q "id: debian-6.1.0-13-amd64.efi" "$T/bootctl" &&
		      grep -q "^  \* debian-6.1.0-13-amd64.efi  \"Debian GNU/Linux 12 (bookworm)\"  \[unified kernel image\]" "$T/log" &&
		      grep -q "options: root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet$" "$T/bootctl"'
	ve boot install
	tap_check "install works with only UKIs" test $? = 0
	tap_check "it says the UKI's command line cannot be changed" grep -q "debian-6.1.0-13-amd64.efi is a unified kernel image: its command line is built in" "$T/log"
	tap_check "the UKI is left as it was" cmp -s <(objcopy -O binary --only-section=.cmdline "$ESP/EFI/Linux/debian-6.1.0-13-amd64.efi" /dev/stdout) "$T/cmdline"
	tap_check "/etc/kernel/cmdline gets the parameters for the next image" grep -qx "root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet intel_iommu=on iommu=pt" "$R/etc/kernel/cmdline"
	tap_check "the recovery entry starts the UKI with its own options (systemd-stub takes them without Secure Boot)" \
		eval 'grep -qx "efi /EFI/Linux/debian-6.1.0-13-amd64.efi" "$ENT/debian-6.1.0-13-amd64-vfio-early-nopt.conf" &&
		      grep -qx "options root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet vfio_early=off" "$ENT/debian-6.1.0-13-amd64-vfio-early-nopt.conf"'
	ns bootctl list --esp-path="$ESP" --no-pager >"$T/log" 2>&1
	tap_check "bootctl list reads it: an efi entry with those options" \
		eval 'grep -A8 "id: debian-6.1.0-13-amd64-vfio-early-nopt.conf" "$T/log" | grep -q "options: .*vfio_early=off"'
	ve boot show
	tap_check "show: the recovery entry is ok" grep -q "recovery entry: ok" "$T/log"
	printf '\006\000\000\000\001' >"$EV/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
	ve boot show
	tap_check "with Secure Boot on, show says the UKI's recovery entry does not work" grep -q "recovery entry: does not work: .*Secure Boot is on" "$T/log"
	ve boot remove
	tap_check "remove takes it all back" eval '[ ! -e "$ENT/debian-6.1.0-13-amd64-vfio-early-nopt.conf" ] && [ ! -e "$R/etc/kernel/cmdline" ]'
else
	tap_skip "unified kernel images" "needs objcopy (binutils) and systemd-boot-efi's linuxx64.efi.stub"
fi

tap_done
