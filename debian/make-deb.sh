#!/bin/bash
# make deb: builds the Debian package with dpkg-buildpackage -us -uc -b and
# prints the .deb's path on its last line.
#
#   debian/make-deb.sh OUTDIR VERSION      (the Makefile's "deb" target)
#
# The build runs in a copy of the tree, OUTDIR/vfio-early-VERSION, so that
# debian/rules clean (make clean) never touches the developer's build
# directories and dpkg-buildpackage's outputs (.deb, .buildinfo, .changes),
# which it writes next to the source directory, land in OUTDIR instead of
# the tree's parent. Missing build dependencies are installed with
# "apt-get build-dep" from debian/control when run as root.
set -euo pipefail

out=${1:?usage: debian/make-deb.sh OUTDIR VERSION}
version=${2:?usage: debian/make-deb.sh OUTDIR VERSION}
cd "$(dirname "$0")/.."
top=$(pwd)

say() { echo "make deb: $*" >&2; }

# Build dependencies: debian/control's Build-Depends plus build-essential.
if ! command -v dpkg-checkbuilddeps >/dev/null 2>&1 || ! dpkg-checkbuilddeps >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		say "build dependencies are missing: run 'sudo apt-get build-dep ./' here (or 'make deb' as root)"
		command -v dpkg-checkbuilddeps >/dev/null 2>&1 && dpkg-checkbuilddeps >&2 || true
		exit 1
	fi
	say "installing the build dependencies (apt-get build-dep ./)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -qq
	apt-get -o DPkg::Lock::Timeout=300 build-dep -y -qq ./ >/dev/null
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/vfio-early-$version
rm -rf "$src"
rm -f "$out"/vfio-early_* "$out"/vfio-early-dbgsym_*
mkdir -p "$src"

# The tree's files: in a git checkout the tracked and the untracked but not
# ignored ones (so no build directory, cache or editor file); else everything
# but the build directories.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -z --cached --others --exclude-standard
else
	find . \( -name .git -o -name 'build*' -o -path ./tests/boot/cache \) -prune -o -type f -print0
fi | while IFS= read -r -d '' f; do
	# a file deleted but not yet committed is listed by git: skip it;
	# so is anything under the output directory
	case "$top/${f#./}" in "$out"/*) continue ;; esac
	[ -e "$f" ] || [ -L "$f" ] || continue
	printf '%s\0' "$f"
done | tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -

# The build sees the tree only: no variables of an outer make (B=, SAN=, -j).
unset MAKEFLAGS MFLAGS MAKELEVEL B SAN DESTDIR PREFIX
case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc)" ;;
esac
export DEB_BUILD_OPTIONS
(cd "$src" && dpkg-buildpackage -us -uc -b)

deb=$out/vfio-early_${version}_$(dpkg --print-architecture).deb
if [ ! -f "$deb" ]; then
	say "dpkg-buildpackage made no $deb (is debian/changelog's version $version?)"
	exit 1
fi
case $deb in "$top"/*) deb=./${deb#"$top"/} ;; esac
echo "$deb"
