#!/bin/bash
# make install DESTDIR=... puts every file where the README and the man pages say,
# and make uninstall takes them all away again. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

if make -s install B="$B" DESTDIR="$T/d" >"$T/log" 2>&1; then tap_ok "make install succeeds"; else tap_not_ok "make install succeeds" "$T/log"; fi
for f in usr/sbin/vfio-early usr/libexec/vfio-early/vfio-early-bind usr/share/initramfs-tools/hooks/vfio-early \
	usr/share/man/man8/vfio-early.8 usr/share/man/man5/vfio-early.conf.5 usr/share/man/man8/vfio-early-bind.8 \
	usr/share/doc/vfio-early/vfio-early.conf.example usr/share/doc/vfio-early/json.md \
	usr/share/bash-completion/completions/vfio-early usr/share/zsh/vendor-completions/_vfio-early \
	usr/share/doc/vfio-early/fallback.md usr/lib/systemd/system/vfio-early-confirm.service \
	usr/lib/systemd/system/vfio-early-session.path usr/lib/systemd/system/vfio-early-session.service; do
	if [ -f "$T/d/$f" ]; then tap_ok "installs /$f"; else tap_not_ok "installs /$f"; fi
done
if ls "$T/d/usr/share/initramfs-tools/scripts/init-top/"* >/dev/null 2>&1; then
	tap_ok "installs an initramfs-tools init-top script"
else
	tap_not_ok "installs an initramfs-tools init-top script"
fi
R=$T/d/usr/lib/udev/rules.d/61-vfio-early.rules
if [ -f "$R" ] && [ "$(stat -c %a "$R")" = 644 ] &&
	grep -qE '^ACTION=="add", SUBSYSTEM=="pci", ENV\{SYNTH_UUID\}!="\?\*", RUN\+="/usr/libexec/vfio-early/vfio-early-bind --log=kmsg --added=%k"$' "$R"; then
	tap_ok "installs the udev rule for devices added after boot, naming the installed binder"
else
	tap_not_ok "installs the udev rule for devices added after boot, naming the installed binder"
	[ -f "$R" ] && sed 's/^/# /' "$R"
fi
# udev reads the rules files of every directory in one name order: ours must come before the
# host's stock rules that load drivers ("kmod load": 80-drivers.rules), so driver_override is set first
loaders=$(grep -l 'kmod load' /usr/lib/udev/rules.d/*.rules /lib/udev/rules.d/*.rules 2>/dev/null | xargs -r -n 1 basename | sort -u)
ours=$(ls "$T/d/usr/lib/udev/rules.d" 2>/dev/null | grep vfio-early)
if [ -z "$loaders" ]; then
	tap_skip "the udev rule comes before the rules that load drivers" "no udev rules with 'kmod load' on this host"
else
	tap_check "the udev rule ($ours) comes before the rules that load drivers ($(echo $loaders))" \
		test -n "$ours" -a "$(printf '%s\n' $ours $loaders | LC_ALL=C sort | head -n 1)" = "$ours"
fi
if command -v udevadm >/dev/null && udevadm verify --help >/dev/null 2>&1; then
	if udevadm verify "$R" >"$T/verify" 2>&1; then tap_ok "udevadm verify accepts the rule"; else tap_not_ok "udevadm verify accepts the rule"; sed 's/^/# /' "$T/verify"; fi
fi
if [ -x "$T/d/usr/sbin/vfio-early" ] && "$T/d/usr/sbin/vfio-early" --version | grep -q '^vfio-early '; then
	tap_ok "the installed command runs"
else
	tap_not_ok "the installed command runs"
fi
if bash -c '. "$1"; complete -p vfio-early' _ "$T/d/usr/share/bash-completion/completions/vfio-early" 2>/dev/null |
	grep -q -- '-F _vfio_early vfio-early'; then
	tap_ok "the installed bash completion registers itself for vfio-early"
else
	tap_not_ok "the installed bash completion registers itself for vfio-early"
fi
# the automatic fallback's callers are enabled where they are installed, as their [Install] says
U=$T/d/usr/lib/systemd/system
if [ "$(readlink "$U/multi-user.target.wants/vfio-early-confirm.service")" = ../vfio-early-confirm.service ] &&
	[ "$(readlink "$U/boot-complete.target.requires/vfio-early-confirm.service")" = ../vfio-early-confirm.service ] &&
	[ "$(readlink "$U/multi-user.target.wants/vfio-early-session.path")" = ../vfio-early-session.path ]; then
	tap_ok "the confirm unit is wanted by multi-user.target and required by boot-complete.target; the session path is enabled"
else
	tap_not_ok "the confirm unit is wanted by multi-user.target and required by boot-complete.target; the session path is enabled"
fi
if command -v systemd-analyze >/dev/null; then
	# against the host's own units; ExecStart pointed at the installed command (the host has none)
	mkdir -p "$T/units" && for u in vfio-early-confirm.service vfio-early-session.path vfio-early-session.service; do
		sed "s|/usr/sbin/vfio-early|$T/d/usr/sbin/vfio-early|" "$U/$u" >"$T/units/$u"; done
	if SYSTEMD_UNIT_PATH="$T/units:" systemd-analyze verify --man=no "$T/units/vfio-early-confirm.service" \
		"$T/units/vfio-early-session.path" "$T/units/vfio-early-session.service" >"$T/log" 2>&1; then
		tap_ok "systemd-analyze verify accepts the units"
	else
		tap_not_ok "systemd-analyze verify accepts the units"
		sed 's/^/# /' "$T/log"
	fi
else
	tap_skip "systemd-analyze verify accepts the units" "no systemd-analyze"
fi
make -s uninstall B="$B" DESTDIR="$T/d" >"$T/log" 2>&1
left=$(find "$T/d" ! -type d | sed "s|^$T/d||")
if [ -z "$left" ]; then tap_ok "make uninstall removes every file"; else tap_not_ok "make uninstall removes every file"; echo "$left" | sed 's/^/# left: /'; fi
tap_done
