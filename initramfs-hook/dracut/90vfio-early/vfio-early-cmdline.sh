#!/bin/sh
# vfio-early: dracut cmdline hook (the classic shell init), installed at
# priority 00. It must run before any driver can claim a configured card,
# and the first module loads of the shell /init are in the cmdline hooks
# already: 90kernel-modules' parse-kernel.sh (cmdline/01) modprobes every
# rd.driver.pre module, which is what force_drivers+=" amdgpu " (the usual
# early-KMS recipe) becomes. A pre-udev hook would come after that.
# /proc, /sys, /dev and /run are mounted by then; switch_root moves /run
# (and the status record in it) to the real root.
#
# /init sources this file, so it must not "exit", and it never fails: the
# binder records problems in /run/vfio-early/status and the boot goes on.
if [ -x /usr/libexec/vfio-early/vfio-early-bind ]; then
    /usr/libexec/vfio-early/vfio-early-bind --log=kmsg || :
fi
