#!/bin/bash
# Fault injection on the real binaries (the binder's internals are covered by
# tests/unit/test-faults.c): the binder exits 0 and says why whatever breaks;
# a CLI command that cannot do its job fails with a one-line error and leaves
# every file as it was. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/err TAP_DIAG_LINES=20
R=$T/root

snap() { (cd "$R" && find . -printf '%p %m %s\n' | sort && find . -type f -exec md5sum {} + | sort); }
# cli_fails NAME CMD...: exit 1, exactly one line on stderr and it is vfio-early's
# (not, say, runuser's "failed to execute"), the tree unchanged
cli_fails() {
	local name=$1; shift
	snap >"$T/before"
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	snap >"$T/after"
	if [ $rc = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q '^vfio-early: ' "$T/err" &&
		cmp -s "$T/before" "$T/after"; then
		tap_ok "$name"
	else
		echo "rc=$rc" >>"$T/err"
		diff "$T/before" "$T/after" | head -5 >>"$T/err"
		tap_not_ok "$name"
	fi
}
bind() { "$B/vfio-early-bind" --root="$R" --log=stderr >"$T/out" 2>"$T/err"; }

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
echo 'device 0000:00:05.0 group=whole' >"$R/etc/vfio-early.conf"

rm -r "$R/sys/bus/pci/drivers/vfio-pci"
bind
tap_check "no vfio-pci (no module, not built in): the binder exits 0" test $? = 0
tap_check "... and says why" grep -q 'vfio-pci driver is not available' "$T/err"
mkdir "$R/sys/bus/pci/drivers/vfio-pci"

rm -rf "$R/run/vfio-early"
echo 'in the way' >"$R/run/vfio-early"
bind
tap_check "/run not writable: the binder exits 0" test $? = 0
tap_check "... and logs that the status record could not be written" grep -q 'cannot write the status record' "$T/err"
rm "$R/run/vfio-early"

head -c 4096 /dev/urandom | tr '\0' x >"$R/proc/cmdline"
bind
tap_check "a 4 KiB junk command line: the binder exits 0 and writes its record" test $? = 0 -a -s "$R/run/vfio-early/status"
echo 'root=/dev/sda1' >"$R/proc/cmdline"

printf 'device 0000:00:05.0\n\001\002\000\377junk\n' >"$R/etc/vfio-early.conf"
bind
tap_check "a binary config: the binder exits 0" test $? = 0
cli_fails "add on a binary config: one-line error, nothing changed" "$B/vfio-early" --root="$R" add --function 0000:01:01.0
cli_fails "remove of an absent entry: one-line error, nothing changed" "$B/vfio-early" --root="$R" remove 0000:01:01.0
cli_fails "add of an absent device: one-line error, nothing changed" "$B/vfio-early" --root="$R" add 0000:42:00.0

echo 'device 0000:00:05.0 group=whole' >"$R/etc/vfio-early.conf"
if tap_nobody; then
	cli_fails "add on a tree the user cannot write: one-line error, nothing changed" \
		runuser -u nobody -- "$VE_NOBODY" --root="$R" add --function 0000:01:01.0
else
	tap_skip "add on a tree the user cannot write: one-line error, nothing changed" "$TAP_WHY"
fi

tap_done
