#!/bin/bash
# The JSON of every command is one schema (docs/json.md): valid, versioned,
# snake_case keys, the same keys for the same things in every boot-loader
# backend (loader, booted_entry, default_entry, oneshot_entry, recovery,
# entries), machine values where scripts branch, absolute paths. Checked on
# a fake Pop!_OS host that has kernelstub, systemd-boot, the firmware's
# Boot#### and GRUB's configuration at once. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/diag TAP_DIAG_LINES=20
R=$T/root

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
cat >"$R/proc/self/mountinfo" <<'M'
22 1 254:2 / / rw,relatime - ext4 /dev/vda2 rw
30 22 254:1 / /boot/efi rw,relatime - vfat /dev/vda1 rw,fmask=0077
M
mkdir -p "$R/sys/firmware/efi/efivars" "$R/boot/efi/EFI/systemd" "$R/boot/efi/loader/entries" "$R/boot/efi/EFI/Pop_OS-abcd" "$R/etc/kernelstub"
echo MZ >"$R/boot/efi/EFI/systemd/systemd-bootx64.efi"
printf 'title Pop!_OS\nlinux /EFI/Pop_OS-abcd/vmlinuz.efi\ninitrd /EFI/Pop_OS-abcd/initrd.img\noptions root=UUID=abcd ro quiet splash\n' >"$R/boot/efi/loader/entries/Pop_OS-current.conf"
printf 'default Pop_OS-current\n' >"$R/boot/efi/loader/loader.conf"
echo kernel >"$R/boot/efi/EFI/Pop_OS-abcd/vmlinuz.efi"
printf '{\n  "default": {\n    "kernel_options": [\n      "quiet",\n      "splash"\n    ],\n    "esp_path": "/boot/efi"\n  },\n  "user": {\n    "kernel_options": [\n      "quiet",\n      "splash"\n    ],\n    "esp_path": "/boot/efi",\n    "setup_loader": true,\n    "manage_mode": true,\n    "force_update": false,\n    "live_mode": false,\n    "config_rev": 3\n  }\n}\n' >"$R/etc/kernelstub/configuration"
G=8be4df61-93ca-11d2-aa0d-00e098032b8c
printf '\x07\x00\x00\x00\x00\x00' >"$R/sys/firmware/efi/efivars/BootOrder-$G"
printf '\x07\x00\x00\x00\x00\x00' >"$R/sys/firmware/efi/efivars/BootCurrent-$G"
printf '\x07\x00\x00\x00\x01\x00\x00\x00\x04\x00P\x00o\x00p\x00\x00\x00\x7f\xff\x04\x00' >"$R/sys/firmware/efi/efivars/Boot0000-$G"
L=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
printf '\x06\x00\x00\x00P\x00o\x00p\x00_\x00O\x00S\x00-\x00c\x00u\x00r\x00r\x00e\x00n\x00t\x00.\x00c\x00o\x00n\x00f\x00\x00\x00' >"$R/sys/firmware/efi/efivars/LoaderEntrySelected-$L"
mkdir -p "$R/etc/default"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"' >"$R/etc/default/grub"
echo 'device 0000:00:05.0 id=1234:1111 group=whole' >"$R/etc/vfio-early.conf"
"$B/vfio-early-bind" --root="$R" --log=stderr 2>/dev/null

for cmd in "status" "list" "list --all" "check" "boot show"; do
	f=$T/$(echo "$cmd" | tr ' ' _).json
	# shellcheck disable=SC2086
	"$B/vfio-early" --root="$R" $cmd --json >"$f" 2>"$T/diag"
done

# schema FILE PYTHON: runs PYTHON with d, the document, and keys(d), every key in it
schema() {
	python3 - "$@" >"$T/diag" 2>&1 <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
def keys(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from keys(v)
    elif isinstance(x, list):
        for v in x:
            yield from keys(v)
exec(sys.argv[2])
PY
}
for f in status list list_--all check boot_show; do
	if schema "$T/$f.json" 'assert d["schema_version"] == 1, d.get("schema_version")
bad = [k for k in keys(d) if not re.fullmatch("[a-z][a-z0-9_]*", k)]
assert not bad, bad'; then tap_ok "$f --json: valid, schema_version 1, snake_case keys"; else tap_not_ok "$f --json: valid, schema_version 1, snake_case keys"; fi
done

if schema "$T/boot_show.json" 'L = {l["loader"]: l for l in d["loaders"]}
assert {"booted_by", "booted_how", "not_in_use", "loaders"} <= set(d), set(d)
assert set(L) | set(d["not_in_use"]) == {"kernelstub", "systemd-boot", "firmware", "grub"}, (set(L), d["not_in_use"])
for n, l in L.items():
    missing = {"loader", "booted_entry", "default_entry", "oneshot_entry", "recovery", "entries"} - set(l)
    assert not missing, (n, missing)
    assert "name" not in l, n
    assert l["recovery"]["state"] in ("ok", "missing", "stale", "not_installed", "unknown"), l["recovery"]
    for e in l["entries"]:
        assert "id" in e and "title" in e, (n, e)'; then
	tap_ok "boot show --json: every loader has the same keys for the same things"
else
	tap_not_ok "boot show --json: every loader has the same keys for the same things"
fi
if schema "$T/boot_show.json" 'L = {l["loader"]: l for l in d["loaders"]}
s = L["systemd-boot"]
assert s["esp"] == "/boot/efi", s["esp"]
assert all(e["path"].startswith("/boot/efi/loader/entries/") for e in s["entries"]), s["entries"]
assert L["firmware"]["booted_entry"] == "Boot0000" and L["firmware"]["boot_order"] == ["Boot0000"]'; then
	tap_ok "boot show --json: paths are absolute, Boot#### named as the firmware names them"
else
	tap_not_ok "boot show --json: paths are absolute, Boot#### named as the firmware names them"
fi
if schema "$T/status.json" 'B = json.load(open(sys.argv[3]))
show = {l["loader"]: l["recovery"]["state"] for l in B["loaders"]}
st = {b["loader"]: b["recovery"]["state"] for b in d["boot"]}
assert st == show, (st, show)
assert d["state"] in ("ok", "degraded", "recovery", "not_run", "error")
for x in d["devices"]:
    assert x["entry"].startswith("/etc/"), x["entry"]
    assert x["action"] in ("bind", "refused", "skipped", "bound", "already_bound", "failed", "timed_out"), x["action"]
    assert isinstance(x["late"], bool), x
    assert isinstance(x["as_configured"], bool) and isinstance(x["present"], bool)' "$T/boot_show.json"; then
	tap_ok "status --json: the recovery state is boot show's, machine values for state and action"
else
	tap_not_ok "status --json: the recovery state is boot show's, machine values for state and action"
fi
if schema "$T/list.json" 'for x in d["devices"]:
    assert isinstance(x["configured"], bool) and isinstance(x["boot_vga"], bool), x
    assert x["entry"] is None or x["entry"].startswith("/etc/"), x
    for m in x["group_members"]:
        assert set(m) <= set(x), set(m) - set(x)
c = {x["address"]: x["configured"] for x in d["devices"]}
assert c["0000:00:05.1"] is True and c["0000:00:01.0"] is False, c'; then
	tap_ok "list --json: booleans for yes/no, absolute config paths, group members with the same keys"
else
	tap_not_ok "list --json: booleans for yes/no, absolute config paths, group members with the same keys"
fi
if schema "$T/check.json" 'for c in d["checks"]:
    assert set(c) == {"id", "title", "result", "detail", "fix"}, c
    assert c["result"] in ("pass", "warn", "fail", "skip"), c
    assert c["result"] != "fail" or c["fix"], ("a failure without its fix", c)
assert set(d["summary"]) == {"pass", "warn", "fail", "skip"}'; then
	tap_ok "check --json: the same keys in every item, a fix for every failure"
else
	tap_not_ok "check --json: the same keys in every item, a fix for every failure"
fi
tap_check "docs/json.md documents every loader key" grep -q 'oneshot_entry' docs/json.md

tap_done
