# shellcheck shell=bash
# The TAP library of every shell test: integration, lint, the fuzz replay and
# the QEMU boot tests (tests/boot/lib.sh sources it).
#
#   cd "$(dirname "$0")/../.."; . tests/lib/tap.sh
#
# Sourcing it gives every test the same start:
#   B        the build directory (default build; relative to the top of the
#            tree), the one make and tests/run.sh use
#   T        a temporary directory in $TMPDIR, removed on exit (TAP_KEEP=1
#            keeps it and prints its path)
#   umask 022, so what a test creates has the same modes whatever the caller's umask
# and the TAP lines tests/run.sh counts:
#   tap_ok NAME              "ok N - NAME"
#   tap_not_ok NAME [FILE]   "not ok N - NAME", then the first $TAP_DIAG_LINES
#                            lines of FILE (default: $TAP_DIAG, when set) as "# " lines
#   tap_skip NAME WHY        "ok N - NAME # SKIP WHY"
#   tap_check NAME CMD...    ok when CMD succeeds; else not ok, with CMD's output
#                            (then $TAP_DIAG) as the diagnostic
#   tap_diag TEXT...         "# " lines
#   tap_done                 the plan, "1..N"; returns 1 when anything failed
#                            (the last line of a test: its status is the script's)
#   tap_bail NAME [FILE]     a setup step failed and nothing else can run: not ok,
#                            the last $TAP_DIAG_LINES lines of FILE (default: $TAP_DIAG),
#                            the plan, exit 1
#   tap_skip_all WHY         nothing can run here (a tool is missing, not root):
#                            "1..0 # SKIP WHY", exit 0
#   tap_at_exit CMD          run CMD on exit, before T is removed (e.g. kill a QEMU)
#   tap_nobody               prepare commands run as the unprivileged user: see below
B=${B:-build}
TAP_DIAG=${TAP_DIAG:-}
TAP_DIAG_LINES=${TAP_DIAG_LINES:-40}
TAP_KEEP=${TAP_KEEP:-0}
tap_n=0 tap_failed=0
tap_exit_cmds=()
umask 022

tap_at_exit() { tap_exit_cmds+=("$1"); }

tap_exit() {
	local c
	for c in "${tap_exit_cmds[@]}"; do eval "$c"; done
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ "$TAP_KEEP" = 1 ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
	fi
}

if ! T=$(mktemp -d "${TMPDIR:-/tmp}/vfe-$(basename "$0" .sh).XXXXXX"); then
	printf 'not ok 1 - a temporary directory in %s\n1..1\n' "${TMPDIR:-/tmp}"
	exit 1
fi
trap tap_exit EXIT
trap 'exit 130' INT TERM

tap_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# tap_show FILE head|tail: the diagnostic lines of a file
tap_show() { [ -n "$1" ] && [ -f "$1" ] && "$2" -n "$TAP_DIAG_LINES" "$1" | sed 's/^/# /'; return 0; }

tap_ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
tap_skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
tap_failure() { tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"; }
tap_not_ok() {
	tap_failure "$1"
	tap_show "${2:-$TAP_DIAG}" head
}

tap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
		return 0
	fi
	tap_failure "$name"
	[ -n "$out" ] && printf '%s\n' "$out" | head -n "$TAP_DIAG_LINES" | sed 's/^/# /'
	tap_show "$TAP_DIAG" head
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}

tap_bail() {
	tap_failure "$1"
	tap_show "${2:-$TAP_DIAG}" tail
	echo "1..$tap_n"
	exit 1
}

tap_skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# tap_nobody: commands run as nobody (runuser -u nobody -- "$VE_NOBODY" ...).
# The checkout may sit in a directory only root can enter (mktemp -d makes
# them 0700), where nobody cannot reach $B: VE_NOBODY is a copy of the CLI in
# $T, and $T is made reachable. Returns 1 with the reason in TAP_WHY when
# commands cannot run unprivileged here (not root, no runuser, $TMPDIR
# closed to nobody); the caller skips.
# shellcheck disable=SC2034 # TAP_WHY and VE_NOBODY are for the caller
tap_nobody() {
	TAP_WHY=
	if [ "$(id -u)" != 0 ] || ! command -v runuser >/dev/null; then
		TAP_WHY="needs root and runuser"
		return 1
	fi
	VE_NOBODY=$T/nobody/vfio-early
	install -D -m 0755 "$B/vfio-early" "$VE_NOBODY" && chmod a+rx "$T" || return 1
	if ! runuser -u nobody -- "$VE_NOBODY" --version >/dev/null 2>&1; then
		TAP_WHY="nobody cannot run $VE_NOBODY (is ${TMPDIR:-/tmp} open to other users?)"
		return 1
	fi
}
