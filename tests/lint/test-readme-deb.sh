#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# README's way to install the Debian package stays true (issue 16): its
# 'sudo apt install ./...deb' line names the file 'make deb' writes (the
# Makefile's DEBDIR, debian/make-deb.sh's name), and it says what remove and
# purge do with /etc/vfio-early.conf. tests/package/test-deb.sh checks the
# package itself; this runs without building it. Prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
TAP_DIAG=$T/log

v=$(sed -n '1s/^vfio-early (\([^ ]*\)) .*/\1/p' debian/changelog)
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
# the default DEBDIR of a plain 'make deb' (B=build), as README's reader runs it
debdir=$(make -s --no-print-directory B=build --eval 'print-debdir: ; @echo $(DEBDIR)' print-debdir 2>"$T/log")
line=$(grep -E '^[[:space:]]+sudo apt install \./' README.md | head -n 1)
pkg=$(printf '%s\n' "$line" | sed -n 's/^[[:space:]]*sudo apt install \([^[:space:]]*\).*/\1/p')

tap_check "README has a 'sudo apt install ./...deb' line" test -n "$pkg"
# its glob, with the version for '*', is the path make deb prints on its last line
want=./$debdir/vfio-early_${v}_$arch.deb
# shellcheck disable=SC2053
tap_check "README's package path matches what make deb writes ($want)" eval '[[ $want == $pkg ]]'
tap_check "README says purge never deletes /etc/vfio-early.conf" \
	eval 'tr "\n" " " <README.md | grep -q "apt purge vfio-early.*never *\`/etc/vfio-early.conf\`"'
tap_done
