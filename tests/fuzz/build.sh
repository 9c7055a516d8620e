#!/bin/bash
# Builds the fuzz targets tests/fuzz/fuzz-<name>.c with clang into build-fuzz/.
#
#   tests/fuzz/build.sh fuzz      libFuzzer binaries:  build-fuzz/fuzz-<name>
#   tests/fuzz/build.sh regress   replay binaries (driver.c, ASan+UBSan, no libFuzzer):
#                                 build-fuzz/regress/fuzz-<name>
#
# The parsers come from the project's own Makefile (B=build-fuzz/<mode>), so a
# target sees exactly the code the tools ship. Prints the binaries it built.
set -eu
cd "$(dirname "$0")/../.."
mode=${1:-fuzz}
CC=${FUZZ_CC:-clang}
SANS='address,undefined'
case $mode in
fuzz) san_lib="-fsanitize=fuzzer-no-link,$SANS" san_link="-fsanitize=fuzzer,$SANS" out=build-fuzz ;;
regress) san_lib="-fsanitize=$SANS" san_link="-fsanitize=$SANS" out=build-fuzz/regress ;;
*) echo "usage: $0 fuzz|regress" >&2; exit 2 ;;
esac
B=build-fuzz/obj-$mode
SAN="$san_lib -fno-omit-frame-pointer -fno-sanitize-recover=all"
make -s B="$B" CC="$CC" SAN="$SAN" "$B/libvfe-common.a" "$B/libvfe-early.a" "$B/libvfe-efi.a" \
	"$B/libvfe-recovery.a" "$B/check/initramfs.o" >&2
CFLAGS="-std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I."
CFLAGS="$CFLAGS $(pkg-config --cflags efivar efiboot blkid)"
LIBS=$(pkg-config --libs libkmod libpci efivar efiboot blkid)
LIBA="$B/check/initramfs.o $B/libvfe-efi.a $B/libvfe-recovery.a $B/libvfe-early.a $B/libvfe-common.a"
mkdir -p "$out"
for src in tests/fuzz/fuzz-*.c; do
	name=$(basename "$src" .c)
	extra=
	[ "$mode" = regress ] && extra=tests/fuzz/driver.c
	bin=$out/$name
	stale=0
	for dep in $LIBA; do [ "$dep" -nt "$bin" ] && stale=1; done
	if [ -z "$(find "$bin" -newer "$src" 2>/dev/null)" ] || [ $stale = 1 ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS $san_link -fno-omit-frame-pointer -fno-sanitize-recover=all -o "$bin" "$src" $extra \
			$LIBA $LIBS
	fi
	echo "$bin"
done
