#!/bin/bash
# Shell completion (completion/): bash's on the words a user types (verbs,
# options, the PCI functions of --root's tree for add and xml, the configured
# devices for remove, boot's commands and their options), and zsh's: its
# syntax, compinit registering it, and the same device lists. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/out TAP_DIAG_LINES=20
R=$T/root

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"
printf '# mine\ndevice 0000:00:05.0 group=whole\ndevice 10de:2684\n' >"$R/etc/vfio-early.conf"

# comp LINE: what bash completes at the end of LINE, one per line, as bash gets it
comp() {
	bash -c '. completion/vfio-early.bash; COMP_LINE=$1; COMP_POINT=${#COMP_LINE}; _vfio_early
		printf "%s\n" "${COMPREPLY[@]}"' _ "$1" >"$T/out" 2>&1
}
# gives LINE WORD...: completing LINE offers exactly WORD...
gives() {
	local line=$1
	shift
	comp "$line"
	[ "$(sort "$T/out" | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]
}

tap_check "bash: the commands" gives "vfio-early " status list add remove check xml boot confirm
tap_check "bash: confirm's options" gives "vfio-early confirm --" --auto --timeout= --session --dry-run --root= --quiet \
	--help --version
tap_check "bash: a command's options" gives "vfio-early list -" -v --verbose --all --json --root= -q --quiet -h --help --version
tap_check "bash: add offers the PCI functions of --root's tree" \
	gives "vfio-early --root=$R add 0" 0000:00:00.0 0000:00:01.0 0000:00:05.0 0000:00:05.1 0000:00:06.0 \
	0000:00:1f.2 0000:01:01.0 0000:01:02.0
comp "vfio-early --root=$R add 0000:00:05."
tap_check "bash: an address after its colons, as bash replaces the word from its last ':'" \
	test "$(sort "$T/out" | tr '\n' ' ')" = "05.0 05.1 "
tap_check "bash: options after the command, --root after it too" gives "vfio-early add --root=$R --gr" --group
tap_check "bash: remove offers the configured devices" gives "vfio-early remove --root $R " 0000:00:05.0 10de:2684
tap_check "bash: boot's commands" gives "vfio-early boot re" remove recovery refresh
tap_check "bash: a boot command's options" gives "vfio-early boot recovery --" --next --default --firmware --dry-run \
	--root= --quiet --help --version
tap_check "bash: --root= completes directories" gives "vfio-early --root=$T/ro" "$T/root"

if command -v zsh >/dev/null; then
	tap_check "zsh: the completion parses" zsh -n completion/_vfio-early
	zsh -fc 'fpath=(completion $fpath); autoload -Uz compinit; compinit -u -d "$1/zcompdump"; print -r -- $_comps[vfio-early]' \
		_ "$T" >"$T/out" 2>&1
	tap_check "zsh: compinit registers it for vfio-early" test "$(cat "$T/out")" = _vfio-early
	zsh -fc 'source <(sed "/^_vfio-early \"\$@\"$/d" completion/_vfio-early); _vfio_early_pci_list $1; echo ---; _vfio_early_configured_list $1' \
		_ "$R" >"$T/out" 2>&1
	tap_check "zsh: the PCI functions of the tree and the configured devices" \
		test "$(tr '\n' ' ' <"$T/out")" = "0000:00:00.0 0000:00:01.0 0000:00:05.0 0000:00:05.1 0000:00:06.0 0000:00:1f.2 0000:01:01.0 0000:01:02.0 --- 0000:00:05.0 10de:2684 "
else
	tap_skip "zsh completion" "zsh missing (apt install zsh)"
fi

tap_done
