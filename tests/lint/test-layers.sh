#!/bin/bash
# The folders form a one-way stack (docs/architecture.md):
#   common <- early <- recovery <- efi <- check <- cli
# Checks that every include names its folder and never reaches a layer above
# its own, that a loader family's private header stays in its family, that
# the folder include graph and the object files' call graph have no cycle,
# and that the build really compiles each layer with only the folders it may
# use (a probe that crosses upwards must fail to compile).
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.."

lint() {
	python3 - "$1" "$B" <<'PY'
import collections, glob, os, re, subprocess, sys
what, build = sys.argv[1], sys.argv[2]
LAYERS = ['common', 'early', 'recovery', 'efi', 'check', 'cli']
FAMILIES = ['efi/firmware', 'efi/bls', 'efi/grub']
srcs = [f for f in subprocess.check_output(['git', 'ls-files', '*.c', '*.h']).decode().split()
        if f.split('/')[0] in LAYERS + ['tests'] and os.path.exists(f)]
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
def includes(f):
    for n, l in enumerate(open(f, errors='replace'), 1):
        m = inc.match(l)
        if m:
            yield n, m.group(1)
def layer(p):
    return p.split('/')[0]
def folder(p):
    d = os.path.dirname(p)
    return d
bad = []
if what == 'named':
    for f in srcs:
        for n, h in includes(f):
            if '..' in h.split('/') or '/' not in h or not os.path.isfile(h):
                bad.append('%s:%d: "%s" does not name a file by its folder' % (f, n, h))
elif what == 'stack':
    for f in srcs:
        if layer(f) == 'tests':
            continue
        for n, h in includes(f):
            if layer(h) not in LAYERS or LAYERS.index(layer(h)) > LAYERS.index(layer(f)):
                bad.append('%s:%d: %s/ may not include %s' % (f, n, layer(f), h))
elif what == 'boot-time':
    for f in srcs:
        if layer(f) in ('early', 'common'):
            for n, h in includes(f):
                if layer(h) not in ('early', 'common'):
                    bad.append('%s:%d: boot-time code includes %s' % (f, n, h))
elif what == 'families':
    for f in srcs:
        for n, h in includes(f):
            fam = next((x for x in FAMILIES if h.startswith(x + '/')), None)
            if fam and layer(f) != 'tests' and not f.startswith(fam + '/'):
                bad.append('%s:%d: %s is private to %s/' % (f, n, h, fam))
elif what == 'folder-cycles':
    g = collections.defaultdict(set)
    for f in srcs:
        if layer(f) == 'tests':
            continue
        for n, h in includes(f):
            if folder(h) != folder(f):
                g[folder(f)].add(folder(h))
    state = {}
    def visit(v, path):
        state[v] = 1
        for w in sorted(g[v]):
            if state.get(w) == 1:
                bad.append('include cycle: ' + ' -> '.join(path + [v, w]))
            elif w not in state:
                visit(w, path + [v])
        state[v] = 2
    for v in sorted(list(g)):
        if v not in state:
            visit(v, [])
elif what == 'call-cycles':
    # efi/backends.o is the registry: its references name every backend, they are not calls.
    objs = [o for o in glob.glob(build + '/*/**/*.o', recursive=True)
            if layer(os.path.relpath(o, build)) in LAYERS]
    if not objs:
        bad.append('no object files under %s/: build first' % build)
    defs, uses = {}, {}
    for o in objs:
        d, u = set(), set()
        for l in subprocess.check_output(['nm', '-g', o]).decode().split('\n'):
            p = l.split()
            if len(p) == 3 and p[1] in 'TDRB':
                d.add(p[2])
            elif len(p) == 2 and p[0] == 'U':
                u.add(p[1])
        for s in d:
            defs[s] = o
        uses[o] = u
    g = {o: sorted({defs[s] for s in u if s in defs and defs[s] != o}) for o, u in uses.items()}
    for o in g:
        if o.endswith('/efi/backends.o'):
            g[o] = []
    state = {}
    def visit(v, path):
        state[v] = 1
        for w in g[v]:
            if state.get(w) == 1:
                bad.append('call cycle: ' + ' -> '.join(os.path.relpath(x, build) for x in path + [v, w]))
            elif w not in state:
                visit(w, path + [v])
        state[v] = 2
    for v in sorted(g):
        if v not in state:
            visit(v, [])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}

for w in named stack boot-time families folder-cycles call-cycles; do
	TAP_DIAG=$T/$w
	if lint $w >"$T/$w" 2>&1; then tap_ok "layers: $w"; else tap_not_ok "layers: $w"; fi
done
TAP_DIAG=

# The build's own enforcement: a layer's include directory holds only the folders below it.
# (from $T, so that a quoted include cannot be found beside the probe)
probe() { # probe LAYER HEADER: does "#include HEADER" compile in LAYER?
	local inc
	inc=$(realpath "$B/inc/$1") || return 1
	(cd "$T" && echo "#include \"$2\"" | ${CC:-cc} -fsyntax-only -std=gnu11 -D_GNU_SOURCE -I"$inc" \
		$(pkg-config --cflags libkmod libpci efivar efiboot blkid 2>/dev/null) -x c - >/dev/null 2>&1)
}
tap_check "build: early/ compiles with common/root.h" probe early common/root.h
if probe early efi/boot.h; then tap_not_ok "build: early/ cannot include efi/boot.h"; else tap_ok "build: early/ cannot include efi/boot.h"; fi
if probe common early/plan.h; then tap_not_ok "build: common/ cannot include early/plan.h"; else tap_ok "build: common/ cannot include early/plan.h"; fi
if probe efi check/check.h; then tap_not_ok "build: efi/ cannot include check/check.h"; else tap_ok "build: efi/ cannot include check/check.h"; fi
tap_check "build: cli/ compiles with efi/boot.h" probe cli efi/boot.h
tap_done
