#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every 'vfio-early boot' verb on GRUB hosts made from the distributions' own
# files, with the real grub-mkconfig (update-grub) against a fake root
# (tests/boot/lib-grub.sh; root for unshare -m). Four hosts:
#   debian  Debian 12's /etc/default/grub, copied now from grub2-common
#           (/usr/share/grub/default/grub), and grub-common's
#           /etc/default/grub.d/init-select.cfg; EFI, /boot on the root fs.
#   ubuntu  Ubuntu 24.04's /etc/default/grub (below, with its source), a
#           cloud image's drop-in, Ubuntu's quick-boot 00_header/10_linux
#           (recordfail), a separate /boot partition.
#   user    Debian's file with user additions: $(...), ${...:-...}, export,
#           if; GRUB_DEFAULT=saved set before us; GRUB_DISABLE_RECOVERY=true.
#   bios    Debian's file on an i386-pc (MBR) host: no EFI variables at all,
#           GRUB_DISABLE_SUBMENU=y in a drop-in; no output mentions EFI.
# Each host: show, install (twice), recovery --next, menu --next,
# recovery --default, passthrough --default, remove; grubenv is read back
# with the real grub-editenv, /etc/default/grub is never changed.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/boot/lib-grub.sh
case $B in /*) CLI=$B/vfio-early ;; *) CLI=$PWD/$B/vfio-early ;; esac
STOCK=/usr/share/grub/default/grub
if [ "$(id -u)" != 0 ] || ! command -v grub-mkconfig >/dev/null || ! command -v unshare >/dev/null ||
	[ ! -r "$STOCK" ] || [ ! -x /usr/sbin/update-grub ]; then
	tap_skip_all "needs root, unshare, grub-common and grub2-common (tests/deps.sh)"
fi
KVERS="6.1.0-50-amd64 6.1.0-56-amd64"

# Ubuntu 24.04's /etc/default/grub: what its grub2-common 2.12-1ubuntu7 installs
# from /usr/share/grub/default/grub (the comments after GRUB_CMDLINE_LINUX are
# left out; they are the same as Debian's).
ubuntu_default_grub() {
	cat <<-'EOF'
		# If you change this file or any /etc/default/grub.d/*.cfg file,
		# run 'update-grub' afterwards to update /boot/grub/grub.cfg.
		# For full documentation of the options in these files, see:
		#   info -f grub -n 'Simple configuration'

		GRUB_DEFAULT=0
		GRUB_TIMEOUT_STYLE=hidden
		GRUB_TIMEOUT=0
		GRUB_DISTRIBUTOR=`( . /etc/os-release; echo ${NAME:-Ubuntu} ) 2>/dev/null || echo Ubuntu`
		GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"
		GRUB_CMDLINE_LINUX=""
	EOF
}

# Ubuntu's cloud images (24.04 cloudimg builds): /etc/default/grub.d/50-cloudimg-settings.cfg
cloudimg_settings() {
	cat <<-'EOF'
		# Cloud Image specific Grub settings for Generic Cloud Images
		# CLOUD_IMG: This file was created/modified by the Cloud Image build process

		# Set the recordfail timeout
		GRUB_RECORDFAIL_TIMEOUT=0

		# Do not wait on grub prompt
		GRUB_TIMEOUT=0

		# Set the default commandline
		GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0"

		# Set the grub console type
		GRUB_TERMINAL=console
	EOF
}

# What users add (seen in forum posts and dotfiles): command substitutions,
# parameter expansions, export, a conditional.
user_additions() {
	cat <<-'EOF'

		# --- added by the user
		GRUB_DEFAULT=saved
		GRUB_SAVEDEFAULT=false
		GRUB_DISABLE_RECOVERY="true"
		GRUB_DISTRIBUTOR="$(. /etc/os-release 2>/dev/null; echo "${NAME:-Debian}")"
		GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT:-quiet} loglevel=3"
		export GRUB_COLOR_NORMAL="light-gray/black"
		if [ -z "${GRUB_CMDLINE_LINUX}" ]; then
		  GRUB_CMDLINE_LINUX="$(printf '%s' 'mitigations=auto')"
		fi
	EOF
}

# host NAME: the fake root $T/NAME with the distribution's GRUB scripts, our script,
# update-grub, two kernels, an Intel CPU and a mountinfo for the layout in GRUB_FAKE_*.
host() {
	R=$T/$1
	grub_fakeroot_tree "$R"
	mkdir -p "$R/usr/sbin" "$R/proc/self"
	cp /usr/sbin/update-grub "$R/usr/sbin/update-grub"
	for k in $KVERS; do echo k >"$R/boot/vmlinuz-$k"; echo i >"$R/boot/initrd.img-$k"; done
	printf 'vendor_id\t: GenuineIntel\nflags\t\t: vmx\n' >"$R/proc/cpuinfo"
	echo "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=/dev/vda ro quiet intel_iommu=on iommu=pt" >"$R/proc/cmdline"
	echo "22 1 254:3 / / rw,relatime - ext4 ${GRUB_FAKE_ROOT_DEV:-/dev/vda} rw" >"$R/proc/self/mountinfo"
	if [ -n "${GRUB_FAKE_BOOT_DEV:-}" ]; then
		echo "23 22 254:2 / /boot rw,relatime - ext4 $GRUB_FAKE_BOOT_DEV rw" >>"$R/proc/self/mountinfo"
	fi
}

vfe() { grub_fakeroot_run "$R" env VFIO_EARLY_CLI="$CLI" "$CLI" --root="$R" boot "$@" >"$T/out" 2>&1; }
env_has() { grub-editenv "$R/boot/grub/grubenv" list | grep -qx "$1"; }
cfg() { cat "$R/boot/grub/grub.cfg"; }
# block ID: the lines of the menuentry with that id, up to its closing brace
block() { awk -v id="'$1'" 'index($0, id) && /menuentry/ { on = 1 } on { print } on && /^[[:space:]]*}$/ { exit }' \
	"$R/boot/grub/grub.cfg"; }
TAP_DIAG=$T/out

# every_verb NAME PASSTHROUGH_ID: the whole life of an install on host NAME
every_verb() {
	local h=$1 pt=$2
	cp "$R/etc/default/grub" "$T/$h.default-grub"
	tap_check "$h: show before install" eval 'vfe show && grep -q "kernel parameters: (not installed)" "$T/out"'
	tap_check "$h: install (update-grub, the real grub-mkconfig)" vfe install
	cat "$T/out" >>"$T/$h.all"
	tap_check "$h: grub.cfg: the default entry has the passthrough parameters" eval \
		'block "$pt" | grep -q "linux.*intel_iommu=on iommu=pt"'
	# the shared transform (vfio-early boot recovery-cmdline) keeps the IOMMU on and adds vfio_early=off
	tap_check "$h: grub.cfg: our entry = the default entry's newest kernel and arguments + vfio_early=off" eval \
		'[ "$(block vfio-early-nopt | grep "^[[:space:]]*linux" | tr -s " \t" " ")" = \
		   "$(block "$pt" | grep "^[[:space:]]*linux" | sed "s/\$/ vfio_early=off/" | tr -s " \t" " ")" ] &&
		 block vfio-early-nopt | grep -q "vmlinuz-6.1.0-56-amd64 "'
	tap_check "$h: install armed the automatic fallback: vfio_early_tries=3, counted down by grub.cfg" eval \
		'env_has vfio_early_tries=3 && cfg | grep -q "save_env vfio_early_tries"'
	tap_check "$h: install again: already installed, nothing run" eval 'vfe install && grep -q "already installed" "$T/out"'
	tap_check "$h: show" eval 'vfe show && grep -q "entry: .* (no GPU passthrough)  \[vfio-early-nopt\]" "$T/out" &&
		grep -q "kernel parameters: intel_iommu=on iommu=pt" "$T/out"'
	cat "$T/out" >>"$T/$h.all"
	tap_check "$h: recovery --next: next_entry in grubenv (grub-editenv reads it)" eval \
		'vfe recovery --next && env_has next_entry=vfio-early-nopt'
	cat "$T/out" >>"$T/$h.all"
	tap_check "$h: menu --next" eval 'vfe menu --next && env_has vfio_early_menu=1'
	tap_check "$h: recovery --default: saved_entry, GRUB_DEFAULT=saved in grub.cfg" eval \
		'vfe recovery --default && env_has saved_entry=vfio-early-nopt && ! env_has next_entry=vfio-early-nopt &&
		 cfg | grep -q "set default=\"\${saved_entry}\""'
	cat "$T/out" >>"$T/$h.all"
	grep -c '^GRUB_DEFAULT=saved' "$R/etc/default/grub.d/vfio-early.cfg" >"$T/$h.saved"
	tap_check "$h: passthrough --default: saved_entry=$pt" eval 'vfe passthrough --default && env_has "saved_entry=$pt"'
	vfe show
	cat "$T/out" >>"$T/$h.all"
	tap_check "$h: remove: drop-in, entries and our grubenv values gone" eval \
		'vfe remove && [ ! -e "$R/etc/default/grub.d/vfio-early.cfg" ] && ! grep -q vfio-early-nopt "$R/boot/grub/grub.cfg" &&
		 ! grub-editenv "$R/boot/grub/grubenv" list | grep -q -e vfio-early -e vfio_early'
	cat "$T/out" >>"$T/$h.all"
	tap_check "$h: /etc/default/grub never changed" cmp "$T/$h.default-grub" "$R/etc/default/grub"
}

# ---- Debian 12, stock files from the installed packages
host debian
cp "$STOCK" "$R/etc/default/grub"
[ -r /etc/default/grub.d/init-select.cfg ] && cp /etc/default/grub.d/init-select.cfg "$R/etc/default/grub.d/"
tap_check "debian: the stock file sets GRUB_DISTRIBUTOR with backticks" grep -q '^GRUB_DISTRIBUTOR=`' "$R/etc/default/grub"
every_verb debian gnulinux-simple-1234-abcd

# ---- Ubuntu 24.04 style: quick boot (recordfail), a cloud drop-in, a separate /boot
export GRUB_FAKE_BOOT_DEV=/dev/vda2 GRUB_FAKE_ROOT_DEV=/dev/vda3
host ubuntu
ubuntu_default_grub >"$R/etc/default/grub"
cloudimg_settings >"$R/etc/default/grub.d/50-cloudimg-settings.cfg"
# Ubuntu builds GRUB with --enable-quick-boot: the same scripts with quick_boot="1"
sed -i 's/^quick_boot="0"/quick_boot="1"/' "$R/etc/grub.d/00_header" "$R/etc/grub.d/10_linux"
every_verb ubuntu gnulinux-simple-1234-abcd
vfe install
tap_check "ubuntu: separate /boot: kernels at the partition's root, searched by the /boot UUID" eval \
	'block vfio-early-nopt | grep -q "linux	/vmlinuz-6.1.0-56-amd64 root=/dev/vda3 ro " &&
	 block vfio-early-nopt | grep -q "search --no-floppy --fs-uuid --set=root b007-b007"'
tap_check "ubuntu: the cloud drop-in's command line, and ours after it" eval \
	'block gnulinux-simple-1234-abcd | grep -q "console=tty1 console=ttyS0 intel_iommu=on iommu=pt"'
tap_check "ubuntu: our entry keeps the recordfail line of Ubuntu's entries" eval 'block vfio-early-nopt | grep -q "^	recordfail$"'
tap_check "ubuntu: show reads TIMEOUT_STYLE=hidden, quiet splash overridden by the cloud drop-in" eval \
	'vfe show && grep -q "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0 intel_iommu=on iommu=pt\"" "$T/out"'
unset GRUB_FAKE_BOOT_DEV GRUB_FAKE_ROOT_DEV

# ---- user additions, GRUB_DEFAULT=saved before us, no recovery entries
host user
{ cat "$STOCK"; user_additions; } >"$R/etc/default/grub"
every_verb user gnulinux-simple-1234-abcd
tap_check "debian: recovery --default added GRUB_DEFAULT=saved to our drop-in" grep -qx 1 "$T/debian.saved"
tap_check "user: GRUB_DEFAULT=saved was the user's: our drop-in never added it" grep -qx 0 "$T/user.saved"
vfe install
tap_check "user: \$(...) and \${...} evaluated by grub-mkconfig and by us alike" eval \
	'block gnulinux-simple-1234-abcd | grep -q "ro mitigations=auto quiet loglevel=3 intel_iommu=on iommu=pt" &&
	 vfe show && grep -q "GRUB_CMDLINE_LINUX=\"mitigations=auto\"" "$T/out"'
tap_check "user: GRUB_DISABLE_RECOVERY=true: no distribution recovery entry, ours is there" eval \
	'! grep -q "(recovery mode)" "$R/boot/grub/grub.cfg" && grep -q "vfio-early-nopt" "$R/boot/grub/grub.cfg"'

# ---- BIOS (i386-pc, MBR), no EFI variables, GRUB_DISABLE_SUBMENU=y from a drop-in
export GRUB_FAKE_PARTMAP=msdos
host bios
cp "$STOCK" "$R/etc/default/grub"
printf '# local settings\nGRUB_DISABLE_SUBMENU=y\n' >"$R/etc/default/grub.d/10-local.cfg"
every_verb bios gnulinux-6.1.0-56-amd64-advanced-1234-abcd
tap_check "bios: nothing we printed mentions EFI" eval '[ -s "$T/bios.all" ] && ! grep -i efi "$T/bios.all"'
unset GRUB_FAKE_PARTMAP

# ---- install, then remove: grubenv, made by install for the fallback's counter, goes again
host plain
cp "$STOCK" "$R/etc/default/grub"
tap_check "plain: install makes grubenv for the counter (no grub-install made one)" eval 'vfe install && env_has vfio_early_tries=3'
tap_check "plain: remove deletes it again: nothing else was in it" eval 'vfe remove && [ ! -e "$R/boot/grub/grubenv" ]'
tap_check "plain: with a value of someone else's in it, it stays, without ours" eval \
	'vfe install && grub-editenv "$R/boot/grub/grubenv" set recordfail=1 && vfe remove &&
	 [ "$(grub-editenv "$R/boot/grub/grubenv" list)" = recordfail=1 ]'

# ---- the counter through boots. At each boot grub.cfg's code counts vfio_early_tries down with
# save_env (the QEMU test, tests/boot/test-fallback-grub.sh, boots the real GRUB); here grub-editenv
# writes what it would, and the binder's record says how the boot went. confirm unsets the counter;
# a count at 0 is the fallback: confirm --auto leaves it, confirm by hand arms it again.
grub_boot() {
	grub-editenv "$R/boot/grub/grubenv" set "vfio_early_tries=$1" && mkdir -p "$R/run/vfio-early" &&
		printf 'vfio-early-status 1\nboot mode=%s reason=test iommu=yes started_us=0 finished_us=0 elapsed_us=0 cpu_us=0\n' \
			"$2" >"$R/run/vfio-early/status"
}
confirm() { grub_fakeroot_run "$R" "$CLI" --root="$R" confirm "$@" >"$T/out" 2>&1; }
vfe install
grub_boot 2 passthrough
tap_check "plain: confirm (by hand, as from SSH) after a counted boot unsets the counter" eval \
	'confirm && ! grub-editenv "$R/boot/grub/grubenv" list | grep -q vfio_early_tries'
tap_check "plain: show then says confirmed" eval 'vfe show && grep -q "automatic fallback: confirmed" "$T/out"'
grub_boot 0 recovery
tap_check "plain: the fallback boot (counter at 0): confirm --auto changes nothing" eval \
	'confirm --auto --timeout=0; env_has vfio_early_tries=0'
tap_check "plain: ... confirm by hand there arms the count again (vfio_early_tries=3)" eval 'confirm && env_has vfio_early_tries=3'
tap_check "plain: install --no-fallback takes the counter off" eval \
	'vfe install --no-fallback && ! grub-editenv "$R/boot/grub/grubenv" list | grep -q vfio_early_tries'
vfe remove

# ---- /boot on LVM: GRUB cannot write grubenv there, so it cannot count boots
host lvm
cp "$STOCK" "$R/etc/default/grub"
mkdir -p "$R/sys/dev/block/254:3/dm"
tap_check "lvm: install works, and says the automatic fallback is not available and why" eval \
	'vfe install && grep -q "grub: automatic fallback is not available: / is on LVM / device mapper, where GRUB cannot write /boot/grub/grubenv at boot" "$T/out"'
tap_check "lvm: no counter in grubenv" eval '! grub-editenv "$R/boot/grub/grubenv" list 2>/dev/null | grep -q vfio_early_tries'
tap_check "lvm: show says so too" eval 'vfe show && grep -q "automatic fallback: not available: " "$T/out"'
tap_check "lvm: --no-fallback says it once: the config holds \"fallback off\", show says off" eval \
	'vfe install --no-fallback && grep -qx "fallback off" "$R/etc/vfio-early.conf" && vfe show &&
	 grep -q "automatic fallback: off" "$T/out"'

tap_done
