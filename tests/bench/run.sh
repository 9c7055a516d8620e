#!/bin/bash
# make bench: what the binder costs, next to the floor and to shell scripts
# doing the same job (docs/performance.md explains the method and the numbers).
#
#   tests/bench/run.sh            (make bench builds first, then runs this)
#
# 1. Synthetic fake sysfs trees (tests/tools/mkfakesys.c) with 16, 64, 256
#    and 4096 PCI functions and 1, 8 or 64 configured devices, on two paths:
#      present  vfio-pci registered (built in or already loaded): no module
#               to load, and libkmod never opened;
#      module   vfio-pci not registered, the installed Debian kernel's module
#               indexes under the tree's lib/modules/$(uname -r): libkmod is
#               opened and vfio_pci looked up and inserted. The tree holds no
#               .ko file, so the insertion stops at opening it (nothing ever
#               reaches the running kernel) and the targets are recorded as
#               failed; the kernel's own module loading is measured by the
#               QEMU boot (part 2).
#    On each tree, in rounds (tests/bench/measure.c: every command once per
#    round, in turn, so all see the same moment of this shared machine; the
#    medians of the per-round ratios are the comparisons to read):
#      empty    int main(void){return 0;}: starting a dynamically linked
#               program, the cost no C binder can go under (on the 16 and
#               64-function trees also linked statically, and with one
#               child process started and waited for: the floors the
#               issue-17 goals are checked against at the end)
#      bare     tests/bench/bare.c: the binder's system calls as the
#               shortest C loop (one readdir, one modalias read per
#               function, the writes), the floor for this job
#      binder   vfio-early-bind --root=TREE --log=kmsg
#      read     tests/bench/ref-bind.sh read: a careful busybox sh script
#    and, in fewer rounds of its own paired with the binder (it forks for
#    every attribute):
#      cat      tests/bench/ref-bind.sh cat: the usual script, $(cat FILE)
#    CPU time is user+sys of the whole process tree (wait4); the binder,
#    bare and empty also run once under callgrind (instructions: stable
#    where the times are not).
# 2. tests/bench/initramfs.sh: the bytes our hook adds to a real mkinitramfs
#    image, and a QEMU boot: time from the binder's start to the last bind,
#    next to a boot with vfio-pci.ids= alone (VFE_BENCH_BOOT=0 skips both).
#
# Knobs: B (build dir, default build), TMPDIR, VFE_BENCH_TREES (where the
# trees go, default /dev/shm), VFE_BENCH_QUICK=1 (fewer rounds),
# VFE_BENCH_KEEP=1 (keep the work dirs), VFE_BENCH_SHELL_4096=1 (also the
# cat-style script once on the 4096x8 tree: minutes), VFE_BENCH_BOOT=0,
# VFE_BENCH_BEFORE=PATH (another build of the binder, e.g. of an older
# commit, measured in the same rounds and under callgrind: before/after).
# The fake kernel never binds: every bind ends "failed" in the status record.
# That costs the same as a success (the driver link is read back either way).
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
# The trees go to a tmpfs: sysfs is an in-memory file system too, and a
# 4096-function tree takes half a second to build there, against 20 s and
# journal waits in every timed write on this machine's ext4.
TREES=${VFE_BENCH_TREES:-/dev/shm}
[ -d "$TREES" ] && [ -w "$TREES" ] || TREES=$W
TREES=$(mktemp -d "$TREES/vfe-bench-trees.XXXXXX")
cleanup() {
	if [ "${VFE_BENCH_KEEP:-0}" = 1 ]; then echo "# kept $W and $TREES" >&2; else rm -rf "$W" "$TREES"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T0=$SECONDS

# ---------------------------------------------------------------- programs built now

# the harness, the floor programs, and the binder's old link (libkmod+libpci) for reference
mkdir -p "$W/bin"
CFLAGS_BENCH="-O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation"
# shellcheck disable=SC2086 # the flags are separate words
{
	$CC $CFLAGS_BENCH -o "$W/bin/measure" tests/bench/measure.c
	$CC $CFLAGS_BENCH -o "$W/bin/bare" tests/bench/bare.c
	echo 'int main(void) { return 0; }' >"$W/empty.c"
	$CC -O2 -o "$W/bin/empty" "$W/empty.c"
	# the floor below the floor: no dynamic loader at all (libc.a, from libc6-dev)
	$CC -O2 -static -o "$W/bin/empty-static" "$W/empty.c"
	# what one child process costs at all: the binder binds in one (early/worker.h)
	printf '%s\n' '#include <sys/wait.h>' '#include <unistd.h>' \
		'int main(void) { pid_t p = fork(); if (p == 0) _exit(0); if (p > 0) waitpid(p, 0, 0); return 0; }' \
		>"$W/empty-fork.c"
	$CC -O2 -o "$W/bin/empty-fork" "$W/empty-fork.c"
	# shellcheck disable=SC2046 # pkg-config's words are separate flags
	$CC -O2 -o "$W/bin/empty-libs" "$W/empty.c" -Wl,--no-as-needed $(pkg-config --libs libkmod libpci)
}
MEASURE=$W/bin/measure BARE=$W/bin/bare EMPTY=$W/bin/empty
BEFORE=${VFE_BENCH_BEFORE:-}
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || { echo "bench: VFE_BENCH_BEFORE=$BEFORE is not a program" >&2; exit 1; }

# ---------------------------------------------------------------- the trees

# the installed kernel whose module indexes the "module" trees copy
KSRC=
for d in /lib/modules/*/; do
	[ -f "$d/modules.dep.bin" ] && KSRC=${d%/}
done
PATHS="present"
if [ -n "$KSRC" ]; then PATHS="present module"; else echo "bench: no installed kernel's modules.dep.bin: the module path is skipped" >&2; fi

# configs PATH: the FUNCTIONS:MATCHES trees measured on that path
configs() {
	case $1 in
	present) echo "16:1 64:8 256:1 256:8 256:64 4096:1 4096:8 4096:64" ;;
	module) echo "16:1 64:8 256:8 4096:8" ;;
	esac
}

# tree PATH N M: builds it, prints its directory
tree() {
	local t=$TREES/tree-$1-$2-$3
	"$MKFAKESYS" --functions="$2" --matches="$3" "$t" >"$W/tree-$1-$2-$3.info"
	if [ "$1" = module ]; then
		rm -r "$t/sys/bus/pci/drivers/vfio-pci"
		mkdir -p "$t/lib/modules/$(uname -r)"
		cp "$KSRC"/modules.* "$t/lib/modules/$(uname -r)/"
	fi
	echo "targets=$(grep -c driver_override "$t/bench/reset.list")" >>"$W/tree-$1-$2-$3.info"
	echo "$t"
}

QUICK=${VFE_BENCH_QUICK:-0}
rounds() { # N: rounds of empty/bare/binder/read on an N-function tree
	local r=31
	[ "$1" = 4096 ] && r=11
	[ "$QUICK" = 1 ] && r=$(((r + 2) / 3))
	echo "$r"
}
cat_rounds() { # N M: rounds of binder/cat, or 0 for none
	case $1:$2 in
	16:*) echo 7 ;;
	64:*) echo 5 ;;
	256:8) echo 3 ;; # the ratio the first goal was about: more than one run
	256:*) echo 1 ;;
	4096:8) [ "${VFE_BENCH_SHELL_4096:-0}" = 1 ] && echo 1 || echo 0 ;;
	*) echo 0 ;;
	esac
}

R=$W/results
: >"$R"
# into PREFIX CMD...: runs measure, keeps every line under PREFIX:NAME
into() {
	local p=$1
	shift
	"$@" | sed "s|^|$p:|" >>"$R"
}
get() { # KEY FIELD
	awk -v k="$1" -v f="$2" '$1 == k { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == f) print a[2] } }' "$R"
}

echo "bench: machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: shared with other work: times drift by tens of percent from minute to minute;" \
	"compare within one round (the ratios), and read the instruction counts"

echo "bench: baselines"
into base "$MEASURE" -n 51 -w 3 -- @empty "$EMPTY" @empty-libs "$W/bin/empty-libs" @empty-static "$W/bin/empty-static" \
	@empty-fork "$W/bin/empty-fork"

for path in $PATHS; do
	for c in $(configs "$path"); do
		n=${c%:*} m=${c#*:}
		t=$(tree "$path" "$n" "$m")
		echo "bench: $path, $n functions, $m matches ($(sed -n 's/^targets=//p' "$W/tree-$path-$n-$m.info") functions to bind)"
		reset=(-R "$t" -L "$t/bench/reset.list")
		before=() floor=()
		[ -z "$BEFORE" ] || before=(@before "$BEFORE" --root="$t" --log=kmsg)
		# where the careful shell is cheap, the floors too, in the same rounds (the goals below)
		[ "$path:$n" != present:16 ] && [ "$path:$n" != present:64 ] ||
			floor=(@empty-static "$W/bin/empty-static" @empty-fork "$W/bin/empty-fork")
		into "$path:$c" "$MEASURE" -n "$(rounds "$n")" -w 2 "${reset[@]}" -- @empty "$EMPTY" @bare "$BARE" "$t" \
			@binder "$BINDER" --root="$t" --log=kmsg @read "$BUSYBOX" sh "$REF" "$t" read "${before[@]}" "${floor[@]}"
		# the binder's own record of its work (elapsed_us, cpu_us), from the last run
		grep '^boot ' "$t/run/vfio-early/status" | tr ' ' '\n' | grep -E '^(elapsed|cpu)_us=' | tr '\n' ' ' \
			>"$W/self-$path-$c"
		k=$(cat_rounds "$n" "$m")
		if [ "$k" != 0 ]; then
			into "$path:$c" "$MEASURE" -n "$k" -w "$([ "$n" -le 64 ] && echo 1 || echo 0)" "${reset[@]}" -- \
				@binder2 "$BINDER" --root="$t" --log=kmsg @cat "$BUSYBOX" sh "$REF" "$t" cat
		fi
		# instructions: one run each under callgrind. The binder binds in a forked child
		# (early/worker.h), whose file is counted from child_main on (before that it holds the
		# parent's counts): the parent's file, the bigger one, holds the start-up and the scan,
		# and ir() adds the child's.
		for p in binder bare ${BEFORE:+before}; do
			case $p in
			binder) cmd=("$BINDER" --root="$t" --log=kmsg) ;;
			before) cmd=("$BEFORE" --root="$t" --log=kmsg) ;;
			bare) cmd=("$BARE" "$t") ;;
			esac
			out=$W/cg-$path-$n-$m-$p
			valgrind --tool=callgrind --zero-before=child_main --callgrind-out-file="$out.pid%p" "${cmd[@]}" \
				>/dev/null 2>"$out.log" || true
			ls -S "$out".pid* 2>/dev/null | {
				if read -r f; then mv "$f" "$out.out"; fi
				if read -r f; then mv "$f" "$out.child.out"; fi
			}
		done
		# the 4096-function trees are big: drop each when done
		if [ "$n" = 4096 ]; then rm -rf "$t"; fi
	done
done
for p in empty empty-libs empty-static empty-fork; do
	valgrind --tool=callgrind --callgrind-out-file="$W/cg-$p.out" "$W/bin/$p" >/dev/null 2>&1 || true
done

# ---------------------------------------------------------------- tables

ir() { # callgrind output -> total instructions (with the binder's child, when there was one)
	[ -f "$1" ] || { echo "-"; return; }
	awk '/^(summary|totals):/ { s += $2; nextfile } END { print s }' "$1" $([ -f "${1%.out}.child.out" ] && echo "${1%.out}.child.out")
}
ir_fn() { # callgrind output, function -> inclusive instructions of that function
	[ -f "$1" ] && callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v f="$2" '{ for (i = 2; i <= NF; i++) if ($i ~ ":" f "$" && $(i + 1) ~ /^\[/) { gsub(",", "", $1); print $1; exit } }' ||
		echo "-"
}
ms() { # microseconds -> milliseconds, 2 decimals ("-" stays)
	case ${1:--} in -) echo - ;; *) awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }' ;; esac
}
mi() { # instructions -> millions, 2 decimals
	case ${1:--} in -) echo - ;; *) awk -v u="$1" 'BEGIN { printf "%.2f", u / 1e6 }' ;; esac
}
x() { # a ratio with one decimal and an x ("-" stays)
	case ${1:--} in -) echo - ;; *) awk -v r="$1" 'BEGIN { printf "%.2fx", r }' ;; esac
}
div() { # A B -> A/B
	case ${1:--}:${2:--} in -:* | *:-) echo - ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }' ;; esac
}

echo
echo "== Baselines: starting a program (medians of 51 rounds; CPU = user+sys)"
printf '   %-40s %8s %8s %13s %8s %9s\n' "program" "wall ms" "cpu ms" "cpu p25-p75" "Minstr" "maxRSS kB"
for p in empty empty-libs empty-static empty-fork; do
	case $p in
	empty) label="int main(){return 0;}" ;;
	empty-libs) label="  ... linked with libkmod+libpci (old binder)" ;;
	empty-static) label="  ... linked statically (no loader at all)" ;;
	empty-fork) label="  ... starting one child and waiting for it" ;;
	esac
	printf '   %-40s %8s %8s %13s %8s %9s\n' "$label" "$(ms "$(get "base:$p" wall_med)")" "$(ms "$(get "base:$p" cpu_med)")" \
		"$(ms "$(get "base:$p" cpu_p25)")-$(ms "$(get "base:$p" cpu_p75)")" "$(mi "$(ir "$W/cg-$p.out")")" \
		"$(get "base:$p" rss_max)"
done
echo "   the libraries' start-up, paired: $(x "$(get base:empty-libs/empty cpu_ratio_med)") the empty program's CPU;" \
	"static: $(x "$(get base:empty-static/empty cpu_ratio_med)"); one child: $(x "$(get base:empty-fork/empty cpu_ratio_med)")"

for path in $PATHS; do
	echo
	case $path in
	present) echo "== Path 'present': vfio-pci registered, no module to load (libkmod never opened)" ;;
	module) echo "== Path 'module': vfio_pci to load (libkmod opened; the insertion stops at the absent .ko)" ;;
	esac
	echo "   CPU ms, whole process tree, medians over the rounds; ratios = medians of the per-round ratios"
	printf '   %5s %4s %4s | %6s %6s %6s %7s %8s | %7s %7s %7s %7s | %7s %6s\n' "funcs" "mat" "bind" "empty" "bare" \
		"binder" "read" "cat" "bin/bar" "bin/emp" "read/bi" "cat/bin" "bin wal" "rounds"
	for c in $(configs "$path"); do
		n=${c%:*} m=${c#*:} k=$path:$c
		tg=$(sed -n 's/^targets=//p' "$W/tree-$path-$n-$m.info")
		printf '   %5s %4s %4s | %6s %6s %6s %7s %8s | %7s %7s %7s %7s | %7s %6s\n' "$n" "$m" "$tg" \
			"$(ms "$(get "$k:empty" cpu_med)")" "$(ms "$(get "$k:bare" cpu_med)")" "$(ms "$(get "$k:binder" cpu_med)")" \
			"$(ms "$(get "$k:read" cpu_med)")" "$(ms "$(get "$k:cat" cpu_med)")" \
			"$(x "$(get "$k:binder/bare" cpu_ratio_med)")" "$(x "$(get "$k:binder/empty" cpu_ratio_med)")" \
			"$(x "$(get "$k:read/binder" cpu_ratio_med)")" "$(x "$(get "$k:cat/binder2" cpu_ratio_med)")" \
			"$(ms "$(get "$k:binder" wall_med)")" "$(get "$k:binder" runs)"
	done
	echo "   instructions (callgrind, millions); scan = vfe_pci_scan() and bare.c's scan(), inclusive"
	printf '   %5s %4s | %6s %6s %6s %7s | %7s %7s %7s | %9s\n' "funcs" "mat" "empty" "bare" "binder" "bin/bar" \
		"b.scan" "bar.sc" "ratio" "bin RSS kB"
	for c in $(configs "$path"); do
		n=${c%:*} m=${c#*:} k=$path:$c
		bi=$(ir "$W/cg-$path-$n-$m-binder.out") ba=$(ir "$W/cg-$path-$n-$m-bare.out")
		bs=$(ir_fn "$W/cg-$path-$n-$m-binder.out" vfe_pci_scan) as=$(ir_fn "$W/cg-$path-$n-$m-bare.out" scan)
		printf '   %5s %4s | %6s %6s %6s %7s | %7s %7s %7s | %9s\n' "$n" "$m" "$(mi "$(ir "$W/cg-empty.out")")" \
			"$(mi "$ba")" "$(mi "$bi")" "$(x "$(div "$bi" "$ba")")" "$(mi "$bs")" "$(mi "$as")" \
			"$(x "$(div "$bs" "$as")")" "$(get "$k:binder" rss_max)"
	done
done
echo "   ('-': not run; the cat-style script on 4096 functions only with VFE_BENCH_SHELL_4096=1;"
echo "    callgrind does not follow busybox's re-execution of itself, so the shell has no instruction count)"
if [ -n "$BEFORE" ]; then
	echo
	echo "== Before and after, same rounds: VFE_BENCH_BEFORE=$BEFORE against $B/vfio-early-bind"
	printf '   %-7s %5s %4s | %9s %9s %9s | %9s %9s %9s\n' "path" "funcs" "mat" "before ms" "after ms" "bef/aft" \
		"before Mi" "after Mi" "bef/aft"
	for path in $PATHS; do
		for c in $(configs "$path"); do
			n=${c%:*} m=${c#*:} k=$path:$c
			bi=$(ir "$W/cg-$path-$n-$m-binder.out") be=$(ir "$W/cg-$path-$n-$m-before.out")
			printf '   %-7s %5s %4s | %9s %9s %9s | %9s %9s %9s\n' "$path" "$n" "$m" "$(ms "$(get "$k:before" cpu_med)")" \
				"$(ms "$(get "$k:binder" cpu_med)")" "$(x "$(get "$k:before/binder" cpu_ratio_med)")" "$(mi "$be")" \
				"$(mi "$bi")" "$(x "$(div "$be" "$bi")")"
		done
	done
fi

echo
echo "== The issue-17 goals, from this run"
verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { if (v == "") { print "not measured"; exit } ok = (op == "<=") ? v <= g : v >= g; print (ok ? "met" : "NOT met") }'; }
r=$(get present:256:8:binder/bare cpu_ratio_med)
echo "   256 functions, vfio-pci built in: binder CPU / bare loop CPU = $(x "$r") (goal <= 1.5x: $(verdict "$r" "<=" 1.5))"
beyond() { # KEY A B: (A - empty) / (B - empty), from the medians
	awk -v a="$(get "$1:$2" cpu_med)" -v b="$(get "$1:$3" cpu_med)" -v e="$(get "$1:empty" cpu_med)" \
		'BEGIN { if (b - e > 0) printf "%.1fx", (a - e) / (b - e); else print "-" }'
}
for c in 16:1 64:8; do
	r=$(get "present:$c:read/binder" cpu_ratio_med)
	echo "   ${c%:*} functions: careful shell CPU / binder CPU = $(x "$r") (goal >= 5x: $(verdict "$r" ">=" 5));" \
		"binder / empty program = $(x "$(get "present:$c:binder/empty" cpu_ratio_med)");" \
		"beyond starting a program: shell $(beyond "present:$c" read binder) the binder"
	# 5x means a binder at a fifth of the shell: is any program that cheap here?
	awk -v sh="$(get "present:$c:read" cpu_med)" -v st="$(get "present:$c:empty-static" cpu_med)" \
		-v fk="$(get "present:$c:empty-fork" cpu_med)" -v ba="$(get "present:$c:bare" cpu_med)" \
		-v bi="$(get "present:$c:binder" cpu_med)" -v n="${c%:*}" 'BEGIN {
		if (sh == "" || st == "") exit
		printf "      5x needs a binder of at most %.2f ms here; in the same rounds an empty static program costs %.2f ms,", sh / 5000, st / 1000
		printf " an empty one with one child %.2f ms, the bare loop (no child) %.2f ms, the binder %.2f ms\n", fk / 1000, ba / 1000, bi / 1000
		if (sh / 5 < st) printf "      -> no program started by exec can meet 5x on %d functions on this machine\n", n
		else if (sh / 5 < fk) printf "      -> only a program that binds without a child process (no time limit) could meet 5x on %d functions\n", n
	}'
done
for c in 4096-1 4096-8; do
	bs=$(ir_fn "$W/cg-present-$c-binder.out" vfe_pci_scan) as=$(ir_fn "$W/cg-present-$c-bare.out" scan)
	echo "   scan of 4096 functions (${c#*-} match(es)): $(mi "$bs") M instructions, $(x "$(div "$bs" "$as")") bare.c's" \
		"scan (goal: about 2x); whole process CPU: $(x "$(get "present:${c/-/:}:binder/bare" cpu_ratio_med)")" \
		"the bare loop's"
done
echo "   the binder's own record (status file, last run): $(cat "$W/self-present-256:8") on 256x8 present," \
	"$(cat "$W/self-present-4096:64") on 4096x64 present"

# callgrind_annotate lines, without build paths
clean() { sed -E 's|\./[^ ]*/||; s|/usr/lib/x86_64-linux-gnu/||; s|'"$TOP"'/||g; s|^|   |'; }
for v in present-256-8 present-4096-8 module-256-8; do
	f=$W/cg-$v-binder.out
	[ -f "$f" ] || continue
	echo
	echo "== Where the binder's instructions go: callgrind, ${v%%-*} path, $(echo "$v" | cut -d- -f2) functions," \
		"$(echo "$v" | cut -d- -f3) matches, $(mi "$(ir "$f")") M in all"
	echo "   inclusive cost of the loader, libkmod's entry points and the binder's own functions, top 16:"
	callgrind_annotate --inclusive=yes "$f" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | grep -v '=>' |
		grep -E '[ /](early|common)/[a-z-]+\.c:[a-z_.0-9]+ \[|rtld\.c:_dl_start |dl-open\.c:_dl_open |:kmod_[a-z_]+ \[' |
		sed -n '1,16p' | clean
done
echo
echo "bench: measurements took $((SECONDS - T0)) s"

# ---------------------------------------------------------------- the real image, the real boot

if [ "${VFE_BENCH_BOOT:-1}" = 1 ]; then
	echo
	B=$B bash tests/bench/initramfs.sh || echo "bench: the initramfs/boot part failed (see above)"
fi
echo "bench: done in $((SECONDS - T0)) s"
