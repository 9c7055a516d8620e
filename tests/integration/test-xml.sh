#!/bin/bash
# vfio-early xml on the shared fake machine: the whole IOMMU group, QEMU
# arguments, the NVIDIA hints, and libvirt's own schema check
# (virt-xml-validate, Debian package libvirt-clients) on a minimal domain. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/out TAP_DIAG_LINES=30
R=$T/root

ve() { "$B/vfio-early" --root="$R" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }

# wrap: puts the <hostdev> elements into <devices> and <hyperv>/<kvm> into <features> of a minimal domain
wrap() {
	python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
frag = ET.fromstring("<r>" + open(sys.argv[1]).read() + "</r>")
dom = ET.fromstring("<domain type='kvm'><name>t</name><memory unit='MiB'>1024</memory>"
    "<os><type arch='x86_64' machine='q35'>hvm</type></os><features/><devices/></domain>")
for e in frag:
    dom.find("devices" if e.tag == "hostdev" else "features").append(e)
open(sys.argv[2], "w").write(ET.tostring(dom, encoding="unicode"))
PY
}
validate() {
	wrap "$1" "$T/domain.xml" && virt-xml-validate "$T/domain.xml" domain >"$T/out" 2>&1
}

"$B/tools/fake-machine" "$R" || { echo "not ok 1 - fake machine"; exit 1; }
echo 'device 0000:00:05.0' >"$R/etc/vfio-early.conf"

ve xml --xml
check "xml: exit 0" test "$(rc)" = 0
check "the configured GPU and the other function of its group, nothing else" \
	test "$(grep -c '<hostdev ' "$T/out")" = 2 -a -n "$(grep "slot='0x05' function='0x1'" "$T/out")"
check "no NVIDIA hints for a non-NVIDIA card" test -z "$(grep hidden "$T/out")"
cp "$T/out" "$T/plain.xml"
ve xml --qemu
check "qemu arguments for both functions" \
	test "$(grep -c '^-device vfio-pci,host=0000:00:05\.[01]' "$T/out")" = 2
ve xml --qemu 01:02.0
check "a named device brings its group, bridges left out" \
	test "$(cat "$T/out" | tr -d '\\\n ')" = "-devicevfio-pci,host=0000:01:01.0-devicevfio-pci,host=0000:01:02.0"
ve xml 0000:09:00.0
check "an absent device is a one-line error, exit 1" test "$(rc)" = 1 -a "$(wc -l <"$T/err")" = 1
# make the configured card an NVIDIA GPU
sed -i 's/^pci:v00001234d00001111/pci:v000010DEd00002684/; s/bc03sc80/bc03sc00/' \
	"$R/sys/bus/pci/devices/0000:00:05.0/modalias"
echo 'device 0000:00:05.0' >"$R/etc/vfio-early.conf"
ve xml --xml
check "NVIDIA: hyperv vendor_id and kvm hidden" \
	test -n "$(grep "<vendor_id state='on' value=" "$T/out")" -a -n "$(grep "<hidden state='on'/>" "$T/out")"
cp "$T/out" "$T/nvidia.xml"
ve xml
check "the default output is still well-formed XML (QEMU part in a comment)" \
	python3 -c 'import sys,xml.etree.ElementTree as E; E.fromstring("<r>"+open(sys.argv[1]).read()+"</r>")' "$T/out"

if command -v virt-xml-validate >/dev/null; then
	if validate "$T/plain.xml"; then ok "libvirt's schema accepts the hostdev elements"; else not_ok "libvirt's schema accepts the hostdev elements"; fi
	if validate "$T/nvidia.xml"; then ok "libvirt's schema accepts the NVIDIA features"; else not_ok "libvirt's schema accepts the NVIDIA features"; fi
	sed 's/managed=.yes./managed="maybe"/' "$T/plain.xml" >"$T/bad.xml"
	if validate "$T/bad.xml"; then not_ok "the schema check can fail (managed='maybe')"; else ok "the schema check can fail (managed='maybe')"; fi
else
	skip "libvirt's schema accepts the hostdev elements" "virt-xml-validate missing (apt install libvirt-clients)"
fi

echo "1..$n"
[ $failed = 0 ]
