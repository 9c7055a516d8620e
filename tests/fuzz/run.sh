#!/bin/bash
# make fuzz: builds every libFuzzer target (tests/fuzz/fuzz-<name>.c) and runs
# each for a bounded time, one at a time.
#
#   FUZZ_SECONDS=60 (default) per target    FUZZ_TARGETS="config cpio" to pick some
#
# Seeds: tests/fuzz/corpus/<name>/ (committed, read only here). New corpus
# entries go to build-fuzz/corpus/<name>/. A crash is saved under
# build-fuzz/crashes/<name>/; copy it to tests/fuzz/crashes/<name>/ so that
# make check replays it forever (tests/integration/test-fuzz-regress.sh).
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-60}
tests/fuzz/build.sh fuzz >/dev/null || exit 1
targets=${FUZZ_TARGETS:-$(for f in tests/fuzz/fuzz-*.c; do basename "$f" .c | sed 's/^fuzz-//'; done)}
fail=0
for t in $targets; do
	work=build-fuzz/corpus/$t crashes=build-fuzz/crashes/$t
	mkdir -p "$work" "$crashes"
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
	start=$(date +%s)
	# shellcheck disable=SC2086
	build-fuzz/fuzz-"$t" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$crashes/" -print_final_stats=1 $dict "$work" "tests/fuzz/corpus/$t" \
		>"build-fuzz/$t.log" 2>&1
	rc=$?
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$t.log" | grep -o '[0-9]*$')
	cov=$(grep -o 'cov: [0-9]*' "build-fuzz/$t.log" | tail -1)
	if [ $rc = 0 ]; then
		echo "fuzz-$t: $(($(date +%s) - start)) s, ${runs:-?} runs, $cov, no finding"
	else
		fail=1
		echo "fuzz-$t: FINDING after $(($(date +%s) - start)) s (exit $rc); see build-fuzz/$t.log and $crashes/"
		grep -m3 -E 'ERROR|SUMMARY|runtime error' "build-fuzz/$t.log" | sed 's/^/    /'
	fi
done
exit $fail
