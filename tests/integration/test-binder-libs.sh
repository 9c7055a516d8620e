#!/bin/bash
# shellcheck disable=SC2016 # eval '...' defers expansion to the check, on purpose
# The binder links only libc, and opens libkmod (dlopen) only when a boot
# must load a module: never with vfio-pci built in or already loaded, on a
# vfio_early=off boot, or when nothing is configured or nothing matches.
# glibc's loader says which libraries a run opened (LD_DEBUG=files). When
# libkmod is missing, the binder says so in one line and the boot goes on.
# Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
BIND=$B/vfio-early-bind
R=$T/root

# libs NAME: runs the binder on $R, its loader's log of opened files in $T/ld.NAME
libs() {
	rm -f "$T/ld.$1".*
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld.$1" "$BIND" --root="$R" --log=stderr >"$T/out.$1" 2>&1
}
opened() { cat "$T/ld.$1".* 2>/dev/null | grep -o 'file=[^ ]*' | sed 's/file=//' | sort -u; }
no_kmod() { ! opened "$1" | grep -q libkmod && opened "$1" | grep -q libc.so; }
machine() {
	rm -rf "$R"
	"$B/tools/fake-machine" "$R" >/dev/null
	echo "${1:-}" >"$R/etc/vfio-early.conf"
}

needed=$(readelf -d "$BIND" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
TAP_DIAG=$T/needed
echo "NEEDED: $needed" >"$TAP_DIAG"
tap_check "the binder links libc only (NEEDED: $needed)" test "$needed" = "libc.so.6 "

TAP_DIAG=$T/out.builtin
machine "device 0000:00:05.0 group=whole"
libs builtin
tap_check "vfio-pci registered: binds without opening libkmod" \
	eval 'no_kmod builtin && grep -q "action=failed\|action=bound" "$R/run/vfio-early/status"'

TAP_DIAG=$T/out.off
machine "device 0000:00:05.0 group=whole"
rm -r "$R/sys/bus/pci/drivers/vfio-pci"
echo "quiet vfio_early=off" >"$R/proc/cmdline"
libs off
tap_check "vfio_early=off: libkmod never opened" no_kmod off

TAP_DIAG=$T/out.none
machine ""
rm -r "$R/sys/bus/pci/drivers/vfio-pci"
libs none
tap_check "nothing configured: libkmod never opened" no_kmod none

TAP_DIAG=$T/out.nomatch
machine "device 0000:07:00.0 id=10de:2684"
rm -r "$R/sys/bus/pci/drivers/vfio-pci"
libs nomatch
tap_check "nothing matches: libkmod never opened" \
	eval 'no_kmod nomatch && grep -q "action=skipped.*no PCI device at 0000:07:00.0" "$R/run/vfio-early/status"'

# vfio-pci to load: the fake root has no lib/modules, so nothing can be inserted
TAP_DIAG=$T/out.load
machine "device 0000:00:05.0 group=whole"
rm -r "$R/sys/bus/pci/drivers/vfio-pci"
libs load
tap_check "vfio-pci to load: libkmod opened then" eval 'opened load | grep -q "^libkmod.so.2$"'
tap_check "... and the targets fail with the reason, the boot going on" \
	grep -q "vfio-pci driver is not available" "$R/run/vfio-early/status"

lib=$("$BIND" --print-dlopen 2>"$T/err")
TAP_DIAG=$T/err
tap_check "--print-dlopen names the library the loader finds ($lib)" \
	eval 'case $lib in /*/libkmod.so.2) test -f "$lib" ;; *) false ;; esac'

# libkmod missing: a private mount namespace where the file is empty
if [ "$(id -u)" = 0 ] && [ -n "$lib" ] && unshare -m true 2>/dev/null; then
	missing() { unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" "$@"; }
	machine "device 0000:00:05.0 group=whole"
	rm -r "$R/sys/bus/pci/drivers/vfio-pci"
	missing "$BIND" --root="$R" --log=stderr >"$T/out.missing" 2>&1
	rc=$?
	TAP_DIAG=$T/out.missing
	tap_check "libkmod missing: exit 0, one line naming it and what to do" \
		eval '[ $rc = 0 ] && [ "$(grep -c "cannot load libkmod.so.2 (.*): no kernel module can be loaded; install libkmod and rebuild the initramfs" "$T/out.missing")" = 1 ]'
	tap_check "libkmod missing: the targets are recorded as failed" \
		grep -q "action=failed.*vfio-pci driver is not available" "$R/run/vfio-early/status"
	missing "$BIND" --print-dlopen >"$T/out.missing-print" 2>&1
	# shellcheck disable=SC2034 # read by the eval below
	rc=$?
	TAP_DIAG=$T/out.missing-print
	tap_check "libkmod missing: --print-dlopen fails and says why" \
		eval '[ $rc = 1 ] && grep -q "cannot load libkmod.so.2" "$T/out.missing-print"'
else
	tap_skip "libkmod missing" "needs root and unshare -m"
fi
tap_done
