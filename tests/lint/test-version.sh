#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The version is written once, in debian/changelog's newest entry; the
# Makefile, both programs' --version and the package take it from there.
# (tests/package/test-deb.sh checks the built .deb and the installed files.)
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
TAP_DIAG=$T/log

v=$(sed -n '1s/^vfio-early (\([^ ]*\)) .*/\1/p' debian/changelog)
tap_check "debian/changelog's first line is 'vfio-early (VERSION) ...'" test -n "$v"
if command -v dpkg-parsechangelog >/dev/null; then
	tap_check "dpkg-parsechangelog reads the same version ($v)" test "$(dpkg-parsechangelog -S Version 2>"$T/log")" = "$v"
	tap_check "debian/changelog and debian/control name the same source package" \
		test "$(dpkg-parsechangelog -S Source)" = "$(sed -n 's/^Source: //p' debian/control)"
else
	tap_skip "dpkg-parsechangelog reads the same version" "no dpkg-parsechangelog (dpkg-dev)"
	tap_skip "debian/changelog and debian/control name the same source package" "no dpkg-parsechangelog (dpkg-dev)"
fi
# A native package: the version is the program's, with no Debian revision or epoch.
tap_check "the package is native and its version has no revision or epoch" \
	eval '[ "$(cat debian/source/format)" = "3.0 (native)" ] && [ "${v#*[-:]}" = "$v" ]'
mv_=$(make -s --no-print-directory --eval 'print-version: ; @echo $(VERSION)' print-version 2>"$T/log")
tap_check "the Makefile's VERSION is debian/changelog's" test "$mv_" = "$v"
for p in vfio-early vfio-early-bind; do
	if [ -x "$B/$p" ]; then
		tap_check "$p --version says $v" test "$("$B/$p" --version)" = "$p $v"
	else
		tap_skip "$p --version says $v" "$B/$p is not built"
	fi
done
tap_done
