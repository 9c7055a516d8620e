#!/bin/bash
# make bench: what the binder costs, next to a shell script doing the same job.
#
#   tests/bench/run.sh            (make bench builds first, then runs this)
#
# 1. Synthetic fake sysfs trees (tests/tools/mkfakesys.c) with 16, 256 and
#    4096 PCI functions and 1, 8 or 64 configured devices. On each: the
#    binder (vfio-early-bind --root=TREE --log=kmsg) and the reference shell
#    script tests/bench/ref-bind.sh run under busybox sh, timed by
#    tests/bench/measure.c (median and spread of wall and user+sys CPU time
#    of the whole process tree, peak RSS), and the binder once more under
#    callgrind (instructions: stable where the timings are not).
#    An empty C program and an empty program linked with the binder's
#    libraries are timed the same way, so the binder's own work can be read
#    off: absolute times drift between runs on a shared machine, so compare
#    within one run.
# 2. tests/bench/initramfs.sh: the bytes our hook adds to a real mkinitramfs
#    image, and a QEMU boot: time from the binder's start to the last bind,
#    next to a boot with vfio-pci.ids= alone (VFE_BENCH_BOOT=0 skips both).
#
# Knobs: B (build dir, default build), TMPDIR, VFE_BENCH_QUICK=1 (fewer runs),
# VFE_BENCH_KEEP=1 (keep the work dir), VFE_BENCH_SHELL_4096=1 (also time
# the cat-style script once on the 4096x8 tree: several minutes on a machine
# where exec is slow, so off by default), VFE_BENCH_BOOT=0 (skip the
# initramfs footprint and the QEMU boots).
# The fake kernel never binds: every bind ends "failed" in the status record.
# That is expected and costs the same as a success (the driver link is read
# back either way).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
B=${B:-build}
case $B in /*) BD=$B ;; *) BD=$TOP/$B ;; esac
CC=${CC:-cc}
BINDER=$BD/vfio-early-bind
MKFAKESYS=$BD/tools/mkfakesys
REF=$TOP/tests/bench/ref-bind.sh
BUSYBOX=/bin/busybox

for f in "$BINDER" "$MKFAKESYS"; do
	[ -x "$f" ] || { echo "bench: $f is missing; run 'make all' (or 'make bench')" >&2; exit 1; }
done
[ -x "$BUSYBOX" ] || { echo "bench: $BUSYBOX is missing (apt-get install busybox-static)" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/vfe-bench.XXXXXX")
cleanup() {
	if [ "${VFE_BENCH_KEEP:-0}" = 1 ]; then echo "# kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T0=$SECONDS

# ---------------------------------------------------------------- helpers built now

# The measuring harness, and the two baselines: an empty program, and the
# same empty program linked with the binder's libraries (dynamic loading is
# paid before main() and is not the binder's "own" work, but it is its cost).
mkdir -p "$W/bin"
$CC -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$W/bin/measure" tests/bench/measure.c
echo 'int main(void) { return 0; }' >"$W/empty.c"
$CC -O2 -o "$W/bin/empty" "$W/empty.c"
# shellcheck disable=SC2046 # pkg-config's words are separate flags
$CC -O2 -o "$W/bin/empty-libs" "$W/empty.c" -Wl,--no-as-needed $(pkg-config --libs libkmod libpci)
MEASURE=$W/bin/measure

# ---------------------------------------------------------------- runs

QUICK=${VFE_BENCH_QUICK:-0}
# runs per measurement: binder / shell (cat) / shell (read), by tree size
runs_for() { # WHAT FUNCTIONS [MATCHES]
	local q=1
	[ "$QUICK" = 1 ] && q=3
	case $1:$2:${3:-} in
	bin:4096:*) echo $((15 / q)) ;;
	bin:*) echo $((31 / q)) ;;
	cat:16:*) echo $((7 / q)) ;;
	cat:256:8) echo 3 ;; # the ratio the goal is about: more than one run
	cat:256:*) echo 1 ;;
	cat:4096:*) echo 1 ;;
	read:4096:*) echo 3 ;;
	read:*) echo $((11 / q)) ;;
	esac
}

CONFIGS="16:1 256:1 256:8 256:64 4096:1 4096:8 4096:64"
R=$W/results
: >"$R"
# result KEY LINE: keeps measure's output under a name
result() { echo "$1 $2" >>"$R"; }
get() { # KEY FIELD
	awk -v k="$1" -v f="$2" '$1 == k { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == f) print a[2] } }' "$R"
}

echo "bench: machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r)"
echo "bench: shared with other work: compare numbers within this run only"

echo "bench: baselines"
result empty "$("$MEASURE" -n 51 -w 3 -- "$W/bin/empty")"
result empty-libs "$("$MEASURE" -n 51 -w 3 -- "$W/bin/empty-libs")"

for c in $CONFIGS; do
	n=${c%:*} m=${c#*:} t=$W/tree-$n-$m
	"$MKFAKESYS" --functions="$n" --matches="$m" "$t" >"$W/tree-$n-$m.info"
	targets=$(grep -c driver_override "$t/bench/reset.list")
	echo "bench: $n functions, $m matches ($targets functions to bind)"
	echo "targets=$targets" >>"$W/tree-$n-$m.info"
	reset=(-R "$t" -L "$t/bench/reset.list")
	# each run paired with a run of the empty program linked like the binder: "own" cost
	result "bin-$c" "$("$MEASURE" -n "$(runs_for bin "$n")" -w 2 "${reset[@]}" -b "$W/bin/empty-libs" -- \
		"$BINDER" --root="$t" --log=kmsg)"
	# the binder's own record of its work (elapsed_us, cpu_us), from the last run
	grep '^boot ' "$t/run/vfio-early/status" | tr ' ' '\n' | grep -E '^(elapsed|cpu)_us=' | tr '\n' ' ' \
		>"$W/self-$c"
	result "read-$c" "$(env REF_STYLE=read "$MEASURE" -n "$(runs_for read "$n")" -w 1 "${reset[@]}" -- \
		"$BUSYBOX" sh "$REF" "$t")"
	# the cat-style script forks for every attribute: seconds per run on big trees
	if [ "$n" != 4096 ] || { [ "$m" = 8 ] && [ "${VFE_BENCH_SHELL_4096:-0}" = 1 ]; }; then
		w=1
		[ "$n" = 16 ] || w=0
		result "cat-$c" "$(env REF_STYLE=cat "$MEASURE" -n "$(runs_for cat "$n" "$m")" -w $w "${reset[@]}" -- \
			"$BUSYBOX" sh "$REF" "$t")"
	fi
	# instructions: one run under callgrind. Binding runs in a forked child (early/worker.h), whose
	# file is counted from child_main on (before that it holds the parent's counts): the two add up.
	valgrind --tool=callgrind --zero-before=child_main --callgrind-out-file="$W/cg-$n-$m.pid%p" "$BINDER" \
		--root="$t" --log=kmsg >/dev/null 2>"$W/cg-$n-$m.log" || true
	# the parent's file is the bigger one: it holds the start-up and the scan
	ls -S "$W/cg-$n-$m".pid* 2>/dev/null | {
		read -r f && mv "$f" "$W/cg-$n-$m.out"
		read -r f && mv "$f" "$W/cg-$n-$m.child.out"
	}
	# the 4096-function trees are big: drop each when done
	if [ "$n" = 4096 ]; then rm -rf "$t"; fi
done
for p in empty empty-libs; do
	valgrind --tool=callgrind --callgrind-out-file="$W/cg-$p.out" "$W/bin/$p" >/dev/null 2>&1 || true
done

# ---------------------------------------------------------------- tables

ir() { # callgrind output -> total instructions (with the binder's child, when there was one)
	[ -f "$1" ] || { echo "-"; return; }
	awk '/^(summary|totals):/ { s += $2; nextfile } END { print s }' "$1" $([ -f "${1%.out}.child.out" ] && echo "${1%.out}.child.out")
}
ms() { # microseconds -> milliseconds, 2 decimals ("-" stays)
	case ${1:--} in -) echo - ;; *) awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }' ;; esac
}
mi() { # instructions -> millions, 2 decimals
	case ${1:--} in -) echo - ;; *) awk -v u="$1" 'BEGIN { printf "%.2f", u / 1e6 }' ;; esac
}
ratio() { # A B -> A/B with one decimal
	case ${1:--}:${2:--} in -:* | *:-) echo - ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0fx", a / b }' ;; esac
}

L_IR=$(ir "$W/cg-empty-libs.out")

echo
echo "== Baselines (same run): start-up of an empty C program"
printf '%-34s %9s %9s %13s %8s %9s\n' "program" "wall ms" "cpu ms" "cpu p25-p75" "Minstr" "maxRSS kB"
for p in empty empty-libs; do
	label="int main(){return 0;}"
	[ "$p" = empty-libs ] && label="  ... linked with libkmod+libpci"
	printf '%-34s %9s %9s %13s %8s %9s\n' "$label" "$(ms "$(get $p wall_med)")" "$(ms "$(get $p cpu_med)")" \
		"$(ms "$(get $p cpu_p25)")-$(ms "$(get $p cpu_p75)")" "$(mi "$(ir "$W/cg-$p.out")")" "$(get $p rss_max)"
done

echo
echo "== The binder (vfio-early-bind), medians; 'own' = median of (binder - empty program linked with the same"
echo "   libraries), each binder run paired with a run of that program right before it"
printf '%-10s %7s %9s %9s %13s %8s %9s %9s %9s %8s\n' "functions" "matches" "targets" "wall ms" "cpu ms" \
	"cpu p25-p75" "own cpu" "Minstr" "own Mi" "maxRSS kB"
for c in $CONFIGS; do
	n=${c%:*} m=${c#*:} k=bin-$c
	tg=$(sed -n 's/^targets=//p' "$W/tree-$n-$m.info")
	i=$(ir "$W/cg-$n-$m.out")
	own_cpu=$(ms "$(get "$k" own_cpu_med)")
	own_ir=-
	[ "$i" != - ] && own_ir=$(awk -v a="$i" -v b="$L_IR" 'BEGIN { printf "%.2f", (a - b) / 1e6 }')
	printf '%-10s %7s %9s %9s %13s %8s %9s %9s %9s %8s\n' "$n" "$m" "$tg" "$(ms "$(get "$k" wall_med)")" \
		"$(ms "$(get "$k" cpu_med)")" "$(ms "$(get "$k" cpu_p25)")-$(ms "$(get "$k" cpu_p75)")" "$own_cpu" \
		"$(mi "$i")" "$own_ir" "$(get "$k" rss_max)"
done

echo
echo "== The shell reference (tests/bench/ref-bind.sh under busybox sh), medians, and the ratio to the binder"
echo "   cat:  the common script, \$(cat FILE) per attribute;  read: a careful one, the 'read' builtin"
printf '%-10s %7s %6s %10s %10s %8s %6s %10s %10s %8s\n' "functions" "matches" "runs" "cat wall" "cat cpu" \
	"cat/bin" "runs" "read wall" "read cpu" "read/bin"
for c in $CONFIGS; do
	n=${c%:*} m=${c#*:} b=$(get "bin-$c" cpu_med)
	cc_=$(get "cat-$c" cpu_med) rc=$(get "read-$c" cpu_med)
	printf '%-10s %7s %6s %10s %10s %8s %6s %10s %10s %8s\n' "$n" "$m" "$(get "cat-$c" runs)" \
		"$(ms "$(get "cat-$c" wall_med)")" "$(ms "$cc_")" "$(ratio "$cc_" "$b")" "$(get "read-$c" runs)" \
		"$(ms "$(get "read-$c" wall_med)")" "$(ms "$rc")" "$(ratio "$rc" "$b")"
done
echo "   (times in ms; cpu = user+sys of the whole process tree; '-' = not run, see VFE_BENCH_SHELL_4096)"

b=$(get bin-256:8 cpu_med) s=$(get cat-256:8 cpu_med)
echo
echo "== 256 functions, 8 matches: binder $(ms "$b") ms CPU, shell $(ms "$s") ms CPU: the binder is $(ratio "$s" "$b") cheaper"
[ -n "$s" ] && [ -n "$b" ] && awk -v s="$s" -v b="$b" 'BEGIN { exit !(s / b >= 50) }' &&
	echo "   (goal: at least 50x: met)" || echo "   (goal: at least 50x: NOT met)"

echo
echo "== The binder's own record (status file, last run): $(cat "$W/self-256:8") on 256x8, $(cat "$W/self-4096:64") on 4096x64"

# callgrind_annotate lines, without build paths
clean() { sed -E 's|\./[^ ]*/||; s|/usr/lib/x86_64-linux-gnu/||; s|'"$TOP"'/||g; s|^|   |'; }
for c in 256-8 4096-64; do
	echo
	echo "== Where the instructions go: callgrind, ${c%-*} functions, ${c#*-} matches"
	echo "   self cost (instructions in the function itself), top 12:"
	callgrind_annotate "$W/cg-$c.out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | sed -n '2,13p' | clean
	echo "   inclusive cost of the dynamic loader, the binder's own functions and libpci's entry points:"
	callgrind_annotate --inclusive=yes "$W/cg-$c.out" 2>/dev/null |
		grep -E '^ *[0-9,]+ \(' | grep -v '=>' | grep -E '[ /](early|common)/[a-z]+\.c:[a-z_.0-9]+ \[|:pci_(scan_bus|fill_info) |rtld\.c:_dl_start |:qsort(_r)? ' |
		sed -n '1,24p' | clean
done
echo
echo "bench: measurements took $((SECONDS - T0)) s"

# ---------------------------------------------------------------- the real image, the real boot

if [ "${VFE_BENCH_BOOT:-1}" = 1 ]; then
	echo
	B=$B bash tests/bench/initramfs.sh || echo "bench: the initramfs/boot part failed (see above)"
fi
echo "bench: done in $((SECONDS - T0)) s"
