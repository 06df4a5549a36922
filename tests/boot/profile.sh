#!/usr/bin/env bash
# scripts/profile on a real boot under its QEMU plugin (tools/tbcount): the
# touch workload small, whose harness fills and checks each page once
# (wl_fill, wl_check: one call a page), and the count against the
# workload's own (instret - idle_ns over the same run). Prints TAP. Run by
# meson test (suite guest).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..4"
# pages=2000: the workload touches 1000 pages.
if ! "$top/scripts/profile" --workload touch --save "$tmp/p.json" init.args=pages=2000 \
	>"$tmp/out" 2>&1; then
	echo "Bail out! scripts/profile failed"
	sed 's/^/# /' "$tmp/out"
	exit 1
fi
sed 's/^/# /' "$tmp/out" | head -30
python3 - "$tmp/p.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
f = p['functions']
total = sum(v[0] for v in f.values())
def ok(n, cond, what):
    print(f"{'ok' if cond else 'not ok'} {n} - {what}")
calls = {k: f.get('wl-touch.elf:' + k, [0, 0])[1] for k in ('wl_fill', 'wl_check')}
ok(1, calls == {'wl_fill': 1000, 'wl_check': 1000},
   f'one wl_fill and one wl_check a page, 1000 pages ({calls})')
groups = {}
for v in f.values():
    groups[v[2]] = groups.get(v[2], 0) + v[0]
ok(2, groups.get('kernel', 0) > 0 and groups.get('pager/vm', 0) > 0 and groups.get('workload', 0) > 0,
   f'the faults reach the kernel and the pager ({groups})')
busy = p['busy'] or 0
# A block that faults part-way counts whole: a few instructions a fault,
# and each of the 1000 pages faults once.
ok(3, busy > 0 and abs(total - busy) <= busy // 100,
   f'the count ({total}) is the workload\'s busy figure ({busy}) within 1%')
ok(4, p['periods'] == 1, 'one period: the measured run')
PY
