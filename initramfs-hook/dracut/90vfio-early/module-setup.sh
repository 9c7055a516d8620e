#!/bin/bash
# dracut module "vfio-early": bind the configured PCI devices to vfio-pci
# before udev can load GPU or audio drivers for them.
#
# What goes into the image when a vfio-early config exists:
#   /usr/libexec/vfio-early/vfio-early-bind (it links only libc) and libkmod,
#   which the binder dlopen()s when it must load a module
#   /etc/vfio-early.conf and /etc/vfio-early.d/*.conf, at the same paths
#   /usr/lib/vfio-early/host, written by vfio-early-image-facts: copies of
#   the installed kernel's module alias indexes (a host-only image's own
#   index holds only the drivers in it) and the PCI functions on the path to
#   the running system, so the binder decides as the installed system will
#   the kernel modules vfio_pci (with vfio, vfio-pci-core, irqbypass through
#   its dependencies) and vfio_iommu_type1 (only a softdep of vfio), even in
#   host-only mode, because the host has not loaded them yet on first set-up;
#   efivarfs, for the automatic fallback's read of LoaderBootCountPath
#   and the shell init:   a cmdline hook at priority 00 (vfio-early-cmdline.sh),
#                         before parse-kernel.sh loads the rd.driver.pre modules
#   or the systemd initrd: vfio-early.service, wanted by sysinit.target and
#                         ordered before systemd-udevd/-udev-trigger
# Binding uses driver_override, so nothing here depends on /etc/modprobe.d
# (which dracut drops from generic, non-host-only images anyway).
#
# check(): 0 when a config exists, 255 when none does. 255 means "only when
# asked for": a plain rebuild leaves the module out, and a dracut.conf.d with
# add_dracutmodules+=" vfio-early " still builds (check() returning 1 there
# makes dracut abort with "cannot be found or installed", which would break
# every later kernel's initramfs once the user removed the config). Included
# without a config, the binder finds nothing to do and records that.
#
# VFIO_EARLY_ROOT (default empty) prefixes every host path read here, so
# tests can point it at a "make install DESTDIR=..." tree.

VFE_BINDER=/usr/libexec/vfio-early/vfio-early-bind
VFE_FACTS=/usr/libexec/vfio-early/vfio-early-image-facts

# The config files (paths inside the image), in the order the binder reads them.
vfe_configs() {
    local r=${VFIO_EARLY_ROOT:-} f
    [[ -f $r/etc/vfio-early.conf ]] && echo /etc/vfio-early.conf
    for f in "$r"/etc/vfio-early.d/*.conf; do
        [[ -f $f ]] && echo "/etc/vfio-early.d/${f##*/}"
    done
    return 0
}

check() {
    [[ -n $(vfe_configs) ]] || return 255
    # Configured but the binder is gone: say so; install() adds nothing.
    [[ -x ${VFIO_EARLY_ROOT:-}$VFE_BINDER ]] || dwarn "vfio-early: ${VFIO_EARLY_ROOT:-}$VFE_BINDER is missing; devices will not be bound at boot (reinstall vfio-early)"
    return 0
}

depends() {
    return 0
}

installkernel() {
    # vfio may be built in (instmods accepts that); if it is neither built in
    # nor a module, warn and go on: the binder records the failure at boot.
    # Never name vfio_virqfd: it was merged into vfio in 6.2, and on older
    # kernels vfio_pci pulls it in as a dependency.
    hostonly='' instmods -c -s vfio_pci \
        || dwarn "vfio-early: vfio-pci is neither a module nor built into kernel $kernel; the configured devices cannot be bound with this kernel"
    hostonly='' instmods vfio_iommu_type1
    # the automatic fallback reads systemd-boot's LoaderBootCountPath at boot
    # (docs/fallback.md); efivarfs is a module in Debian's kernel
    hostonly='' instmods -s efivarfs || :
    return 0
}

install() {
    local r=${VFIO_EARLY_ROOT:-} f
    [[ -x $r$VFE_BINDER ]] || return 0
    inst_binary "$r$VFE_BINDER" "$VFE_BINDER"
    # The binder opens libkmod with dlopen() only when a module must be
    # loaded; inst_binary follows DT_NEEDED only, so install it (and what it
    # needs) by name. The binder says where the dynamic loader finds it.
    if f=$("$r$VFE_BINDER" --print-dlopen) && [[ -n $f ]]; then
        inst_library "$f"
    else
        dwarn "vfio-early: libkmod is missing; the binder cannot load vfio-pci at boot unless it is built in"
    fi
    for f in $(vfe_configs); do
        inst_simple "$r$f" "$f"
    done
    # The installed system's facts, from the kernel the image is for ($srcmods).
    if [[ -x $r$VFE_FACTS ]]; then
        mkdir -p "$initdir/usr/lib/vfio-early"
        "$r$VFE_FACTS" --root="${r:-/}" --modules="${srcmods:-/lib/modules/$kernel}" \
            --output="$initdir/usr/lib/vfio-early/host" \
            || dwarn "vfio-early: vfio-early-image-facts failed; the binder decides without the installed system's facts"
    else
        dwarn "vfio-early: $r$VFE_FACTS is missing; the binder decides without the installed system's facts (reinstall vfio-early)"
    fi
    # One entry point per flavour: in the systemd initrd the hooks also run
    # (dracut-cmdline.service, dracut-pre-udev.service), so installing both
    # would bind twice. The unit is ordered before dracut-pre-udev.service,
    # which loads rd.driver.pre there; the shell init loads them in its
    # cmdline hooks (parse-kernel.sh, priority 01), so the hook runs at 00.
    if dracut_module_included "systemd"; then
        inst_simple "$moddir/vfio-early.service" "$systemdsystemunitdir/vfio-early.service"
        $SYSTEMCTL -q --root "$initdir" add-wants sysinit.target vfio-early.service
    else
        inst_hook cmdline 00 "$moddir/vfio-early-cmdline.sh"
    fi
}
