#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The automatic fallback on systemd-boot through a machine's life, on a fake Debian 12
# root whose ESP is laid out by the real tools (bootctl install, kernel-install with
# 90-loaderentry.install and our plugin), as test-bls-lifecycle.sh does; boots are what
# systemd-boot does at boot (the rename of the counted file, LoaderBootCountPath), the
# bless is the real systemd-bless-boot where it runs. Covers: install arms the entry
# (NAME+4.conf with the default N = 3), the count down in show and status, confirm
# (the same rename as systemd-bless-boot, and the bless itself finding it done), a
# kernel-install that writes the entry again beside the counted one (initramfs update:
# the newer copy wins, counted again), the fallback (fell back: no arming of the next
# kernel, which gets our entry as the default), passthrough --default, --no-fallback,
# remove; and the kernelstub (Pop!_OS) layout, whose loader.conf default no longer
# matches a counted name. Needs root, unshare, bootctl, kernel-install. Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 1
VFE_BLS_WHAT="the automatic fallback through a machine's life"
# shellcheck source=tests/lib/bls-root.sh
. tests/lib/bls-root.sh
# the one passthrough entry file of kernel $1, whatever its counter
entry() { (cd "$ENT" && ls | grep -E "^$MID-$1(\+[0-9-]*)?\.conf$"); }
# boot: what systemd-boot 252 does with a counted entry before it starts it
boot() {
	local f c left done
	f=$(entry "$1")
	case $f in *+*) ;; *) rm -f "$EV/LoaderBootCountPath-$LG"; efivar_str LoaderEntrySelected "$f"; return ;; esac
	c=${f#*+} && c=${c%.conf} && left=${c%%-*} && done=0
	case $c in *-*) done=${c#*-} ;; esac
	mv "$ENT/$f" "$ENT/$MID-$1+$((left > 0 ? left - 1 : 0))-$((done + 1)).conf"
	efivar_str LoaderEntrySelected "$f"
	efivar_str LoaderBootCountPath "\\loader\\entries\\$MID-$1+$((left > 0 ? left - 1 : 0))-$((done + 1)).conf"
}
# record MODE: the binder's status record of this boot
record() {
	mkdir -p "$R/run/vfio-early" && rm -f "$R/run/vfio-early/confirm-done"
	printf 'vfio-early-status 1\nboot mode=%s reason=%s iommu=yes started_us=0 finished_us=0 elapsed_us=0 cpu_us=0\n' \
		"$1" "${2:-test}" >"$R/run/vfio-early/status"
}

# unit NAME: what the shipped unit NAME runs (its ExecStart, from recovery/systemd/), on this
# root; a --timeout is cut to 0 s (no display appears in this test: the unit would wait for one)
unit() {
	local args
	args=$(sed -n 's|^ExecStart=-\{0,1\}/usr/sbin/vfio-early ||; T; s/--timeout=[0-9]*/--timeout=0/; p' "recovery/systemd/$1")
	[ -n "$args" ] || { echo "no ExecStart=/usr/sbin/vfio-early in recovery/systemd/$1" >"$T/log"; return 2; }
	# shellcheck disable=SC2086 # the unit's arguments, split as systemd splits them (no quotes there)
	ve $args
}

# ---- a Debian 12 host with systemd-boot (bootctl install, kernel-install), one device configured
bls_debian_host
echo "device 0000:41:00.0 id=10de:2684 allow-boot-vga" >"$R/etc/vfio-early.conf"
ns bootctl install --esp-path="$ESP" --no-variables >"$T/log" 2>&1
kadd 6.1.0-13-amd64
efivar_str LoaderInfo "systemd-boot 252.39-1~deb12u1"
printf '\006\000\000\000\377\007\000\000\000\000\000\000' >"$EV/LoaderFeatures-$LG"
K=6.1.0-13-amd64

# ---- install arms it; boots count it down; show and status say how many are left
ve boot install
tap_check "install arms the fallback: the entry is NAME+4.conf (N = 3 by default, +1 for the binder's last try)" \
	eval '[ "$(entry $K)" = "$MID-$K+4.conf" ]'
tap_check "no EFI variable was written (systemd-boot picks the first entry by itself)" test ! -e "$EV/LoaderEntryDefault-$LG"
ve boot show
tap_check "show: 3 unconfirmed passthrough boots left" grep -q "automatic fallback: armed: 3 unconfirmed passthrough boots left" "$T/log"
boot $K && record passthrough
ve status
tap_check "after a boot, status: 2 left" grep -q "Fallback: *armed: 2 unconfirmed passthrough boots left" "$T/log"
unit vfio-early-confirm.service
tap_check "the confirm unit (confirm --auto) without a host display fails and changes nothing" \
	eval '! grep -q renamed "$T/log" && [ "$(entry $K)" = "$MID-$K+3-1.conf" ]'
mkdir -p "$R/sys/class/drm/card0-HDMI-A-1" && echo connected >"$R/sys/class/drm/card0-HDMI-A-1/status" &&
	echo enabled >"$R/sys/class/drm/card0-HDMI-A-1/enabled"
unit vfio-early-confirm.service
tap_check "the confirm unit (confirm --auto) with a lit connector renames the entry NAME.conf, as systemd-bless-boot would" \
	eval 'grep -q "Host display: card0-HDMI-A-1" "$T/log" && [ "$(entry $K)" = "$MID-$K.conf" ]'
rm -rf "$R/sys/class/drm"
# the real systemd-bless-boot, run after us (boot-complete.target): finds the work done
with_efivars() {
	mount -t tmpfs fw /sys/firmware && mkdir -p /sys/firmware/efi/efivars && mount --bind "$EV" /sys/firmware/efi/efivars &&
		ns "$@"
	local rc=$?
	umount /sys/firmware/efi/efivars /sys/firmware 2>/dev/null
	return $rc
}
SYSTEMD_ESP_PATH="$ESP" with_efivars /lib/systemd/systemd-bless-boot good >"$T/log" 2>&1
bless=$?
if grep -q "not supported in containers" "$T/log"; then
	tap_skip "systemd-bless-boot after our confirm: nothing left to do, success" "it does not run in a container"
else
	tap_check "systemd-bless-boot after our confirm: nothing left to do, success" eval '[ $bless = 0 ] && [ "$(entry $K)" = "$MID-$K.conf" ]'
fi
ve boot show
tap_check "show: confirmed, not counting until the next kernel or config change" \
	grep -q "automatic fallback: confirmed: not counting until the next kernel or config change" "$T/log"

# ---- an initramfs update (Debian's post-update hook runs kernel-install add again, then ours)
kadd $K
tap_check "kernel-install rewrote NAME.conf; refresh counted it again" eval '[ "$(entry $K)" = "$MID-$K+4.conf" ]'
boot $K && record passthrough
kadd $K
tap_check "again while counted: the new copy wins (NAME+4.conf), the old NAME+3-1.conf is gone" \
	eval '[ "$(entry $K)" = "$MID-$K+4.conf" ] && [ ! -e "$ENT/$MID-$K+3-1.conf" ]'
tap_check "... and the recovery entry is still one" eval '[ "$(ls "$ENT" | grep -c vfio-early-nopt)" = 1 ]'

# ---- nobody confirms: three passthrough boots, then the binder's last try, then our entry
for i in 1 2 3 4; do boot $K; done
record recovery "automatic fallback after 3 boots without a confirmed host display"
tap_check "after 3 unconfirmed boots the 4th takes the last try: NAME+0-4.conf" eval '[ "$(entry $K)" = "$MID-$K+0-4.conf" ]'
ve status
tap_check "status: recovery: automatic fallback after 3 boots without a confirmed host display" \
	grep -q "^Mode: *recovery: automatic fallback after 3 boots without a confirmed host display$" "$T/log"
back="'vfio-early confirm', or run 'vfio-early boot passthrough --default'"
tap_check "status: ... and how to return (fix and confirm, or boot passthrough --default)" eval \
	'grep -q "To return: fix the host display and run" "$T/log" && grep -qF "$back" "$T/log"'
tap_check "the confirm unit (confirm --auto) in the fallback boot fails, so that systemd-bless-boot leaves the entry bad" \
	eval '! unit vfio-early-confirm.service && [ "$(entry $K)" = "$MID-$K+0-4.conf" ]'
mkdir -p "$R/run/systemd/sessions" && printf 'USER=ann\nSEAT=seat0\nTYPE=wayland\nCLASS=user\nREMOTE=0\n' >"$R/run/systemd/sessions/3"
unit vfio-early-session.service
tap_check "a local graphical login in the fallback boot (the session unit, confirm --session): nothing to confirm, no failure" \
	eval 'grep -q "A recovery boot: nothing to confirm" "$T/log" && [ "$(entry $K)" = "$MID-$K+0-4.conf" ]'
rm -rf "$R/run/systemd"
# the next boot: the entry is bad, systemd-boot starts our entry (uncounted)
rm -f "$EV/LoaderBootCountPath-$LG"
efivar_str LoaderEntrySelected "$MID-$K-vfio-early-nopt.conf"
record recovery "vfio_early=off on the kernel command line"
ve status
tap_check "the next boot (our entry): status still says why" grep -q "^Mode: *recovery: automatic fallback after 3" "$T/log"

# ---- a kernel upgrade while fallen: not armed, recovery stays the default
kadd 6.1.0-15-amd64
tap_check "upgrade while fallen: the new kernel's entry is not counted" eval '[ "$(entry 6.1.0-15-amd64)" = "$MID-6.1.0-15-amd64.conf" ]'
tap_check "... its recovery entry is the default (LoaderEntryDefault), so recovery stays" \
	eval '[ "$(efivar_get LoaderEntryDefault)" = "$MID-6.1.0-15-amd64-vfio-early-nopt.conf" ]'
kinstall remove $K
ve boot show
tap_check "the old kernel removed: show still says fell back" grep -q "automatic fallback: fell back" "$T/log"

# ---- the user acts: passthrough --default
ve boot passthrough --default
tap_check "passthrough --default: our default is gone, the new kernel's entry is counted" \
	eval '[ ! -e "$EV/LoaderEntryDefault-$LG" ] && [ "$(entry 6.1.0-15-amd64)" = "$MID-6.1.0-15-amd64+4.conf" ]'
ve boot show
tap_check "show: armed again, 3 left" grep -q "automatic fallback: armed: 3 unconfirmed" "$T/log"
boot 6.1.0-15-amd64 && record passthrough
ve confirm
tap_check "confirm by hand (as from SSH) always confirms" eval '[ "$(entry 6.1.0-15-amd64)" = "$MID-6.1.0-15-amd64.conf" ]'

# ---- --no-fallback: said once, never counts
kadd 6.1.0-15-amd64
ve boot install --no-fallback
tap_check "install --no-fallback: \"fallback off\" in the config, the counter taken off" \
	eval 'grep -qx "fallback off" "$R/etc/vfio-early.conf" && [ "$(entry 6.1.0-15-amd64)" = "$MID-6.1.0-15-amd64.conf" ]'
kadd 6.1.0-16-amd64
tap_check "later kernels are never counted" eval '[ "$(entry 6.1.0-16-amd64)" = "$MID-6.1.0-16-amd64.conf" ]'
ve boot install --fallback=2
tap_check "install --fallback=2 arms it again: NAME+3.conf" eval '[ "$(entry 6.1.0-16-amd64)" = "$MID-6.1.0-16-amd64+3.conf" ]'

# ---- remove takes every counter off
ve boot remove
tap_check "remove: no counter, no state, no entry of ours" eval \
	'! ls "$ENT" | grep -q "+" && ! ls "$ENT" | grep -q vfio-early && [ ! -e "$R/var/lib/vfio-early/boot-efi.state" ]'

# ---- kernelstub (Pop!_OS): loader.conf says "default Pop_OS-current", which no counted name matches
P=$T/pop && mkdir -p "$P/boot/efi/loader/entries" "$P/boot/efi/EFI/Pop_OS-$MID" "$P/etc/kernelstub" "$P/proc/self" \
	"$P/sys/firmware/efi/efivars"
printf '%s\n' "22 1 254:0 / / rw,relatime - ext4 /dev/vda2 rw" \
	"30 22 254:17 / /boot/efi rw,relatime - vfat /dev/vda1 rw" >"$P/proc/self/mountinfo"
printf 'vendor_id\t: AuthenticAMD\n' >"$P/proc/cpuinfo"
echo "device 0000:41:00.0" >"$P/etc/vfio-early.conf"
echo k >"$P/boot/efi/EFI/Pop_OS-$MID/vmlinuz.efi" && echo i >"$P/boot/efi/EFI/Pop_OS-$MID/initrd.img"
printf '{\n  "default": {\n    "kernel_options": [\n      "quiet"\n    ]\n  },\n  "user": {\n    "kernel_options": [\n      "quiet",\n      "splash"\n    ]\n  }\n}\n' \
	>"$P/etc/kernelstub/configuration"
echo "default Pop_OS-current" >"$P/boot/efi/loader/loader.conf"
pop_entry() {
	printf 'title Pop!_OS\nlinux /EFI/Pop_OS-%s/vmlinuz.efi\ninitrd /EFI/Pop_OS-%s/initrd.img\noptions root=UUID=1 ro quiet splash\n' \
		"$MID" "$MID" >"$P/boot/efi/loader/entries/Pop_OS-current.conf"
}
pop_entry
cp "$P/boot/efi/loader/entries/Pop_OS-current.conf" "$P/boot/efi/loader/entries/Pop_OS-oldkern.conf"
EV=$P/sys/firmware/efi/efivars efivar_str LoaderInfo "systemd-boot 249.11-0ubuntu3.7pop0"
pv() { "$B/vfio-early" --root="$P" "$@" >"$T/log" 2>&1; }
pv boot install
# an AMD CPU: the IOMMU is on by default and amd_iommu=on is no kernel option, so iommu=pt is all install adds
tap_check "kernelstub on AMD: install adds iommu=pt, and no amd_iommu= anywhere" eval \
	'grep -q "\"iommu=pt\"" "$P/etc/kernelstub/configuration" && ! grep -rq amd_iommu "$P/etc" "$P/boot"'
tap_check "kernelstub: install counts Pop_OS-current+4.conf" test -f "$P/boot/efi/loader/entries/Pop_OS-current+4.conf"
tap_check "kernelstub: LoaderEntryDefault \"Pop_OS-current*.conf\": loader.conf's \"Pop_OS-current\" no longer matches" \
	eval '[ "$(EV=$P/sys/firmware/efi/efivars efivar_get LoaderEntryDefault)" = "Pop_OS-current*.conf" ]'
pv boot show
tap_check "kernelstub: show: armed, 3 left" grep -q "automatic fallback: armed: 3 unconfirmed" "$T/log"
pop_entry # kernelstub rewrites its entry on every kernel and initramfs update; our hook runs after it
pv boot refresh
tap_check "kernelstub: after kernelstub wrote Pop_OS-current.conf again, refresh counts the new one, one copy" eval \
	'[ "$(ls "$P/boot/efi/loader/entries" | grep -c "^Pop_OS-current[+.]")" = 1 ] && test -f "$P/boot/efi/loader/entries/Pop_OS-current+4.conf"'
pv boot remove
tap_check "kernelstub: remove: Pop_OS-current.conf again, our LoaderEntryDefault gone" eval \
	'test -f "$P/boot/efi/loader/entries/Pop_OS-current.conf" && [ ! -e "$P/sys/firmware/efi/efivars/LoaderEntryDefault-$LG" ]'
tap_done
