#!/bin/bash
# Runs every test and prints one closing line: "N passed, N failed, N skipped".
#
#   tests/run.sh            unit tests (plain and sanitized), integration tests, QEMU boot tests,
#                           the Debian package's install/upgrade/purge test (tests/package/)
#   tests/run.sh --unit     unit tests only
#   tests/run.sh PATTERN    only the test programs whose path contains PATTERN
#
#   VFE_TEST_LIMIT=S        a test program still running after S seconds (default 1200) is
#                           stopped (TERM, then KILL 10 s later) and counts as failed: a hang
#                           fails make check instead of holding it until CI gives up
#   B=DIR                   the build directory (default build, relative to the top of the
#                           tree), as for make; the sanitized unit tests are in DIR-asan
#                           (make check builds both). The shell tests get the same B.
#
# Every test program speaks TAP: "ok N - name", "not ok N - name", "ok N - name # SKIP why";
# "1..0 # SKIP why" (nothing could run here) counts as one skipped.
# A program that exits non-zero without reporting a failure counts as one failure.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
B=${B%/}
export B

only_unit=0 pattern=
for a in "$@"; do
	case $a in
	--unit) only_unit=1 ;;
	*) pattern=$a ;;
	esac
done

progs=()
for p in "$B"/tests/test-* "$B-asan"/tests/test-*; do
	[ -x "$p" ] && progs+=("$p")
done
if [ $only_unit = 0 ]; then
	for p in tests/lint/test-*.sh tests/integration/test-*.sh tests/boot/test-*.sh tests/package/test-*.sh; do
		[ -x "$p" ] && progs+=("$p")
	done
fi

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for p in "${progs[@]}"; do
	[ -n "$pattern" ] && [[ $p != *"$pattern"* ]] && continue
	start=$(date +%s)
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	timeout -k 10 "${VFE_TEST_LIMIT:-1200}" "$p" >"$log" 2>&1
	rc=$?
	[ "$rc" = 124 ] && echo "not ok - $p stopped after ${VFE_TEST_LIMIT:-1200} s (VFE_TEST_LIMIT)" >>"$log"
	p_ok=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
	p_skip=$(grep -cE '^ok [0-9]+.*# SKIP|^1\.\.0 # SKIP' "$log" | tr -d ' ')
	p_fail=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
	if [ "$rc" != 0 ] && [ "$p_fail" = 0 ]; then
		p_fail=1
		[ "$rc" = 124 ] || echo "not ok - $p exited with status $rc" >>"$log"
	fi
	p_pass=$((p_ok - $(grep -cE '^ok [0-9]+.*# SKIP' "$log")))
	passed=$((passed + p_pass)) skipped=$((skipped + p_skip)) failed=$((failed + p_fail))
	printf '%-44s %3d passed %3d failed %3d skipped  (%ds)\n' "$p" "$p_pass" "$p_fail" "$p_skip" \
		$(($(date +%s) - start))
	if [ "$p_fail" != 0 ] || [ -n "${VERBOSE:-}" ]; then
		sed 's/^/    /' "$log"
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ $((passed + skipped)) -gt 0 ]
