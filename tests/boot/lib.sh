# shellcheck shell=bash
# Shared helpers for the QEMU boot tests (tests/boot/test-*.sh, demo.sh).
# Source it from bash:  . "$(dirname "$0")/lib.sh"
#
# What a boot test does with it:
#   vfe_setup                      temp dir, kernel, "make install" of our tree
#   vfe_it_confdir "$T/it"   an initramfs-tools CONFDIR with our hook + script
#   vfe_mkinitramfs "$T/it" "$T/initrd"      the real mkinitramfs
#   vfe_mkrootfs "$T/root.img"                     a tiny ext4 root fs
#   vfe_boot "$T/initrd" "$T/root.img" LOG [EXTRA_CMDLINE]
#                                  (vfe_qemu_run LOG ARGS... for other boot paths, e.g. OVMF)
#   vfe_section LOG status-file    what the guest printed between markers
#   vfe_driver LOG 0000:00:05.0    the driver a PCI function ended on
#   tap_check "name" CMD...         TAP output, tap_done at the end: tests/lib/tap.sh,
#                                   which this file sources (it also sets B and T)
#
# Environment knobs:
#   B             build dir of the tree to install (default: build)
#   TMPDIR        where the temp dir $T goes (default /tmp); removed on exit
#   VFE_KVER      kernel version to use (default: the newest /boot/vmlinuz-*)
#   VFE_TIMEOUT   seconds a QEMU run may take before it is killed (default 180;
#                 a test may set its own default after sourcing this file)
#   VFE_KEEP=1    keep the temp dir (its path is printed) for debugging (TAP_KEEP=1 too)
#
# Nothing is cached in the repository and nothing on the host is changed:
# the hook reads our artifacts through VFIO_EARLY_ROOT, mkinitramfs gets a
# private CONFDIR, and the only processes started are QEMU (killed by PID).

VFE_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PATH=$PATH:/usr/sbin:/sbin # mkinitramfs, mke2fs
TAP_KEEP=${TAP_KEEP:-${VFE_KEEP:-0}}
# shellcheck source=tests/lib/tap.sh
. "$VFE_TOP/tests/lib/tap.sh"
VFE_QEMU_PID=
VFE_WATCH_PID=
VFE_QEMU_EXTRA=() # more QEMU arguments for the next vfe_boot

# ---------------------------------------------------------------- setup

# On exit, before $T goes: the QEMU this test started, and only it (and the
# hot-add watcher of vfe_hotplug_when_ready, when one runs).
vfe_kill_qemu() {
	if [ -n "$VFE_WATCH_PID" ]; then
		kill "$VFE_WATCH_PID" 2>/dev/null
		wait "$VFE_WATCH_PID" 2>/dev/null
		VFE_WATCH_PID=
	fi
	if [ -n "$VFE_QEMU_PID" ]; then
		kill "$VFE_QEMU_PID" 2>/dev/null
		wait "$VFE_QEMU_PID" 2>/dev/null
		VFE_QEMU_PID=
	fi
}
tap_at_exit vfe_kill_qemu

# vfe_need CMD...: every command exists, or the whole file is skipped (TAP "1..0 # SKIP")
vfe_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || tap_skip_all "$c is missing (run tests/deps.sh as root)"
	done
}

# vfe_find_kernel: sets VFE_KVER and VFE_KERNEL (newest /boot/vmlinuz-*, or $VFE_KVER)
vfe_find_kernel() {
	local k
	if [ -z "${VFE_KVER:-}" ]; then
		k=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null | sed 's/^vmlinuz-//' |
			sort -V | tail -n 1)
		VFE_KVER=$k
	fi
	VFE_KERNEL=/boot/vmlinuz-$VFE_KVER
	[ -n "$VFE_KVER" ] && [ -r "$VFE_KERNEL" ] && [ -d "/lib/modules/$VFE_KVER" ]
}

# vfe_install_tree DEST: "make install" of the tree into DEST (the real installed layout)
vfe_install_tree() {
	make -s -C "$VFE_TOP" B="$B" DESTDIR="$1" install >"$T/install.log" 2>&1
}

# vfe_setup: kernel, installed tree in $VFE_DEST (in $T).
# Exits with a TAP skip when a tool or the kernel is missing.
vfe_setup() {
	vfe_need qemu-system-x86_64 mkinitramfs unmkinitramfs mke2fs timeout make python3
	[ -x /bin/busybox ] || tap_skip_all "/bin/busybox (busybox-static) is missing"
	vfe_find_kernel || tap_skip_all "no Debian kernel in /boot (install linux-image-amd64)"
	VFE_DEST=$T/dest
	vfe_install_tree "$VFE_DEST" || tap_bail "make install DESTDIR=... of the tree" "$T/install.log"
}

# vfe_dest_root_on_vda: the installed system in $VFE_DEST, as the hook sees
# it when it builds the image on that machine: its root file system on the
# virtio disk at 00:04.0 (the machine below), which the binder then never
# passes through. Without it the image records "the mounts of the running
# system are unknown", a problem every boot reports.
vfe_dest_root_on_vda() {
	local blk=sys/devices/pci0000:00/0000:00:04.0/virtio0/block/vda
	mkdir -p "$VFE_DEST/proc/self" "$VFE_DEST/$blk" "$VFE_DEST/sys/dev/block"
	echo "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw" >"$VFE_DEST/proc/self/mountinfo"
	echo 254:0 >"$VFE_DEST/$blk/dev"
	ln -sfn "../../${blk#sys/}" "$VFE_DEST/sys/dev/block/254:0"
}

# ---------------------------------------------------------------- initramfs

# Drivers the test image carries besides vfio: the root disk and file system,
# and the native drivers of the test devices, so udev in the initramfs would
# load them for any device the binder did not take.
VFE_TEST_MODULES="virtio_pci virtio_blk ext4 bochs snd_hda_intel e1000 virtio_gpu"

# vfe_it_confdir DIR: a private copy of /etc/initramfs-tools with MODULES=list,
# our installed hook and init-top script (from $VFE_DEST) and a test-only hook
# adding $VFE_TEST_MODULES. The copy's "modules" file and conf.d/ are emptied
# so the host's own settings do not change what the test builds.
vfe_it_confdir() {
	local dir=$1 it=$VFE_DEST/usr/share/initramfs-tools
	rm -rf "$dir"
	cp -a /etc/initramfs-tools "$dir" || return 1
	mkdir -p "$dir/hooks" "$dir/scripts/init-top" "$dir/conf.d"
	sed -i 's/^MODULES=.*/MODULES=list/' "$dir/initramfs.conf"
	grep -q '^MODULES=list' "$dir/initramfs.conf" || echo MODULES=list >>"$dir/initramfs.conf"
	: >"$dir/modules"
	rm -f "$dir"/conf.d/*
	install -m755 "$it/hooks/vfio-early" "$dir/hooks/vfio-early" || return 1
	install -m755 "$it/scripts/init-top/"* "$dir/scripts/init-top/" || return 1
	cat >"$dir/hooks/zz-vfio-early-test" <<-EOF
		#!/bin/sh
		# test only: the root disk and the native drivers of the test devices
		case \$1 in prereqs) exit 0 ;; esac
		. /usr/share/initramfs-tools/hook-functions
		manual_add_modules $VFE_TEST_MODULES
	EOF
	chmod 755 "$dir/hooks/zz-vfio-early-test"
}

# vfe_mkinitramfs CONFDIR OUT: the real mkinitramfs; the hook reads our
# config and binder from $VFE_DEST through VFIO_EARLY_ROOT. Log in OUT.log.
vfe_mkinitramfs() {
	VFIO_EARLY_ROOT=$VFE_DEST mkinitramfs -d "$1" -o "$2" "$VFE_KVER" >"$2.log" 2>&1
}

# vfe_unpack INITRD DIR: the image's files (unmkinitramfs)
vfe_unpack() {
	rm -rf "$2" && unmkinitramfs "$1" "$2" >/dev/null 2>&1
}

# ---------------------------------------------------------------- root file system

# The guest's /sbin/init: prints marked sections to the console, then powers off.
# Roots that carry one: /etc/vfe-test.sh (a test's own commands, run before
# anything is loaded, in section "test") and /sbin/modprobe (kmod with a
# modules tree): the real root then loads a driver for every PCI function,
# as udev does on a distribution's root, before the drivers are listed.
# vfe_guest_start WHAT: the first lines of a test guest's /sbin/init (WHAT is
# its comment): the shell, PATH, and /proc, /sys, /dev and /run mounted where
# the initramfs did not move them.
vfe_guest_start() {
	printf '#!/bin/sh\n# %s\n' "$1"
	cat <<-'EOF'
		export PATH=/usr/sbin:/usr/bin:/sbin:/bin
		# initramfs-tools moved /proc, /sys, /dev and /run here; mount only what is missing
		# (busybox-static has no "mountpoint")
		mounted() { grep -qs "^[^ ]* $1 " /proc/mounts; }
		mounted /proc || mount -t proc proc /proc
		mounted /sys || mount -t sysfs sysfs /sys
		mounted /dev || mount -t devtmpfs devtmpfs /dev
		mounted /run || mount -t tmpfs tmpfs /run
	EOF
}

# vfe_guest_counted TAG: for a guest booted several times, after
# vfe_guest_start: the root writable, the console quiet, this boot's number
# in $c (/var/boot-count), and m MSG / pre LABEL printing lines "TAG N ...".
vfe_guest_counted() {
	sed "s/@TAG@/$1/" <<-'EOF'
		mount -o remount,rw /
		dmesg -n 1
		mkdir -p /var /boot/efi
		c=$(cat /var/boot-count 2>/dev/null || echo 0); c=$((c + 1)); echo $c >/var/boot-count; sync
		m() { echo "@TAG@ $c $*"; }
		pre() { sed "s/^/@TAG@ $c $1: /"; }
	EOF
}

vfe_guest_init() {
	vfe_guest_start "Test root file system: report what the initramfs left, then power off."
	cat <<-'EOF'
		dmesg -n 1
		begin() { echo "@@VFE-BEGIN $1@@"; }
		end() { echo "@@VFE-END $1@@"; }
		begin init; echo "reached /sbin/init"; end init
		begin cmdline; cat /proc/cmdline; end cmdline
		begin status-file; cat /run/vfio-early/status 2>&1; end status-file
		begin status; vfio-early status 2>&1; echo "rc=$?"; end status
		begin status-json; vfio-early status --json 2>&1; end status-json
		# the system's own facts: its mounts and block devices (tests replay them as a tree)
		begin mountinfo; cat /proc/self/mountinfo; end mountinfo
		begin swaps; cat /proc/swaps; end swaps
		begin blockdevs
		for b in /sys/class/block/*; do
			[ -e "$b/dev" ] || continue
			echo "${b##*/} $(cat "$b/dev") $(readlink -f "$b")"
			for s in "$b"/slaves/*; do [ -e "$s" ] && echo "slave ${b##*/} ${s##*/}"; done
		done
		end blockdevs
		if [ -x /etc/vfe-test.sh ]; then begin test; /etc/vfe-test.sh 2>&1; end test; fi
		if [ -x /sbin/modprobe ]; then
			for m in /sys/bus/pci/devices/*/modalias; do modprobe -q -b "$(cat "$m")"; done
		fi
		drivers() {
			for d in /sys/bus/pci/devices/*; do
				drv=-; [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
				grp=-; [ -e "$d/iommu_group" ] && grp=$(basename "$(readlink "$d/iommu_group")")
				bv=-; [ -e "$d/boot_vga" ] && bv=$(cat "$d/boot_vga")
				echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device") class=$(cat "$d/class") group=$grp boot_vga=$bv driver=$drv override=$(cat "$d/driver_override" 2>/dev/null)"
			done
			for d in /sys/bus/virtio/devices/*; do
				[ -e "$d" ] || continue
				drv=-; [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
				echo "virtio ${d##*/} parent=$(basename "$(readlink -f "$d/..")") driver=$drv"
			done
		}
		begin drivers; drivers; end drivers
		begin modules; cat /proc/modules | cut -d' ' -f1; end modules
		begin dmesg; dmesg; end dmesg
		# vfe_test.hotplug=VVVV:DDDD: the kernel log as /dev/kmsg readers (the journal,
		# util-linux dmesg) get it, one record a line; the real root's udev, its replay
		# of the boot's devices, then a device hot-added by the host (vfe_hotplug_when_ready)
		hot=$(sed -n 's/.*vfe_test\.hotplug=\([0-9a-f:]*\).*/\1/p' /proc/cmdline)
		if [ -n "$hot" ] && [ -x /lib/systemd/systemd-udevd ]; then
			seen=$(dmesg | wc -l)
			begin kmsg-records; timeout 1 cat /dev/kmsg | grep -a 'vfio-early'; end kmsg-records
			/lib/systemd/systemd-udevd --daemon
			# what systemd-udev-trigger.service does at every start, for the PCI devices
			# our rule is about (all subsystems would cost seconds under TCG)
			udevadm trigger --type=devices --subsystem-match=pci --action=add
			udevadm settle --timeout=60
			begin replay-status-file; cat /run/vfio-early/status 2>&1; end replay-status-file
			begin replay-drivers; drivers; end replay-drivers
			echo "@@VFE-HOTPLUG-READY@@"
			found=
			for i in $(seq 1 600); do
				for d in /sys/bus/pci/devices/*; do
					[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x${hot%:*}:0x${hot#*:}" ] && found=${d##*/}
				done
				[ -n "$found" ] && break
				sleep 0.1
			done
			udevadm settle --timeout=60
			begin hotplug; echo "added=${found:-none}"; end hotplug
			begin late-status-file; cat /run/vfio-early/status 2>&1; end late-status-file
			begin late-status; vfio-early status 2>&1; end late-status
			begin late-drivers; drivers; end late-drivers
			begin late-modules; cat /proc/modules | cut -d' ' -f1; end late-modules
			# only what came since the first dmesg section: the serial console is slow
			begin late-dmesg; dmesg | tail -n +$((seen + 1)); end late-dmesg
		fi
		echo "@@VFE-DONE@@"
		sync
		poweroff -f
	EOF
}

# vfe_copy_exec ROOT FILE [DEST]: FILE into ROOT (at DEST, default FILE) with its
# shared libraries and loader, at the paths ldd names.
vfe_copy_exec() {
	local r=$1 f=$2 dest=${3:-$2} lib
	mkdir -p "$r$(dirname "$dest")" && cp -L "$f" "$r$dest" || return 1
	for lib in $(ldd "$f" | grep -o '/[^ ]*'); do
		[ -e "$r$lib" ] && continue
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib" || return 1
	done
}

# vfe_rootfs_modules ROOT MODULE...: MODULE and what it needs from the
# installed kernel ($VFE_KVER), under ROOT/lib/modules with their own index
# (depmod): a real root that loads the drivers a distribution's initramfs
# does not carry.
vfe_rootfs_modules() {
	local r=$1 f
	shift
	for f in $(modprobe -a --set-version "$VFE_KVER" --show-depends "$@" 2>/dev/null | awk '$1 == "insmod" { print $2 }'); do
		mkdir -p "$r$(dirname "$f")" && cp "$f" "$r$f" || return 1
	done
	mkdir -p "$r/lib/modules/$VFE_KVER"
	cp "/lib/modules/$VFE_KVER"/modules.{order,builtin,builtin.modinfo} "$r/lib/modules/$VFE_KVER/" 2>/dev/null
	depmod -b "$r" "$VFE_KVER"
}

# vfe_mkrootfs IMG: an ext4 image (mke2fs -d, no mount) with busybox-static,
# the installed vfio-early CLI and vfio-early-image-facts with their
# libraries (libkmod too), pci.ids, the config of $VFE_DEST (etc/vfio-early.conf,
# etc/vfio-early.d/) as the real system would have it, and vfe_guest_init as
# /sbin/init. With VFE_ROOTFS_UDEV_MODULES set, also udev, our rule and
# binder, and those modules (vfe_rootfs_udev).
#   vfe_mkrootfs IMG CONFIG: the same, with CONFIG as the only config file.
# Knobs: VFE_ROOT_MODULES (vfe_rootfs_modules), VFE_ROOT_TEST_SCRIPT (a file
# installed as /etc/vfe-test.sh), VFE_ROOT_SIZE (default 64M).
vfe_mkrootfs() {
	local img=$1 conf=${2:-} r=$T/rootfs a
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,run,tmp,root,usr/sbin,usr/share/misc} || return 1
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	vfe_copy_exec "$r" "$VFE_DEST/usr/sbin/vfio-early" /usr/sbin/vfio-early || return 1
	vfe_copy_exec "$r" "$VFE_DEST/usr/libexec/vfio-early/vfio-early-image-facts" \
		/usr/libexec/vfio-early/vfio-early-image-facts || return 1
	# libkmod, which the CLI opens with dlopen (ldd does not name it): an installed system has it (libkmod2)
	a=$("$VFE_DEST/usr/libexec/vfio-early/vfio-early-bind" --print-dlopen) && vfe_copy_exec "$r" "$a" || return 1
	[ -r /usr/share/misc/pci.ids ] && cp /usr/share/misc/pci.ids "$r/usr/share/misc/"
	if [ -n "$conf" ]; then
		cp "$conf" "$r/etc/vfio-early.conf" || return 1
	else
		[ -f "$VFE_DEST/etc/vfio-early.conf" ] && cp "$VFE_DEST/etc/vfio-early.conf" "$r/etc/"
		[ -d "$VFE_DEST/etc/vfio-early.d" ] && cp -r "$VFE_DEST/etc/vfio-early.d" "$r/etc/"
	fi
	if [ -n "${VFE_ROOT_MODULES:-}" ]; then
		# shellcheck disable=SC2086 # a list of module names
		vfe_rootfs_modules "$r" $VFE_ROOT_MODULES || return 1
		vfe_copy_exec "$r" "$(command -v kmod)" /sbin/kmod && ln -sf kmod "$r/sbin/modprobe" || return 1
	fi
	if [ -n "${VFE_ROOT_TEST_SCRIPT:-}" ]; then
		install -m755 "$VFE_ROOT_TEST_SCRIPT" "$r/etc/vfe-test.sh" || return 1
	fi
	if [ -n "${VFE_ROOTFS_UDEV_MODULES:-}" ]; then
		vfe_rootfs_udev "$r" || return 1
	fi
	vfe_guest_init >"$r/sbin/init"
	chmod 755 "$r/sbin/init"
	rm -f "$img"
	mke2fs -q -t ext4 -L vfe-root -d "$r" "$img" "${VFE_ROOT_SIZE:-64M}" >"$T/mke2fs.log" 2>&1
}

# vfe_rootfs_udev DIR: what the real root of an installed system has for devices
# added after boot: the host's own systemd-udevd and stock rules
# (/lib/udev/rules.d, with 80-drivers.rules loading modules), our installed
# rule and binder (make install into $VFE_DEST), and the kernel modules named
# in $VFE_ROOTFS_UDEV_MODULES with their dependencies, indexed by depmod.
vfe_rootfs_udev() {
	local r=$1
	vfe_copy_exec "$r" /bin/udevadm || return 1
	vfe_copy_exec "$r" "$VFE_DEST/usr/libexec/vfio-early/vfio-early-bind" /usr/libexec/vfio-early/vfio-early-bind ||
		return 1
	mkdir -p "$r/lib/systemd" "$r/lib/udev/rules.d" "$r/etc/udev" "$r/lib/modules/$VFE_KVER"
	ln -sf /bin/udevadm "$r/lib/systemd/systemd-udevd"
	cp /lib/udev/rules.d/*.rules "$r/lib/udev/rules.d/" || return 1
	cp "$VFE_DEST"/usr/lib/udev/rules.d/*vfio-early.rules "$r/lib/udev/rules.d/" || return 1
	# shellcheck disable=SC2086 # a list of module names
	vfe_rootfs_modules "$r" $VFE_ROOTFS_UDEV_MODULES
}

# vfe_hotplug_when_ready LOG SOCK DEVICE: in the background, waits for the
# guest to print @@VFE-HOTPLUG-READY@@ (vfe_guest_init with
# vfe_test.hotplug=) on its console, then hot-adds DEVICE ("e1000e,bus=hp1")
# through the QEMU monitor listening on SOCK. What the monitor said goes to
# LOG.monitor. The watcher's PID is kept in VFE_WATCH_PID (vfe_kill_qemu and
# vfe_boot end it).
vfe_hotplug_when_ready() {
	local log=$1 sock=$2 dev=$3
	(
		# nothing is added unless the guest said it is ready: that is the test
		for _ in $(seq 1 $((${VFE_TIMEOUT:-180} * 10))); do
			grep -qa '^@@VFE-HOTPLUG-READY@@' "$log.raw" 2>/dev/null && break
			sleep 0.1
		done
		grep -qa '^@@VFE-HOTPLUG-READY@@' "$log.raw" 2>/dev/null || exit 0
		python3 - "$sock" "$dev" >"$log.monitor" 2>&1 <<-'PY'
			import socket, sys, time
			s = socket.socket(socket.AF_UNIX)
			s.connect(sys.argv[1])
			s.settimeout(5)
			time.sleep(0.3)
			print(s.recv(65536).decode(errors="replace"))
			s.sendall(("device_add " + sys.argv[2] + "\n").encode())
			time.sleep(1)
			print(s.recv(65536).decode(errors="replace"))
		PY
	) &
	VFE_WATCH_PID=$!
}

# ---------------------------------------------------------------- QEMU

# The test machine (q35, TCG, emulated VT-d). Addresses are pinned:
#   00:01.0  default VGA (-vga std), 1234:1111, the boot VGA -> bochs-drm
#   00:04.0  virtio-blk root disk
#   00:05.0  bochs-display, 1234:1111 too  }  one multifunction slot,
#   00:05.1  ich9-intel-hda + codec        }  one IOMMU group (the "GPU + HDMI audio")
#   00:06.0  pci-bridge; behind it virtio-gpu-pci (01.0) and e1000 (02.0), one shared group
# shellcheck disable=SC2054 # the commas are QEMU's
VFE_QEMU_ARGS=(
	-machine q35,kernel-irqchip=split -accel tcg -m 1024 -smp 1
	-device intel-iommu,intremap=on
	-nic none -display none -no-reboot
	-device bochs-display,addr=05.0,multifunction=on
	-audiodev none,id=snd0
	-device ich9-intel-hda,id=hda,addr=05.1 -device hda-output,bus=hda.0,audiodev=snd0
	-device pci-bridge,id=br1,chassis_nr=1,addr=06.0
	-device virtio-gpu-pci,bus=br1,addr=01.0
	-device e1000,bus=br1,addr=02.0
)
# no_timer_check: under TCG on a loaded host the kernel's early check of the
# IO-APIC timer (timer_irq_works(), with interrupt remapping on) can see no
# tick in its calibrated wait and panic with "timer doesn't work through
# Interrupt-remapped IO-APIC", seconds into a boot; seen on this 2-core
# machine at load 8. The option skips that check only (kernel-parameters.txt).
VFE_BASE_CMDLINE="console=ttyS0 intel_iommu=on root=/dev/vda rootfstype=ext4 rw panic=-1 no_timer_check"

# vfe_qemu_run LOG QEMU_ARGS...: runs qemu-system-x86_64 under timeout
# ($VFE_TIMEOUT s, default 180) with the serial console going to LOG (CRs stripped) and
# QEMU's own output to LOG.qemu. The PID is kept in VFE_QEMU_PID so the exit
# trap kills this QEMU, and only it, if the test is interrupted. Returns
# QEMU's status (124: timed out).
vfe_qemu_run() {
	local log=$1 rc secs=${VFE_TIMEOUT:-180}
	shift
	timeout -k 5 "$secs" qemu-system-x86_64 "$@" -serial "file:$log.raw" </dev/null >"$log.qemu" 2>&1 &
	VFE_QEMU_PID=$!
	wait "$VFE_QEMU_PID"
	rc=$?
	VFE_QEMU_PID=
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	[ "$rc" = 124 ] && echo "# QEMU killed after ${secs}s" >>"$log.qemu"
	return "$rc"
}

# vfe_boot INITRD ROOTIMG LOG [EXTRA_CMDLINE]: boots the Debian kernel
# directly (-kernel/-initrd) on the test machine (plus VFE_QEMU_EXTRA), with
# a throw-away copy of ROOTIMG as /dev/vda. Returns 0 when the guest reached
# the end of /sbin/init.
vfe_boot() {
	local initrd=$1 img=$2 log=$3 extra=${4:-} disk=$T/disk.img
	cp --sparse=always "$img" "$disk" || return 1
	vfe_qemu_run "$log" "${VFE_QEMU_ARGS[@]}" "${VFE_QEMU_EXTRA[@]}" \
		-drive "file=$disk,if=none,id=root,format=raw" -device virtio-blk-pci,drive=root,addr=04.0 \
		-kernel "$VFE_KERNEL" -initrd "$initrd" -append "$VFE_BASE_CMDLINE $extra"
	rm -f "$disk"
	if [ -n "$VFE_WATCH_PID" ]; then
		kill "$VFE_WATCH_PID" 2>/dev/null
		wait "$VFE_WATCH_PID" 2>/dev/null
		VFE_WATCH_PID=
	fi
	grep -q '^@@VFE-DONE@@' "$log"
}

# ---------------------------------------------------------------- log parsing

# vfe_section LOG NAME: the lines the guest printed between the NAME markers
vfe_section() {
	sed -n "/^@@VFE-BEGIN $2@@\$/,/^@@VFE-END $2@@\$/p" "$1" | sed '1d;$d'
}

# vfe_driver LOG BDF: the PCI driver BDF was bound to at the end ("-" for none)
vfe_driver() {
	vfe_section "$1" drivers | awk -v b="$2" '$1 == b { sub("driver=", "", $6); print $6 }'
}

# Checks on what a boot printed, for tap_check (each says why it failed):
#   is_driver LOG BDF DRIVER   the PCI function ended on DRIVER
#   has_line TEXT ERE, has_text TEXT STRING, no_text TEXT STRING, no_lines TEXT
is_driver() {
	local got
	got=$(vfe_driver "$1" "$2")
	[ "$got" = "$3" ] || { echo "$2 is on '${got:-?}', expected $3"; return 1; }
}
has_line() { grep -qE -- "$2" <<<"$1" || { echo "no line matching: $2"; printf '%s\n' "$1" | head -n 20; return 1; }; }
has_text() { grep -qF -- "$2" <<<"$1" || { echo "no line containing: $2"; printf '%s\n' "$1" | head -n 20; return 1; }; }
no_text() { ! grep -F -- "$2" <<<"$1" || { echo "(unexpected)"; return 1; }; }
no_lines() { [ -z "$1" ] || { echo "unexpected:"; printf '%s\n' "$1"; return 1; }; }

# vfe_status_dev LOG BDF: the status record's "device" line for BDF
vfe_status_dev() {
	vfe_section "$1" status-file | grep -E "^device bdf=$2( |\$)"
}

# vfe_dmesg_driver LOG DRIVER BDF: kernel log lines in which DRIVER names BDF,
# i.e. "DRIVER BDF: ..." (dev_printk) or DRM's "Initialized DRIVER ... for BDF"
vfe_dmesg_driver() {
	vfe_section "$1" dmesg | grep -E "\] $2 $3: |Initialized $2 .* for $3 "
}
