#!/bin/bash
# The binder and the read-only CLI verbs once each under valgrind on the
# shared fake machine: no invalid access, no leak, no uninitialised read.
# Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
R=$T/root

command -v valgrind >/dev/null || tap_skip_all "valgrind is not installed (apt install valgrind)"
# vg NAME CMD...: CMD under valgrind; a report or a leak fails (the command's own exit code is ignored)
vg() {
	local name=$1; shift
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes "$@" >"$T/out" 2>"$T/vg"
	if [ $? = 99 ] || grep -q '^==[0-9]*==' "$T/vg"; then
		grep '^==' "$T/vg" >"$T/report"
		TAP_DIAG_LINES=30 tap_not_ok "$name" "$T/report"
	else
		tap_ok "$name"
	fi
}

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
printf 'device 0000:00:05.0 group=whole\ndevice 0000:00:01.0\ndevice 8086:100e\nbad line\n' >"$R/etc/vfio-early.conf"
echo 'root=/dev/sda1 vfio_early.devices=00:06.0 vfio_early.bogus' >"$R/proc/cmdline"

vg "binder" "$B/vfio-early-bind" --root="$R" --log=stderr
test -s "$R/run/vfio-early/status" || echo "# the binder left no status record"
vg "status" "$B/vfio-early" --root="$R" status
vg "status --json" "$B/vfio-early" --root="$R" status --json
vg "list" "$B/vfio-early" --root="$R" list
vg "list --json" "$B/vfio-early" --root="$R" list --json
vg "check" "$B/vfio-early" --root="$R" check
vg "xml" "$B/vfio-early" --root="$R" xml 00:05.0

tap_done
