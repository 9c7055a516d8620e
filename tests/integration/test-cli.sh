#!/bin/bash
# The vfio-early command on the shared fake machine (tests/lib/machines.c), as
# a new user meets it: options anywhere, -q, list, add (the IOMMU group asked
# for or required, entries upgraded, lspci's names and short forms, several
# devices, the warnings), remove, status and its exit statuses, colour.
# Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/out TAP_DIAG_LINES=20
R=$T/root
CONF=$R/etc/vfio-early.conf

ve() { "$B/vfio-early" --root="$R" "$@" >"$T/out" 2>&1; echo $? >"$T/rc"; }
# vs: standard output and error apart
vs() { "$B/vfio-early" --root="$R" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
has() { grep -q -- "$1" "$T/out"; }
# on_tty INPUT ARGS...: vfio-early on a terminal (script(1) gives it one), INPUT typed
on_tty() {
	local input=$1
	shift
	printf '%s' "$input" | script -qec "$(printf '%q ' "$B/vfio-early" --root="$R" "$@")" /dev/null >"$T/out" 2>&1
	echo $? >"$T/rc"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$T/out"; }

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
# the names lspci prints come from the stock pci.ids (Debian package pci.ids)
mkdir -p "$R/usr/share/misc" && cp /usr/share/misc/pci.ids "$R/usr/share/misc/pci.ids"

# ---------------------------------------------------------------- list
ve list
tap_check "list: one line per candidate function, under a header" \
	test "$(rc)" = 0 -a "$(grep -c '^0000:' "$T/out")" = 4 -a -n "$(grep '^ADDRESS ' "$T/out")"
tap_check "list marks the boot VGA" grep -q '^0000:00:01.0 .*\[boot VGA\]' "$T/out"
tap_check "list names a known device as lspci does" grep -q 'Audio device: Intel Corporation 82801I (ICH9 Family) HD Audio Controller' "$T/out"
tap_check "list names a device pci.ids lacks as lspci does" grep -q '^0000:00:05.0 .*Display controller: Device 1234:1111' "$T/out"
sed -i 's/^pci:v00001AF4d00001050/pci:v00001AF4d0000FFFF/' "$R/sys/bus/pci/devices/0000:01:01.0/modalias"
ve list
tap_check "an unknown device of a known vendor still shows the vendor's name" \
	grep -q '^0000:01:01.0 .*Red Hat, Inc. Device ffff' "$T/out"
sed -i 's/^pci:v00001AF4d0000FFFF/pci:v00001AF4d00001050/' "$R/sys/bus/pci/devices/0000:01:01.0/modalias"
ve list
cp "$T/out" "$T/list-before"
"$B/vfio-early" list --root="$R" >"$T/out" 2>&1
tap_check "options anywhere: 'list --root=DIR' is 'vfio-early --root=DIR list'" cmp -s "$T/out" "$T/list-before"
ve list --all
tap_check "list --all: every PCI function, bridges and storage too" test "$(grep -c '^0000:' "$T/out")" = 8
ve list -v
tap_check "list -v: the members of each IOMMU group" \
	test -n "$(grep 'IOMMU group 3:' "$T/out")" -a -n "$(grep '^ *0000:01:02.0 .*Ethernet controller' "$T/out")"
ve list --json
tap_check "list --json: valid JSON, versioned, four devices" json 'assert d["schema_version"]==1 and len(d["devices"])==4'
cp -a "$R" "$T/empty"
rm -r "$T/empty/sys/bus/pci/devices/"{0000:00:01.0,0000:00:05.0,0000:00:05.1,0000:01:01.0}
"$B/vfio-early" --root="$T/empty" list >"$T/out" 2>&1
tap_check "list on a machine without candidates says so, and how to see the rest" \
	grep -q "No display, audio or USB controller found. 'vfio-early list --all'" "$T/out"

# ---------------------------------------------------------------- add
ve add --dry-run --group 0000:00:05.0
tap_check "add --dry-run changes nothing" test "$(rc)" = 0 -a ! -e "$CONF"
vs add 00:05.0 </dev/null
tap_check "add of a function whose group holds more, off a terminal: usage error naming --group and --function" \
	test "$(rc)" = 2 -a -n "$(grep -e '--group' "$T/err" | grep -e '--function')" -a ! -e "$CONF"
on_tty $'\n' add 00:05.0
tap_check "add on a terminal asks about the group; Enter takes it (group=whole)" \
	test "$(rc)" = 0 -a -n "$(grep 'Take it too (group=whole)? \[Y/n\]' "$T/out")" \
	-a -n "$(grep -x 'device 0000:00:05.0 id=1234:1111 group=whole members=0000:00:05.0/1234:1111,0000:00:05.1/8086:293e' "$CONF")"
tap_check "the comment names the device as lspci does" \
	grep -qx "# added by 'vfio-early add': 0000:00:05.0 Display controller: Device 1234:1111" "$CONF"
rm "$CONF"*
on_tty $'n\n' add 00:05.0
tap_check "... 'n' writes the function alone, and warns that the group is refused" \
	test "$(rc)" = 0 -a -n "$(grep -x 'device 0000:00:05.0 id=1234:1111' "$CONF")" \
	-a -n "$(grep 'warning: as things are, the binder would refuse 0000:00:05.0 at boot: IOMMU group 2 would be left half-bound: 0000:00:05.1' "$T/out")"
cp "$CONF" "$T/before"
vs add 00:05.0
tap_check "adding it again is a no-op, exit 0" \
	test "$(rc)" = 0 -a -z "$(diff "$T/before" "$CONF")" -a -n "$(grep 'already configured' "$T/out")"
vs add --group 0:5.0
tap_check "add --group (lspci's short form) on the function entry upgrades it to group=whole" \
	test "$(rc)" = 0 -a "$(grep -c '^device' "$CONF")" = 1 \
	-a -n "$(grep -x 'device 0000:00:05.0 id=1234:1111 group=whole members=0000:00:05.0/1234:1111,0000:00:05.1/8086:293e' "$CONF")" \
	-a -n "$(grep 'Changed /etc/vfio-early.conf:3' "$T/out")"
vs add 00:05.1
tap_check "a member of a group=whole entry's group is already passed through" \
	test "$(rc)" = 0 -a -n "$(grep 'already passed through with the IOMMU group of 0000:00:05.0' "$T/out")"
ve list --json
tap_check "list --json: the group member shows as configured, via the entry's device" \
	json 'x={e["address"]: e for e in d["devices"]}["0000:00:05.1"]; assert x["configured"] is True and x["via"]=="0000:00:05.0" and x["entry"]=="/etc/vfio-early.conf:3", x'
ve list
tap_check "list: the group member shows as configured" grep -q '^0000:00:05.1 .*\[configured with its group\]' "$T/out"
rm "$CONF"*
vs add --function 00:05.1
vs add 00:05.0 </dev/null
tap_check "group questions count existing entries: the rest of the group is configured, no question, no warning" \
	test "$(rc)" = 0 -a ! -s "$T/err" -a "$(grep -c '^device' "$CONF")" = 2
rm "$CONF"*
vs -q add --function 00:05.0 00:05.1
tap_check "several devices in one call, and -q prints nothing" \
	test "$(rc)" = 0 -a ! -s "$T/out" -a ! -s "$T/err" -a "$(grep -c '^device' "$CONF")" = 2
rm "$CONF"*
vs add 00:05.0 -q --group
tap_check "options after the device, -q among them" test "$(rc)" = 0 -a ! -s "$T/out" -a -n "$(grep group=whole "$CONF")"
rm "$CONF"*
ve add 1234:1111
tap_check "an id shared by two cards is refused, naming both" test "$(rc)" = 1 -a -n "$(grep '0000:00:01.0, 0000:00:05.0' "$T/out")"
ve add 00:1f.2
tap_check "the controller holding the root file system is refused, naming it" test "$(rc)" = 1 -a -n "$(grep 'on the path to the host.s running system: / (sda1)' "$T/out")"
ve add 00:06.0
tap_check "a bridge is refused" test "$(rc)" = 1
ve add 00:01.0
tap_check "the boot VGA needs --allow-boot-vga" test "$(rc)" = 1 -a -n "$(grep allow-boot-vga "$T/out")"
ve add 0000:09:00.0
tap_check "an absent device is a one-line error" test "$(rc)" = 1 -a "$(wc -l <"$T/out")" = 1
ve add 01:00
tap_check "an address without its function says how to write it" test "$(rc)" = 2 -a -n "$(grep "01:00.0" "$T/out")"
vs add --allow-boot-vga --group 00:01.0 00:05.0 01:01.0
tap_check "--allow-boot-vga taking every display, no recovery entry: a warning" \
	test "$(rc)" = 0 -a -n "$(grep 'keeps no display of its own, and no recovery entry is installed' "$T/err")"
rm "$CONF"*
vs add --allow-boot-vga 00:01.0
tap_check "... not while the host keeps another display" test "$(rc)" = 0 -a -z "$(grep 'no display' "$T/err")"
rm "$CONF"*
cp -a "$R" "$T/noiommu" && rm -r "$T/noiommu/sys/class/iommu/"*
"$B/vfio-early" --root="$T/noiommu" add --group 00:05.0 >"$T/out" 2>&1
tap_check "add warns when the IOMMU is off" grep -q 'warning: the IOMMU is not active' "$T/out"

# ---------------------------------------------------------------- status and its exit statuses
ve status
tap_check "status before any boot: the binder did not run, exit 5" test "$(rc)" = 5 -a -n "$(grep 'did not run' "$T/out")"
ve status --json
tap_check "status --json without a record: every key, null where unknown, state not_run" \
	json 'assert d["state"]=="not_run" and d["mode"] is None and d["iommu"] is None and d["binder"]["ran"] is False and d["binder"]["elapsed_us"] is None and d["devices"]==[]'
cp "$T/out" "$T/norecord.json"
mkdir -p "$R/run/vfio-early" && echo garbage >"$R/run/vfio-early/status"
vs status
tap_check "a status record that cannot be read: exit 1, one error line" \
	test "$(rc)" = 1 -a "$(grep -c 'error: cannot read the status record' "$T/err")" = 1
rm "$R/run/vfio-early/status"
ve add --group 00:05.0
# the initramfs as the hooks build it: the installed system's facts the binder decides from
mods=$(dirname "$(ls /lib/modules/*/modules.alias.bin | head -n 1)")
"$B/vfio-early-image-facts" --root="$R" --modules="$mods" --output="$R/usr/lib/vfio-early/host" 2>/dev/null
"$B/vfio-early-bind" --root="$R" --log=stderr 2>/dev/null
ve status
tap_check "a device the bind did not take: exit 3, the exact command instead of 'see the kernel log'" \
	test "$(rc)" = 3 -a -n "$(grep 'sudo dmesg | grep 0000:00:05.0' "$T/out")" -a -z "$(grep 'see the kernel log' "$T/out")"
tap_check "status names each device as lspci does" grep -q '^ *Display controller: Device 1234:1111' "$T/out"
# as the kernel leaves it after a bind that took
for f in 0000:00:05.0 0000:00:05.1; do ln -s ../../../bus/pci/drivers/vfio-pci "$R/sys/bus/pci/devices/$f/driver"; done
sed -i 's/action=failed/action=bound/; s/reason="vfio-pci did not bind it[^"]*"/reason="listed"/' "$R/run/vfio-early/status"
ve status
tap_check "every configured device on vfio-pci: exit 0, State: ok" test "$(rc)" = 0 -a -n "$(grep 'State: *ok' "$T/out")"
tap_check "status shows the device and its action" has '0000:00:05.0 .*bound .*driver now: vfio-pci'
tap_check "status reads the mode" has 'Mode: *passthrough'
ve status --json
tap_check "status --json: the device, state ok, as_configured" \
	json 'x=d["devices"][0]; assert d["state"]=="ok" and x["address"]=="0000:00:05.0" and x["as_configured"] is True and x["name"]=="Display controller: Device 1234:1111"'
tap_check "status --json has the same keys with a record as without one" python3 -c 'import json,sys
a,b=(json.load(open(f)) for f in sys.argv[1:3])
assert set(a)==set(b) and set(a["binder"])==set(b["binder"]), set(a)^set(b)' "$T/norecord.json" "$T/out"
vs -q status
tap_check "status -q: nothing printed, the exit status tells" test "$(rc)" = 0 -a ! -s "$T/out" -a ! -s "$T/err"
rm "$R/sys/bus/pci/devices/0000:00:05.1/driver"
ve status
tap_check "a device rebound since boot: exit 3" test "$(rc)" = 3
ln -s ../../../bus/pci/drivers/vfio-pci "$R/sys/bus/pci/devices/0000:00:05.1/driver"
cp "$CONF" "$T/conf.saved"
echo 'device 0000:01:01.0 id=1af4:1050 group=whole' >>"$CONF"
ve status
tap_check "an entry added since boot: exit 3, named" test "$(rc)" = 3 -a -n "$(grep 'Not in this boot' "$T/out")"
cp "$T/conf.saved" "$CONF"
sed -i 's/^boot mode=passthrough/boot mode=recovery/' "$R/run/vfio-early/status"
ve status
tap_check "a recovery boot: exit 4" test "$(rc)" = 4 -a -n "$(grep 'State: *recovery' "$T/out")"
sed -i 's/^boot mode=recovery/boot mode=passthrough/' "$R/run/vfio-early/status"

# ---------------------------------------------------------------- colour
if command -v script >/dev/null; then
	on_tty '' status
	tap_check "colour on a terminal" grep -q $'\033\\[32m' "$T/out"
	NO_COLOR=1 on_tty '' status
	tap_check "... not with NO_COLOR" test -z "$(grep $'\033' "$T/out")"
	ve status
	tap_check "... not when piped" test -z "$(grep $'\033' "$T/out")"
else
	tap_skip "colour on a terminal" "script(1) missing"
fi

if tap_nobody; then
	runuser -u nobody -- "$VE_NOBODY" --root="$R" status >"$T/out" 2>&1
	tap_check "status works unprivileged" test $? = 0
	runuser -u nobody -- "$VE_NOBODY" add --group 00:05.0 >"$T/out" 2>&1
	tap_check "add on the real root refuses to run unprivileged" test $? = 1 -a -n "$(grep 'as root' "$T/out")"
else
	tap_skip "status works unprivileged" "$TAP_WHY"
	tap_skip "add on the real root refuses to run unprivileged" "$TAP_WHY"
fi

# ---------------------------------------------------------------- remove
ve remove 0:5.0
tap_check "remove (lspci's short form) drops the entry and its comment" \
	test "$(rc)" = 0 -a -z "$(grep -v '^# vfio-early:' "$CONF")"
tap_check "remove keeps the previous file" grep -q '^device 0000:00:05.0' "$CONF.bak"
ve remove 0000:00:05.0
tap_check "removing what is not there fails" test "$(rc)" = 1
printf 'device 0000:00:05.0\ndevice 0000:01:01.0\n' >"$CONF"
ve remove 00:05.0 00:1f.2
tap_check "remove of several, one not configured: exit 1, nothing changed" \
	test "$(rc)" = 1 -a "$(grep -c '^device' "$CONF")" = 2
ve remove 00:05.0 01:01.0
tap_check "remove of several" test "$(rc)" = 0 -a "$(grep -c '^device' "$CONF")" = 0

tap_done
