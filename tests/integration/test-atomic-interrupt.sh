#!/bin/bash
# Every file vfio-early writes goes through vfe_write_file_atomic (common/atomic.c).
# This kills the writer at each system call of a write, and makes each call fail,
# with strace's fault injection, and checks the file always holds the old or the
# new content whole, never a mix, and that a failed write leaves the old one.
# Prints TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
command -v strace >/dev/null || tap_skip_all "interrupted atomic writes: strace is not installed"

# 200 KiB each, different on every line, so a torn file matches neither
seq 1 30000 | sed 's/^/old line /' >"$T/old"
seq 1 30000 | sed 's/^/new content /' >"$T/new"

fresh() {
	rm -rf "$T/r"
	mkdir -p "$T/r/etc"
	cp "$T/old" "$T/r/etc/x.conf"
}

# whole FILE: 0 when FILE is exactly the old or the new content
whole() { cmp -s "$1" "$T/old" || cmp -s "$1" "$T/new"; }

# calls SC: how many SC system calls one undisturbed write makes (the loader's opens included)
calls() {
	fresh
	strace -qq -f -o "$T/count" -e trace="$1" "$B/tools/atomic-write" "$T/r" etc/x.conf "$T/new" >/dev/null 2>&1
	grep -c "$1(" "$T/count"
}

steps=0
for sc in openat write fchmod fsync renameat; do
	total=$(calls "$sc")
	bad=
	for when in $(seq 1 "$total"); do
		fresh
		# the shell's "Killed" notice would only clutter the log
		(strace -qq -f -o /dev/null -e trace="$sc" -e inject="$sc:signal=KILL:when=$when" \
			"$B/tools/atomic-write" "$T/r" etc/x.conf "$T/new" >/dev/null 2>&1) 2>/dev/null
		steps=$((steps + 1))
		whole "$T/r/etc/x.conf" || bad="$bad $sc#$when(file)"
		[ ! -e "$T/r/etc/x.conf.bak" ] || whole "$T/r/etc/x.conf.bak" || bad="$bad $sc#$when(backup)"
	done 2>/dev/null
	if [ -n "$bad" ]; then tap_not_ok "killed at each of the $total $sc calls: torn at$bad"; continue; fi
	if [ "$total" -gt 0 ]; then
		tap_ok "killed at each of the $total $sc calls: old or new content, never torn"
	else
		tap_not_ok "the writer makes no $sc call: the test does not see it"
	fi
done

for sc in openat write fchmod fsync renameat; do
	total=$(calls "$sc")
	bad=
	for when in $(seq 1 "$total"); do
		fresh
		strace -qq -f -o /dev/null -e trace="$sc" -e inject="$sc:error=EIO:when=$when" \
			"$B/tools/atomic-write" "$T/r" etc/x.conf "$T/new" >/dev/null 2>&1
		rc=$?
		whole "$T/r/etc/x.conf" || bad="$bad $sc#$when(torn)"
		[ $rc != 0 ] || cmp -s "$T/r/etc/x.conf" "$T/new" || bad="$bad $sc#$when(success-but-old)"
		[ $rc = 0 ] || [ -z "$(ls -A "$T/r/etc" | grep tmp)" ] || bad="$bad $sc#$when(temporary-left)"
	done
	if [ -n "$bad" ]; then
		tap_not_ok "each of the $total $sc calls failing:$bad"
	else
		tap_ok "each of the $total $sc calls failing: a whole file, no temporary left behind"
	fi
done

fresh
"$B/tools/atomic-write" "$T/r" etc/x.conf "$T/new"
tap_check "an undisturbed write gives the new content and keeps the old as .bak" \
	sh -c "cmp -s '$T/r/etc/x.conf' '$T/new' && cmp -s '$T/r/etc/x.conf.bak' '$T/old'"
echo "# $steps interrupted writes"
tap_done
