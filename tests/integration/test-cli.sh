#!/bin/bash
# The vfio-early command on the shared fake machine (tests/lib/machines.c):
# list, add, remove, status, exit codes, unprivileged use. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/out TAP_DIAG_LINES=20
R=$T/root

ve() { "$B/vfio-early" --root="$R" "$@" >"$T/out" 2>&1; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
has() { grep -q -- "$1" "$T/out"; }

"$B/tools/fake-machine" "$R" || { echo "not ok 1 - fake machine"; exit 1; }

ve list
check "list shows the four candidates with their groups" \
	test "$(rc)" = 0 -a "$(grep -c '^0000:' "$T/out")" = 4
check "list marks the boot VGA" grep -q 'boot VGA' "$T/out"
ve list --json
check "list --json is valid JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["devices"])==4' "$T/out"

ve add --dry-run 0000:00:05.0
check "add --dry-run changes nothing" test "$(rc)" = 0 -a ! -e "$R/etc/vfio-early.conf"
ve add 0000:00:05.0
check "add records address and id" grep -qx 'device 0000:00:05.0 id=1234:1111' "$R/etc/vfio-early.conf"
check "add proposes the other function of the group" has '0000:00:05.1'
cp "$R/etc/vfio-early.conf" "$T/before"
ve add 00:05.0
check "adding twice is a no-op" test "$(rc)" = 0 -a -z "$(diff "$T/before" "$R/etc/vfio-early.conf")"
ve add 1234:1111
check "an id shared by two cards is refused" test "$(rc)" = 1
check "... and says to use the address" has 'by its address'
ve add 00:1f.2
check "the controller holding the root file system is refused" test "$(rc)" = 1 -a -n "$(grep 'mounted file system' "$T/out")"
ve add 00:06.0
check "a bridge is refused" test "$(rc)" = 1
ve add 00:01.0
check "the boot VGA needs --allow-boot-vga" test "$(rc)" = 1 -a -n "$(grep allow-boot-vga "$T/out")"
ve add 0000:09:00.0
check "an absent device is a one-line error" test "$(rc)" = 1 -a "$(wc -l <"$T/out")" = 1
ve add
check "add without a device is a usage error" test "$(rc)" = 2
ve frobnicate
check "an unknown command is a usage error" test "$(rc)" = 2

ve status
check "status before any boot says the binder did not run" has 'did not run'
"$B/vfio-early-bind" --root="$R" --log=stderr 2>/dev/null
ve status
check "status shows the device and its action" has '0000:00:05.0'
check "status reads the mode" has 'Mode: *passthrough'
ve status --json
check "status --json is valid JSON with the device" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["devices"][0]["address"]=="0000:00:05.0"' "$T/out"
chmod -R a+rX "$T"
if command -v runuser >/dev/null; then
	runuser -u nobody -- "$B/vfio-early" --root="$R" status >"$T/out" 2>&1
	check "status works unprivileged" test $? = 0
	runuser -u nobody -- "$B/vfio-early" add 00:05.0 >"$T/out" 2>&1
	check "add on the real root refuses to run unprivileged" test $? = 1 -a -n "$(grep 'as root' "$T/out")"
fi

ve remove 0000:00:05.0
check "remove drops the entry and its comment" test "$(rc)" = 0 -a -z "$(grep -v '^# vfio-early:' "$R/etc/vfio-early.conf")"
check "remove keeps the previous file" grep -q '^device 0000:00:05.0' "$R/etc/vfio-early.conf.bak"
ve remove 0000:00:05.0
check "removing what is not there fails" test "$(rc)" = 1

echo "1..$n"
[ $failed = 0 ]
