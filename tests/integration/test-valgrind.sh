#!/bin/bash
# The binder and the read-only CLI verbs once each under valgrind on the
# shared fake machine: no invalid access, no leak, no uninitialised read.
# Prints TAP.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
R=$T/root
n=0 failed=0

if ! command -v valgrind >/dev/null; then
	echo "ok 1 - valgrind # SKIP valgrind is not installed (apt install valgrind)"
	echo "1..1"
	exit 0
fi
# vg NAME CMD...: CMD under valgrind; a report or a leak fails (the command's own exit code is ignored)
vg() {
	local name=$1; shift
	n=$((n + 1))
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes "$@" >"$T/out" 2>"$T/vg"
	if [ $? = 99 ] || grep -q '^==[0-9]*==' "$T/vg"; then
		failed=$((failed + 1))
		echo "not ok $n - $name"
		grep '^==' "$T/vg" | head -30 | sed 's/^/# /'
	else
		echo "ok $n - $name"
	fi
}

"$B/tools/fake-machine" "$R" || { echo "not ok 1 - fake machine"; exit 1; }
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

echo "1..$n"
[ $failed = 0 ]
