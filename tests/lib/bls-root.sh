# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A fake Debian 12 root whose ESP the real tools lay out (bootctl, kernel-install
# with 90-loaderentry.install and our plugin), in a private mount namespace, for
# the tests of boot entries through a machine's life. Source it from the top of
# the checkout, after setting VFE_BLS_WHAT (what the test covers, for the skip
# message); it re-executes the test under unshare -m first, then sources
# tests/lib/tap.sh. Sets TOP, MID, LG, R, ESP, EV, ENT, CLI and $T/bin (the CLI
# on PATH, for the plugin), and defines:
#   efivar_str NAME VALUE, efivar_get NAME: EFI variables as efivarfs shows them
#   ns CMD...: bootctl and kernel-install accept a tmpfs as the ESP with this
#   kinstall ARGS..., kadd VERSION: kernel-install as Debian's postinst runs it
#   ve ARGS...: the CLI on the root, its output in $T/log
#   bls_debian_host: the host's layout: the ESP a tmpfs of its own (a mount
#     point, as kernel-install and bootctl want), / and the ESP in mountinfo,
#     an Intel CPU, Debian's 90-loaderentry.install, /etc/kernel/cmdline
if [ "$(id -u)" = 0 ] && [ -z "${VFE_IN_NS:-}" ] && command -v unshare >/dev/null; then
	VFE_IN_NS=1 exec unshare -m "$0" "$@"
fi
. tests/lib/tap.sh
TAP_DIAG=$T/log
if [ -z "${VFE_IN_NS:-}" ] || ! command -v bootctl >/dev/null ||
	! command -v kernel-install >/dev/null || [ ! -x /usr/lib/kernel/install.d/90-loaderentry.install ]; then
	tap_skip_all "$VFE_BLS_WHAT: needs root, unshare, bootctl (systemd-boot) and kernel-install (systemd)"
fi
TOP=$PWD
MID=0123456789abcdef0123456789abcdef
LG=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
R=$T/r ESP=$T/r/boot/efi EV=$T/r/sys/firmware/efi/efivars
ENT=$ESP/loader/entries
case $B in /*) CLI=$B/vfio-early ;; *) CLI=$TOP/$B/vfio-early ;; esac
mkdir -p "$T/bin" && ln -s "$CLI" "$T/bin/vfio-early"

# EFI variables as efivarfs shows them: 4 bytes of attributes, then the value
efivar_str() { { printf '\006\000\000\000'; printf '%s' "$2" | iconv -t UTF-16LE; printf '\000\000'; } >"$EV/$1-$LG"; }
efivar_get() { [ -f "$EV/$1-$LG" ] && tail -c +5 "$EV/$1-$LG" | iconv -f UTF-16LE | tr -d '\0'; }

ns() { env SYSTEMD_RELAX_ESP_CHECKS=1 "$@"; }
# kernel-install as Debian's postinst hook runs it, with our plugin after 90-loaderentry
kinstall() {
	ns BOOT_ROOT="$ESP" KERNEL_INSTALL_CONF_ROOT="$R/etc/kernel" MACHINE_ID=$MID KERNEL_INSTALL_LAYOUT=bls \
		KERNEL_INSTALL_PLUGINS="/usr/lib/kernel/install.d/90-loaderentry.install $TOP/recovery/kernel-install/95-vfio-early.install" \
		PATH="$T/bin:$PATH" VFIO_EARLY_ROOT="$R" kernel-install "$@" >>"$T/log" 2>&1
}
kadd() {
	echo "kernel $1" >"$T/vmlinuz-$1" && echo "initrd $1" >"$T/initrd.img-$1"
	kinstall add "$1" "$T/vmlinuz-$1" "$T/initrd.img-$1"
}
ve() { "$B/vfio-early" --root="$R" "$@" >"$T/log" 2>&1; }

bls_debian_host() {
	mkdir -p "$ESP" "$R/proc/self" "$R/etc/kernel" "$EV" "$R/usr/lib/kernel/install.d"
	mount --make-rprivate / && mount -t tmpfs -o mode=0755 esp "$ESP" && tap_at_exit "umount '$ESP'"
	printf '%s\n' "22 1 254:0 / / rw,relatime - ext4 /dev/vda2 rw" \
		"30 22 254:17 / /boot/efi rw,relatime - vfat /dev/vda1 rw" >"$R/proc/self/mountinfo"
	printf 'vendor_id\t: GenuineIntel\n' >"$R/proc/cpuinfo"
	cp /usr/lib/kernel/install.d/90-loaderentry.install "$R/usr/lib/kernel/install.d/"
	echo "root=UUID=5b2b6c3d-0000-4000-8000-000000000001 ro quiet" >"$R/etc/kernel/cmdline"
}
