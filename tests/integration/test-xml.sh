#!/bin/bash
# vfio-early xml on the shared fake machine: one well-formed document (a
# <hostdev> alone, or <devices> holding one per function of the group), the
# QEMU arguments, the Code 43 <features> as their own option, --domain through
# virsh (a stand-in virsh records what it was given; --dry-run prints the
# commands), and libvirt's own schema check (virt-xml-validate, Debian package
# libvirt-clients) of each part placed where it goes in a minimal domain.
# Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/out TAP_DIAG_LINES=30
R=$T/root

ve() { "$B/vfio-early" --root="$R" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
# well_formed FILE ROOT: one XML document whose root element is ROOT
well_formed() {
	python3 -c 'import sys,xml.etree.ElementTree as E; assert E.parse(sys.argv[1]).getroot().tag == sys.argv[2]' "$1" "$2"
}

# wrap: puts a document (<hostdev>, <devices> or <features>) where it goes in a minimal domain
wrap() {
	python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
doc = ET.parse(sys.argv[1]).getroot()
dom = ET.fromstring("<domain type='kvm'><name>t</name><memory unit='MiB'>1024</memory>"
    "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices/></domain>")
if doc.tag == "features":
    dom.insert(3, doc)
else:
    for e in (list(doc) if doc.tag == "devices" else [doc]):
        dom.find("devices").append(e)
open(sys.argv[2], "w").write(ET.tostring(dom, encoding="unicode"))
PY
}
validate() {
	wrap "$1" "$T/domain.xml" && virt-xml-validate "$T/domain.xml" domain >"$T/out" 2>&1
}

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
echo 'device 0000:00:05.0 group=whole' >"$R/etc/vfio-early.conf"

ve xml
tap_check "xml: exit 0" test "$(rc)" = 0
tap_check "the configured GPU and the other function of its group: one <devices> document, two <hostdev>" \
	eval 'well_formed "$T/out" devices && test "$(grep -c "<hostdev " "$T/out")" = 2 && grep -q "slot=.0x05. function=.0x1." "$T/out"'
tap_check "... and on stderr how to attach several" grep -q 'xml --domain NAME' "$T/err"
tap_check "no NVIDIA hints in the document" test -z "$(grep -e hidden -e hyperv "$T/out")"
cp "$T/out" "$T/plain.xml"
ve xml 00:01.0
tap_check "a function alone in its group: the <hostdev> itself, as virsh attach-device takes it" \
	eval 'well_formed "$T/out" hostdev && test ! -s "$T/err"'
cp "$T/out" "$T/one.xml"
ve xml --qemu
tap_check "qemu arguments for both functions" \
	test "$(grep -c '^-device vfio-pci,host=0000:00:05\.[01]' "$T/out")" = 2
ve xml --qemu 1:2.0
tap_check "a named device (lspci's short form) brings its group, bridges left out" \
	test "$(cat "$T/out" | tr -d '\\\n ')" = "-devicevfio-pci,host=0000:01:01.0-devicevfio-pci,host=0000:01:02.0"
ve xml 0000:09:00.0
tap_check "an absent device is a one-line error, exit 1" test "$(rc)" = 1 -a "$(wc -l <"$T/err")" = 1
# make the configured card an NVIDIA GPU
sed -i 's/^pci:v00001234d00001111/pci:v000010DEd00002684/; s/bc03sc80/bc03sc00/' \
	"$R/sys/bus/pci/devices/0000:00:05.0/modalias"
ve xml
tap_check "NVIDIA: the document stays the devices alone; stderr points to --features" \
	eval 'well_formed "$T/out" devices && test -z "$(grep hidden "$T/out")" && grep -q -e "--features" "$T/err"'
ve xml --features
tap_check "--features: one <features> document with hyperv vendor_id and kvm hidden, and where it goes" \
	eval 'well_formed "$T/out" features && grep -q "<vendor_id state=.on. value=" "$T/out" &&
		grep -q "<hidden state=.on./>" "$T/out" && grep -q "domain.s <features>" "$T/err"'
cp "$T/out" "$T/features.xml"

if command -v virt-xml-validate >/dev/null; then
	for f in plain one features; do
		if validate "$T/$f.xml"; then tap_ok "libvirt's schema accepts $f.xml where it goes"; else tap_not_ok "libvirt's schema accepts $f.xml where it goes"; fi
	done
	sed 's/managed=.yes./managed="maybe"/' "$T/plain.xml" >"$T/bad.xml"
	if validate "$T/bad.xml"; then tap_not_ok "the schema check can fail (managed='maybe')"; else tap_ok "the schema check can fail (managed='maybe')"; fi
else
	tap_skip "libvirt's schema accepts the documents" "virt-xml-validate missing (apt install libvirt-clients)"
fi

# --domain: a stand-in virsh that records its arguments and the file it reads; FAIL_AT=N fails the Nth call
mkdir -p "$T/bin"
cat >"$T/bin/virsh" <<'SH'
#!/bin/sh
n=$(($(cat "$VIRSH_LOG.n" 2>/dev/null || echo 0) + 1))
echo $n >"$VIRSH_LOG.n"
echo "$*" >>"$VIRSH_LOG"
cat "$3" >"$VIRSH_LOG.$n.xml"
[ "$n" = "${FAIL_AT:-0}" ] && { echo "error: Failed to attach device" >&2; exit 1; }
echo "Device attached successfully"
SH
chmod +x "$T/bin/virsh"
export VIRSH_LOG=$T/virsh.log
PATH=$T/bin:$PATH ve xml --domain win10
tap_check "--domain: virsh attach-device --config once per function, each a <hostdev> document" \
	eval 'test "$(rc)" = 0 && test "$(grep -c "^attach-device win10 /dev/stdin --config$" "$VIRSH_LOG")" = 2 &&
		well_formed "$VIRSH_LOG.1.xml" hostdev && well_formed "$VIRSH_LOG.2.xml" hostdev &&
		grep -q "function=.0x1." "$VIRSH_LOG.2.xml"'
rm -f "$VIRSH_LOG"*
FAIL_AT=2 PATH=$T/bin:$PATH ve xml --domain win10
tap_check "--domain: a failed attach detaches what was attached (all or none), exit 1" \
	eval 'test "$(rc)" = 1 && test "$(sed -n 3p "$VIRSH_LOG")" = "detach-device win10 /dev/stdin --config" &&
		cmp -s "$VIRSH_LOG.1.xml" "$VIRSH_LOG.3.xml"'
rm -f "$VIRSH_LOG"*
PATH=$T/bin:$PATH ve xml --domain win10 --dry-run
tap_check "--domain --dry-run prints the virsh commands and runs none" \
	eval 'test "$(rc)" = 0 -a ! -e "$VIRSH_LOG" && test "$(grep -c "^virsh attach-device win10 /dev/stdin --config <<.EOF.$" "$T/out")" = 2'
PATH=/nonexistent "$B/vfio-early" --root="$R" xml --domain win10 >"$T/out" 2>&1
echo $? >"$T/rc"
tap_check "--domain without virsh says how to get it, exit 1" \
	eval 'test "$(rc)" = 1 && grep -q "virsh is not installed (sudo apt install libvirt-clients)" "$T/out"'

tap_done
