# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The automatic fallback's boot tests (test-fallback-sdboot.sh, test-fallback-grub.sh),
# sourced after lib.sh. A host whose only display is passed through: the q35 machine
# with nothing but its standard VGA (00:01.0, 1234:1111, the boot VGA), configured
# "device 0000:00:01.0 id=1234:1111 allow-boot-vga" and "fallback 2". In a passthrough
# boot the host has no display at all; in a recovery boot bochs-drm drives the VGA.
#
# One QEMU run of LAST boots (or /etc/vfe-last), each led by the guest's /etc/vfe-plan
# ("N action..."; actions: confirm, refresh, return). At every boot the guest first
# runs what the shipped unit runs, 'vfio-early confirm --auto --timeout=1', then the
# boot's actions, and prints "VFE-FB N ..." lines: the binder's mode, 00:01.0's driver,
# the DRM connectors, 'vfio-early status', the counter (FB_COUNTER_CMD), and a list of
# the non-volatile EFI variables (name, attributes, checksum) at the start and the end
# of the boot, so that a test can tell what the boot wrote.
#
#   fb_guest_init LAST               the guest's /sbin/init
#   fb_boot_log MARKS                the boot-by-boot log (TAP diagnostics) from the VFE-FB lines
#   fb_b MARKS N KEY                 boot N's lines with KEY

FB_TARGET=0000:00:01.0
FB_CONF='device 0000:00:01.0 id=1234:1111 allow-boot-vga
fallback 2'
# Under TCG on a loaded host the kernel's check of the IO-APIC timer can fail and panic
# ("timer doesn't work through Interrupt-remapped IO-APIC"): a crashed boot that the
# loader counts like any other. Virtual machines skip the check.
FB_CMDLINE_EXTRA="no_timer_check"
# q35, TCG, VT-d; the default VGA is the machine's only display (see lib.sh's VFE_QEMU_ARGS)
# shellcheck disable=SC2054 # the commas are QEMU's
FB_QEMU_ARGS=(
	-machine q35,kernel-irqchip=split -accel tcg -m 1024 -smp 1
	-device intel-iommu,intremap=on
	-nic none -display none
)

fb_guest_init() {
	vfe_guest_start "The automatic fallback's test guest: report this boot, run its plan, reboot."
	vfe_guest_counted VFE-FB
	sed -e "s/@LAST@/$1/" <<-'EOF'
		V=/sys/firmware/efi/efivars L=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
		mounted $V || mount -t efivarfs efivarfs $V 2>/dev/null
		[ -b /dev/vdb1 ] && mount -t vfat /dev/vdb1 /boot/efi
		str() { if [ -e $V/$1-$L ]; then tail -c +5 $V/$1-$L | tr -d '\000'; else echo none; fi; }
		# the non-volatile variables (attribute bit 0): name, attributes, checksum of the value
		nvsnap() {
			for f in $V/*; do
				[ -f "$f" ] || continue
				a=$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')
				case $a in ?1*|?3*|?5*|?7*|?9*|?b*|?d*|?f*) echo "${f##*/} $a $(md5sum <"$f" | cut -c1-12)" ;; esac
			done
		}
		nvsnap >/tmp/nv-start
		drv() { d=$(readlink /sys/bus/pci/devices/$1/driver 2>/dev/null); echo "${d##*/}"; }
		conn() { for d in /sys/class/drm/card*-*; do [ -e "$d/status" ] && echo "${d##*/}:$(cat $d/status)/$(cat $d/enabled)"; done | tr '\n' ' '; }
		mode=$(sed -n 's/^boot mode=\([a-z]*\) reason=\(.*\) iommu=.*/\1 (\2)/p' /run/vfio-early/status)
		m "begin"
		m "binder ${mode:-no record}"
		m "driver 01.0=$(drv 0000:00:01.0) drm=$(conn)"
		m "loader selected=$(str LoaderEntrySelected) countpath=$(str LoaderBootCountPath) default=$(str LoaderEntryDefault)"
		m "counter $(sh /etc/vfe-counter 2>&1)"
		run() { tag=$1; shift; out=$("$@" 2>&1); rc=$?; echo "$out" | pre "$tag"; m "$tag rc=$rc"; }
		# what the user sees after login, before anyone acted
		vfio-early status 2>&1 | pre status
		# what the shipped unit runs, within a bound after graphical.target (here: 1 s)
		run auto vfio-early confirm --auto --timeout=1
		for a in $(sed -n "s/^$c //p" /etc/vfe-plan); do
			case $a in
			confirm) run confirm vfio-early confirm ;;
			refresh) run refresh vfio-early boot refresh ;;
			return) run return vfio-early boot passthrough --default ;;
			esac
		done
		m "counter-after $(sh /etc/vfe-counter 2>&1)"
		nvsnap >/tmp/nv-end
		if cmp -s /tmp/nv-start /tmp/nv-end; then m "nv unchanged"; else diff /tmp/nv-start /tmp/nv-end | grep '^[-+][^-+]' | pre "nv changed"; fi
		sed "s/^/VFE-FB $c nvlist: /" /tmp/nv-end
		m "end"
		sync
		mounted /boot/efi && umount /boot/efi
		# as a real shutdown does: GRUB reads ext4 without replaying its journal
		mount -o remount,ro /
		if [ $c -ge "$(cat /etc/vfe-last 2>/dev/null || echo @LAST@)" ]; then poweroff -f; else reboot -f; fi
		sleep 30
	EOF
}

# fb_b MARKS N KEY: boot N's "VFE-FB N KEY..." lines
fb_b() { grep -a "^VFE-FB $2 $3" "$1"; }

# fb_boot_log MARKS FIRST LAST [SED]: one line per boot for the closing note (SED shortens names)
fb_boot_log() {
	local marks=$1 i line binder drv ctr auto acts
	for i in $(seq "$2" "$3"); do
		binder=$(fb_b "$marks" "$i" "status: Mode:" | sed -e 's/^VFE-FB [0-9]* status: Mode: *//' \
			-e 's/ without a confirmed host display//' -e 's/ on the kernel command line//' \
			-e 's/ device entry configured, no vfio_early=off/ device configured/')
		case $(fb_b "$marks" "$i" binder) in *"systemd-boot counted"*) binder="$binder, the binder's last try" ;; esac
		drv=$(fb_b "$marks" "$i" driver | sed -e 's/^VFE-FB [0-9]* driver 01.0=//' -e 's/ drm= *$//' -e 's/ drm=/, /' -e 's/ *$//')
		ctr=$(fb_b "$marks" "$i" counter | head -n 1 | sed 's/^VFE-FB [0-9]* counter //')
		auto=$(fb_b "$marks" "$i" "auto rc=" | sed 's/^VFE-FB [0-9]* auto //')
		acts=$(fb_b "$marks" "$i" "[a-z]* rc=" | grep -v " auto rc=" | sed 's/^VFE-FB [0-9]* //' | tr '\n' ' ')
		line="boot $i: $binder; 01.0 on $drv; counter: $ctr; confirm --auto $auto${acts:+; then: $acts}"
		printf '%s\n' "$line" | sed -e "${4:-s/^//}" -e 's/ *$//'
	done
}
