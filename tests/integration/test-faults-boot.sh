#!/bin/bash
# vfio-early boot under faults, on a fake systemd-boot host: every write of
# 'boot install' failing in turn (a full or failing ESP), a read-only ESP,
# and an EFI variable store that refuses writes. Each time: exit 1, one clear
# error, and every file and variable as it was (the previous versions kept as
# under /var/lib/vfio-early/backup or as .bak do not count as changes). Uses
# strace's fault injection. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/err
if ! command -v strace >/dev/null || [ "$(id -u)" != 0 ]; then
	tap_skip_all "boot commands under faults: needs root and strace"
fi
MID=0123456789abcdef0123456789abcdef KVER=6.1.0-56-amd64
EFIVARS=sys/firmware/efi/efivars LOADER_GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f

# a Debian host booted through systemd-boot, as kernel-install lays it out
host() {
	local r=$T/r
	rm -rf "$r"
	mkdir -p "$r/proc/self" "$r/boot/efi/loader/entries" "$r/boot/efi/$MID/$KVER" "$r/etc" "$r/$EFIVARS"
	printf '%s\n' "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw" \
		"30 22 254:17 / /boot/efi rw,relatime - vfat /dev/vdb1 rw" >"$r/proc/self/mountinfo"
	printf 'vendor_id\t: GenuineIntel\n' >"$r/proc/cpuinfo"
	echo "$MID" >"$r/etc/machine-id"
	echo kernel >"$r/boot/efi/$MID/$KVER/linux"
	echo initrd >"$r/boot/efi/$MID/$KVER/initrd"
	printf 'timeout 3\n' >"$r/boot/efi/loader/loader.conf"
	printf '%s\n' "title Debian GNU/Linux 12" "version $KVER" "machine-id $MID" "sort-key debian" \
		"options root=/dev/vda ro quiet" "linux /$MID/$KVER/linux" "initrd /$MID/$KVER/initrd" \
		>"$r/boot/efi/loader/entries/$MID-$KVER.conf"
	# the running loader honours LoaderEntryOneShot (LoaderFeatures bit 3)
	printf '\006\000\000\000\377\007\000\000\000\000\000\000' >"$r/$EFIVARS/LoaderFeatures-$LOADER_GUID"
}

# snap: every file with its content, backups and temporaries left out
snap() { (cd "$T/r" && find . -type f ! -name '*.bak' ! -name '.*.tmp-*' ! -path './var/lib/vfio-early/backup/*' -exec md5sum {} + | sort); }

ve() { "$B/vfio-early" --root="$T/r" "$@"; }

host
ve boot install >/dev/null 2>"$T/err"
tap_check "a clean install works on the fake host" test $? = 0
snap >"$T/installed"
host
snap >"$T/pristine"

# how many write() calls one install makes
host
strace -qq -f -o "$T/count" -e trace=write "$B/vfio-early" --root="$T/r" boot install >/dev/null 2>&1
total=$(grep -c '^[0-9]* *write(' "$T/count")
bad=
for when in $(seq 1 "$total"); do
	host
	strace -qq -f -o /dev/null -e trace=write -e inject="write:error=ENOSPC:when=$when" \
		"$B/vfio-early" --root="$T/r" boot install >/dev/null 2>"$T/err"
	rc=$?
	snap >"$T/now"
	if [ $rc = 0 ]; then
		cmp -s "$T/now" "$T/installed" || bad="$bad #$when(rc=0-but-incomplete)"
	else
		cmp -s "$T/now" "$T/pristine" || bad="$bad #$when(half-written)"
		[ -s "$T/err" ] || bad="$bad #$when(no-error-message)"
	fi
done
if [ -z "$bad" ] && [ "$total" -gt 0 ]; then
	tap_ok "install with each of its $total writes failing (ESP full): all or nothing"
else
	tap_not_ok "install with each of its $total writes failing (ESP full): all or nothing:${bad:- no write seen}"
fi

host
# a read-only ESP, in a private mount namespace so the host sees nothing
unshare -m sh -c 'mount --bind "$1/boot/efi" "$1/boot/efi" && mount -o remount,bind,ro "$1/boot/efi" &&
	exec "$2" --root="$1" boot install' sh "$T/r" "$B/vfio-early" >/dev/null 2>"$T/err"
rc=$?
snap >"$T/now"
tap_check "a read-only ESP: install fails with an error and changes nothing" \
	test $rc = 1 -a -s "$T/err" -a -z "$(diff "$T/now" "$T/pristine")"

host
ve boot install >/dev/null 2>&1
snap >"$T/before"
# only the writes to the variable fail (-P), not the one that reports the error
strace -qq -f -o /dev/null -P "$T/r/$EFIVARS/LoaderEntryOneShot-$LOADER_GUID" -e trace=write \
	-e inject=write:error=ENOSPC "$B/vfio-early" --root="$T/r" boot recovery --next >/dev/null 2>"$T/err"
rc=$?
snap >"$T/now"
tap_check "the EFI variable store full: recovery --next fails in one line, nothing set" \
	test $rc = 1 -a "$(wc -l <"$T/err")" = 1 -a -z "$(diff "$T/now" "$T/before")" \
	-a ! -e "$T/r/$EFIVARS/LoaderEntryOneShot-$LOADER_GUID"
ve boot recovery --next >/dev/null 2>"$T/err"
tap_check "... and works once the store takes writes again" test -f "$T/r/$EFIVARS/LoaderEntryOneShot-$LOADER_GUID"
tap_done
