#!/bin/bash
# The exit status of every verb, as vfio-early(8) documents it: 0 success (and
# --help, on standard output), 1 failure (one line on standard error), 2 usage
# error; check: 1 when an item failed. main() alone maps what a verb returns
# to these (cli/cli.h); this pins the mapping for each verb. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/err TAP_DIAG_LINES=5
R=$T/root

"$B/tools/fake-machine" "$R" || { echo "not ok 1 - fake machine"; exit 1; }

# exits WANT NAME ARGS...: vfio-early --root=R ARGS exits WANT; help (0) goes to stdout only,
# a usage error (2) says what is wrong on stderr, a failure (1) says why.
exits() {
	local want=$1 name=$2 rc good
	shift 2
	"$B/vfio-early" --root="$R" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	case $want in
	help) [ $rc = 0 ] && [ -s "$T/out" ] && [ ! -s "$T/err" ] ;;
	2) [ $rc = 2 ] && [ -s "$T/err" ] ;;
	1) [ $rc = 1 ] && [ -s "$T/err" -o -s "$T/out" ] ;;
	*) [ $rc = "$want" ] ;;
	esac
	good=$?
	echo "vfio-early $* exited $rc" >>"$T/err"
	if [ $good = 0 ]; then ok "$name"; else not_ok "$name"; fi
}

exits help "--help: 0, on stdout" --help
exits 0 "--version: 0" --version
exits 2 "an unknown global option: 2" --frobnicate
exits 2 "an unknown command: 2" frobnicate
if "$B/vfio-early" --root="$T/nonexistent" status >/dev/null 2>&1; then rc=0; else rc=$?; fi
check "a root that cannot be opened: 1" test "$rc" = 1

exits 0 "status: 0" status
exits 0 "status --json: 0" status --json
exits help "status --help: 0" status --help
exits 2 "status with an argument: 2" status extra
exits 2 "status --dry-run: 2 (not a changing verb)" status --dry-run

exits 0 "list: 0" list
exits help "list --help: 0" list --help
exits 2 "list with an argument: 2" list extra
exits 2 "list with an unknown option: 2" list --frobnicate

exits help "add --help: 0" add --help
exits 2 "add without a device: 2" add
exits 2 "add with two devices: 2" add 00:05.0 00:05.1
exits 2 "add with an unknown option: 2" add --frobnicate 00:05.0
exits 1 "add of an absent device: 1" add 0000:09:00.0
exits 1 "add of a bridge: 1" add 00:06.0
exits 0 "add --dry-run: 0" add --dry-run 00:05.0

exits help "remove --help: 0" remove --help
exits 2 "remove without a device: 2" remove
exits 2 "remove of something that is no device: 2" remove frobnicate
exits 1 "remove of a device not in the config: 1" remove 00:05.0

exits 1 "check with a failed item: 1" check
exits 1 "check --json with a failed item: 1" check --json
exits help "check --help: 0" check --help
exits 2 "check with an argument: 2" check extra

exits help "xml --help: 0" xml --help
exits 2 "xml with two devices: 2" xml 00:05.0 00:05.1
exits 2 "xml --xml --qemu (nothing left to print): 2" xml --xml --qemu
exits 1 "xml with nothing configured: 1" xml
exits 1 "xml of an absent device: 1" xml 0000:09:00.0
exits 0 "xml of a device: 0" xml 00:05.0

exits 2 "boot without a command: 2" boot
exits 2 "boot with an unknown command: 2" boot frobnicate
exits 2 "boot show with an argument: 2" boot show extra
exits 2 "boot install --next: 2" boot install --next
exits 2 "boot recovery without --next or --default: 2" boot recovery
exits 2 "boot install --json: 2" boot install --json
exits help "boot show --help: 0" boot show --help
exits 0 "boot show with no loader: 0" boot show
exits 0 "boot refresh with no loader: 0" boot refresh
exits 1 "boot install without a CPU vendor: 1" boot install --dry-run
exits 1 "boot recovery --next with no loader: 1" boot recovery --next
exits 2 "boot recovery-cmdline without '--': 2" boot recovery-cmdline
exits 0 "boot recovery-cmdline: 0" boot recovery-cmdline -- "quiet splash"

tap_done
