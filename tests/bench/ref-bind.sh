#!/bin/sh
# shellcheck disable=SC2154 # get and base assign their variables through eval
# ref-bind.sh ROOT [cat|read]: the reference the benchmark compares the binder with.
#
# What people run today instead of vfio-early: a POSIX sh script in the
# initramfs that walks /sys/bus/pci/devices with cat and basename, picks the
# configured devices, writes driver_override and asks the kernel to probe.
# This one does the same work as vfio-early-bind, on the same tree and the
# same etc/vfio-early.conf, so the two can be timed side by side:
#   - the kernel command line (vfio_early=off), an active IOMMU, vfio-pci;
#   - for every PCI function: read vendor, device and class, match them and
#     the address against the configured entries;
#   - for every match: refuse bridges and the boot VGA, read the IOMMU group,
#     check each member (a bridge is skipped, a member held by a host driver
#     refuses the group), then for each member write driver_override, write
#     drivers_probe and read the driver link back;
#   - a line per device to the kernel log and a status file under run/.
# Run it with busybox sh, as in an initramfs: /bin/busybox sh ref-bind.sh ROOT
#
# cat (the default, or REF_STYLE=cat) is the common way, one $(cat FILE) per
# attribute; read (or REF_STYLE=read) is a careful script that reads with
# the "read" builtin and cuts names with ${x##*/}, forking only for readlink.
# When vfio-pci is not registered it runs kmod's modprobe on the tree's
# lib/modules (-d ROOT), as an initramfs script would run modprobe; if the
# driver is still missing, each match is recorded as failed, as the binder
# does.
#
# Only the config syntax the benchmark writes is understood:
#   device DDDD:BB:DD.F id=VVVV:DDDD group=whole
R=${1:?usage: ref-bind.sh ROOT [cat|read]}
STYLE=${2:-${REF_STYLE:-cat}}
PCI=$R/sys/bus/pci
KMSG=$R/dev/kmsg
STATUS=$R/run/vfio-early-ref.status

if [ "$STYLE" = read ]; then
	get() { read -r "$1" <"$2"; }
	base() { eval "$1=\${2##*/}"; }
else
	get() { eval "$1=\$(cat \"\$2\")"; }
	base() { eval "$1=\$(basename \"\$2\")"; }
fi

log() { echo "<5>vfio-early-ref: $*" >>"$KMSG"; }

# ---------------------------------------------------------------- preconditions

read -r cmdline <"$R/proc/cmdline"
case " $cmdline " in
*" vfio_early=off "*)
	log "vfio_early=off: binding nothing"
	exit 0
	;;
esac
iommu=no
for i in "$R"/sys/class/iommu/*; do
	[ -e "$i" ] && iommu=yes
done
if [ "$iommu" = no ]; then
	log "no active IOMMU: binding nothing"
	exit 0
fi
# vfio-pci built in, or loaded the usual way (kmod's modprobe, not busybox's applet)
vfio=yes
if [ ! -d "$PCI/drivers/vfio-pci" ]; then
	/sbin/modprobe -d "$R" vfio-pci 2>/dev/null
	[ -d "$PCI/drivers/vfio-pci" ] || vfio=no
fi

# ---------------------------------------------------------------- the config

# WANT: " ADDR=VVVV:DDDD ADDR=VVVV:DDDD ... " (the spaces make "case" matching exact)
WANT=" "
while read -r kw addr rest; do
	[ "$kw" = device ] || continue
	id=
	for w in $rest; do
		case $w in id=*) id=${w#id=} ;; esac
	done
	WANT="$WANT$addr=$id "
done <"$R/etc/vfio-early.conf"

: >"$STATUS"
record() { echo "$*" >>"$STATUS"; }

# bind_group DEV: every endpoint of DEV's IOMMU group to vfio-pci (group=whole)
bind_group() {
	dev=$1
	if [ "$vfio" = no ]; then
		log "${dev##*/}: the vfio-pci driver is not available"
		record "${dev##*/} failed no-vfio-pci"
		return
	fi
	if [ ! -e "$dev/iommu_group" ]; then
		record "${dev##*/} refused no-iommu-group"
		return
	fi
	link=$(readlink "$dev/iommu_group")
	base group "$link"
	members=
	for m in "$R/sys/kernel/iommu_groups/$group/devices/"*; do
		base maddr "$m"
		get mclass "$PCI/devices/$maddr/class"
		case $mclass in 0x0604*) continue ;; esac
		if [ -e "$PCI/devices/$maddr/driver" ]; then
			link=$(readlink "$PCI/devices/$maddr/driver")
			base drv "$link"
			if [ "$drv" != vfio-pci ]; then
				log "$maddr: group $group is held by $drv; not binding"
				record "${dev##*/} refused group-held-by-$drv"
				return
			fi
		fi
		members="$members $maddr"
	done
	for maddr in $members; do
		echo vfio-pci >"$PCI/devices/$maddr/driver_override"
		echo "$maddr" >"$PCI/drivers_probe"
		now=none
		if [ -e "$PCI/devices/$maddr/driver" ]; then
			link=$(readlink "$PCI/devices/$maddr/driver")
			base now "$link"
		fi
		if [ "$now" = vfio-pci ]; then
			log "$maddr: bound to vfio-pci"
			record "$maddr bound"
		else
			log "$maddr: vfio-pci did not bind it (driver now: $now)"
			record "$maddr failed $now"
		fi
	done
}

# ---------------------------------------------------------------- the scan

for dev in "$PCI"/devices/*; do
	base addr "$dev"
	get vendor "$dev/vendor"
	get device "$dev/device"
	get class "$dev/class"
	case $WANT in
	*" $addr=${vendor#0x}:${device#0x} "*) ;;
	*) continue ;;
	esac
	case $class in
	0x0604*)
		record "$addr refused bridge"
		continue
		;;
	0x03*)
		if [ -e "$dev/boot_vga" ]; then
			get bootvga "$dev/boot_vga"
			if [ "$bootvga" = 1 ]; then
				record "$addr refused boot-vga"
				continue
			fi
		fi
		;;
	esac
	bind_group "$dev"
done
exit 0
