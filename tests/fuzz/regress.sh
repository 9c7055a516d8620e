#!/bin/bash
# Replays every fuzz target over its seed corpus and every crash ever found
# (tests/fuzz/crashes/<name>/), once, with ASan and UBSan, without libFuzzer.
# Prints TAP; run by make check as tests/integration/test-fuzz-regress.sh.
set -u
cd "$(dirname "$0")/../.."
n=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	echo "ok 1 - fuzz regression # SKIP clang is not installed"
	echo "1..1"
	exit 0
fi
if ! tests/fuzz/build.sh regress >"$log" 2>&1; then
	echo "not ok 1 - build the fuzz replay drivers"
	sed 's/^/# /' "$log" | tail -20
	exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for src in tests/fuzz/fuzz-*.c; do
	t=$(basename "$src" .c | sed 's/^fuzz-//')
	n=$((n + 1))
	if (build-fuzz/regress/fuzz-"$t" "tests/fuzz/corpus/$t" "tests/fuzz/crashes/$t") >"$log" 2>&1; then
		echo "ok $n - fuzz-$t replays its corpus and known crashes: $(grep -o '[0-9]* inputs' "$log")"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz-$t replays its corpus and known crashes"
		{ grep '^input: ' "$log" | tail -1; grep -E 'ERROR|SUMMARY|runtime error|#[0-9] ' "$log" | head -15; } |
			sed 's/^/# /'
	fi
done
echo "1..$n"
[ $failed = 0 ]
