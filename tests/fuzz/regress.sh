#!/bin/bash
# Replays every fuzz target over its seed corpus and every crash ever found
# (tests/fuzz/crashes/<name>/), once, with ASan and UBSan, without libFuzzer.
# Prints TAP; run by make check as tests/integration/test-fuzz-regress.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
log=$T/log
command -v "${FUZZ_CC:-clang}" >/dev/null || tap_skip_all "fuzz regression: clang is not installed"
tests/fuzz/build.sh regress >"$log" 2>&1 || TAP_DIAG_LINES=20 tap_bail "build the fuzz replay drivers" "$log"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for src in tests/fuzz/fuzz-*.c; do
	t=$(basename "$src" .c | sed 's/^fuzz-//')
	if (build-fuzz/regress/fuzz-"$t" "tests/fuzz/corpus/$t" "tests/fuzz/crashes/$t") >"$log" 2>&1; then
		tap_ok "fuzz-$t replays its corpus and known crashes: $(grep -o '[0-9]* inputs' "$log")"
	else
		{ grep '^input: ' "$log" | tail -1; grep -E 'ERROR|SUMMARY|runtime error|#[0-9] ' "$log" | head -15; } >"$T/why"
		tap_not_ok "fuzz-$t replays its corpus and known crashes" "$T/why"
	fi
done
tap_done
