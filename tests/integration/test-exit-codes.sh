#!/bin/bash
# The exit status of every verb, as vfio-early(8) documents it: 0 success (and
# --help, on standard output), 1 failure (one line on standard error), 2 usage
# error naming what is wrong; check: 1 when an item failed; status: 3, 4, 5
# (tested in test-cli.sh). main() alone maps what a verb returns to these
# (cli/cli.h); this pins the mapping for each verb. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
TAP_DIAG=$T/err TAP_DIAG_LINES=5
R=$T/root

"$B/tools/fake-machine" "$R" || tap_bail "fake machine in $R"

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
	if [ $good = 0 ]; then tap_ok "$name"; else tap_not_ok "$name"; fi
}

exits help "--help: 0, on stdout" --help
exits 0 "--version: 0" --version
exits 2 "an unknown global option: 2" --frobnicate
exits 2 "an unknown command: 2" frobnicate
if "$B/vfio-early" --root="$T/nonexistent" status >/dev/null 2>&1; then rc=0; else rc=$?; fi
tap_check "a root that cannot be opened: 1" test "$rc" = 1

exits 5 "status before the binder ran: 5" status
exits 5 "status --json before the binder ran: 5" status --json
exits help "status --help: 0" status --help
exits 2 "status with an argument: 2" status extra
exits 2 "status --dry-run: 2 (not a changing verb)" status --dry-run

exits 0 "list: 0" list
exits help "list --help: 0" list --help
exits 2 "list with an argument: 2" list extra
exits 2 "list with an unknown option: 2" list --frobnicate

exits help "add --help: 0" add --help
exits 2 "add without a device: 2" add
exits 2 "add --group --function: 2" add --group --function 00:05.0
exits 1 "add of two devices, one absent: 1" add --function 00:05.0 0000:09:00.0
tap_check "... and nothing is written" test ! -e "$R/etc/vfio-early.conf"
exits 2 "add of a GPU whose group holds more, neither --group nor --function, no terminal: 2" add 00:05.0
exits 2 "add with an unknown option: 2" add --frobnicate 00:05.0
exits 1 "add of an absent device: 1" add 0000:09:00.0
exits 1 "add of a bridge: 1" add 00:06.0
exits 0 "add --dry-run: 0" add --dry-run --group 00:05.0

exits help "remove --help: 0" remove --help
exits 2 "remove without a device: 2" remove
exits 2 "remove of something that is no device: 2" remove frobnicate
exits 1 "remove of a device not in the config: 1" remove 00:05.0

exits 1 "check with a failed item: 1" check
exits 1 "check --json with a failed item: 1" check --json
exits help "check --help: 0" check --help
exits 2 "check with an argument: 2" check extra

exits help "xml --help: 0" xml --help
exits 2 "xml --xml --qemu: 2" xml --xml --qemu
exits 2 "xml --qemu --domain: 2" xml --qemu --domain win10
exits 2 "xml --domain without its NAME: 2" xml --domain
exits 2 "xml --dry-run without --domain: 2" xml --dry-run
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
exits 2 "boot recovery --next --default: 2" boot recovery --next --default
exits 2 "boot passthrough without --default: 2" boot passthrough
exits 2 "boot recovery-cmdline without '--': 2" boot recovery-cmdline
exits 0 "boot recovery-cmdline: 0" boot recovery-cmdline -- "quiet splash"

# every verb's and every boot command's --help: exit 0, on standard output only
for v in status list add remove check xml boot "boot show" "boot install" "boot remove" "boot recovery" \
	"boot passthrough" "boot menu" "boot refresh"; do
	# shellcheck disable=SC2086
	exits help "$v --help: 0, on stdout" $v --help
done
exits help "--help after a verb's arguments: 0" add 00:05.0 --help
exits help "-h before the verb: the verb's help" -h boot

# a usage error names what is wrong
# says NAME TEXT ARGS...: exit 2 and standard error holds TEXT
says() {
	local name=$1 text=$2
	shift 2
	"$B/vfio-early" --root="$R" "$@" >"$T/out" 2>"$T/err"
	if [ $? = 2 ] && grep -qF -- "$text" "$T/err"; then tap_ok "$name"; else echo "# $(head -3 "$T/err")"; tap_not_ok "$name"; fi
}
says "bare 'boot recovery' says --next or --default is missing" "boot recovery: --next or --default is missing" boot recovery
says "'boot' alone says COMMAND is missing" "COMMAND is missing" boot
says "an unknown boot command is named" "unknown command 'frobnicate'" boot frobnicate
says "an option a boot command does not take is named" "--json does not apply to 'boot install'" boot install --json
says "an unknown option is named" "unknown option '--frobnicate'" list --frobnicate
says "an extra argument is named" "unexpected argument 'extra'" status extra
says "a missing DEVICE is named" "DEVICE is missing" add
says "--dry-run on a verb that changes nothing says so" "--dry-run does not apply" status --dry-run

tap_done
