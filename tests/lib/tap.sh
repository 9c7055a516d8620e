# shellcheck shell=bash
# TAP helpers for the shell tests (tests/integration/*.sh):
#   . tests/lib/tap.sh
#   TAP_DIAG=$T/out        file whose first lines explain a failure (optional)
#   ok NAME | not_ok NAME | skip NAME WHY | check NAME CMD... | tap_done
# tests/run.sh counts the "ok N" / "not ok N" lines; tap_done prints the plan
# and returns non-zero when anything failed.
# Sourcing it also gives every test the same start: B (the build directory,
# default build) and T, a temporary directory removed on exit.
n=0 failed=0
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TAP_DIAG=${TAP_DIAG:-}
TAP_DIAG_LINES=${TAP_DIAG_LINES:-20}

ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	if [ -n "$TAP_DIAG" ] && [ -f "$TAP_DIAG" ]; then head -n "$TAP_DIAG_LINES" "$TAP_DIAG" | sed 's/^/# /'; fi
	return 0
}
# check NAME CMD...: passes when CMD succeeds
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name"; fi
}
tap_done() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
