#!/bin/sh
# vfio-early: dracut pre-udev hook (the classic shell init). /init sources
# this file before it starts systemd-udevd and triggers the coldplug that
# loads GPU and audio drivers, so it must not "exit", and it never fails:
# the binder records problems in /run/vfio-early/status and the boot goes on.
# /run is already a tmpfs here; switch_root moves it to the real root.
if [ -x /usr/libexec/vfio-early/vfio-early-bind ]; then
    /usr/libexec/vfio-early/vfio-early-bind --log=kmsg || :
fi
