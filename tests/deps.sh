#!/bin/sh
# Installs the Debian packages that building and testing vfio-early need,
# when any is missing. Run as root on Debian 12 (make check / make demo do).
set -eu

PKGS="build-essential pkg-config clang libkmod-dev libpci-dev libefivar-dev libefiboot-dev
libblkid-dev scdoc valgrind linux-image-amd64 initramfs-tools kmod busybox-static cpio zstd
e2fsprogs qemu-system-x86 ovmf systemd-boot-efi grub-efi-amd64-bin grub-common mtools dosfstools
pciutils pci.ids python3 udev"
# Optional extras a part of the suite may list in tests/deps.d/*.list (one package per word).
for f in "$(dirname "$0")"/deps.d/*.list; do
	[ -f "$f" ] && PKGS="$PKGS $(grep -v '^#' "$f")"
done

missing=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
