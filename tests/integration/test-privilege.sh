#!/bin/bash
# Least privilege: the status record is 0644 and root-owned, whatever the
# umask; changing commands refuse to run unprivileged on the real root;
# reading commands work unprivileged. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/out TAP_DIAG_LINES=20
R=$T/root

tap_nobody || tap_skip_all "least privilege: $TAP_WHY"
"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
echo 'device 0000:00:05.0 group=whole' >"$R/etc/vfio-early.conf"

(umask 077 && "$B/vfio-early-bind" --root="$R" --log=stderr >"$T/out" 2>&1)
stat -c '%a %U %G' "$R/run/vfio-early/status" >"$T/out"
tap_check "the status record is 0644 root:root, even under umask 077" test "$(cat "$T/out")" = "644 root root"
stat -c '%a %U' "$R/run/vfio-early" >"$T/out"
tap_check "its directory is 0755 root" test "$(cat "$T/out")" = "755 root"
runuser -u nobody -- "$VE_NOBODY" --root="$R" status >"$T/out" 2>&1
tap_check "an unprivileged user can read it through status" grep -q 'Mode: *passthrough' "$T/out"

for verb in "add 00:05.0" "remove 00:05.0" "boot install" "boot remove"; do
	# shellcheck disable=SC2086
	runuser -u nobody -- "$VE_NOBODY" $verb >"$T/out" 2>&1
	rc=$?
	if grep -q 'not available in this build' "$T/out"; then
		tap_skip "'$verb' on the real root refuses to run unprivileged" "not in this build yet"
		continue
	fi
	tap_check "'$verb' on the real root refuses to run unprivileged" test $rc = 1 -a -n "$(grep 'as root' "$T/out")"
done
for verb in status list check xml; do
	runuser -u nobody -- "$VE_NOBODY" --root="$R" $verb >"$T/out" 2>&1
	rc=$?
	# status reports what it found in its exit status (3: the fake bind did not take); 2 would be a usage error
	tap_check "'$verb' needs no privilege" test $rc != 2 -a -z "$(grep -i -e 'as root' -e 'permission denied' "$T/out")"
done

tap_done
