#!/usr/bin/env python3
"""The full policy table of docs/policies.md: every policy pagesim runs, on
every public trace at its five sizes and at 60% and 80% of its pages, and on
policybench's four workloads, and
a summary per policy (cells within 0.02 of the best pager policy, cells
worse than CLOCK by more than 0.005).

    policy_table.py PAGESIM TRACES_DIR [--workloads SCRIPT] [--frames T]
                    [--usable U] [--data FILE]

TRACES_DIR holds the five classic traces (tools/pagesim/traces). With
--workloads (scripts/policy-workloads.py), policybench's reference strings
are made for a guest whose pager manages T frames (default 6578, the 32 MiB
guest of scripts/bench) and run at 1/5/10/20/40% of their pages and at U
frames (default 4120, what the workloads could hold there). --data writes
every cell as "trace frames policy miss_ratio" lines. Markdown on stdout.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_traces import REFERENCE  # noqa: E402 (beside this script)

# The published traces at their five sizes (1/5/10/20/40% of their pages),
# and at 60% and 80%, a range the five sizes hide (mglru falls behind LRU on
# zigzag there). policybench's workloads need no more: their largest column
# is already the frames the guest could hold.
LARGER = (60, 80)
TRACES = {name: sorted(set(sizes) | {pages * p // 100 for p in LARGER})
          for name, (_, pages, sizes) in REFERENCE.items()}
# policybench's workloads: pages and references in tenths of T
# (userland/bin/policybench.c).
WORKLOADS = {"seq": (15, 30), "loop": (12, 48), "hotcold": (20, 80), "random": (15, 60)}
REFERENCES = ("lru", "opt")
NEAR_BEST = 0.02
WORSE_THAN_CLOCK = 0.005


def sweep(pagesim, path, sizes):
    """({frames: {policy: ratio}}, [policies in column order])."""
    cmd = [pagesim, "--sweep", ",".join(str(s) for s in sizes), path]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"policy_table.py: {' '.join(cmd)}: {out.stderr.strip()}")
    lines = out.stdout.splitlines()
    start = next(i for i, l in enumerate(lines) if l.split()[:1] == ["frames"])
    names = lines[start].split()[1:]
    table = {}
    for line in lines[start + 1:]:
        cells = line.split()
        table[int(cells[0])] = dict(zip(names, map(float, cells[1:])))
    return table, names


def make_workloads(script, frames, usable, tmp):
    """{label: (path, sizes)} for policybench's workloads."""
    out = {}
    for name, (pages_x10, refs_x10) in WORKLOADS.items():
        pages, refs = frames * pages_x10 // 10, frames * refs_x10 // 10
        path = os.path.join(tmp, f"{name}.trace")
        subprocess.run([sys.executable, script, name, str(pages), str(refs), path],
                       check=True, capture_output=True)
        sizes = sorted({max(1, pages * p // 100) for p in (1, 5, 10, 20, 40)} | {usable})
        out[f"bench-{name}"] = (path, sizes)
    return out


def fmt_row(name, values, best, bold):
    cells = []
    for v in values:
        text = f"{v:.4f}"
        cells.append(f"**{text}**" if bold and abs(v - best[len(cells)]) < 1e-12 else text)
    return f"| {name} | " + " | ".join(cells) + " |"


def print_trace(label, table, names, policies):
    sizes = sorted(table)
    best = [min(table[s][p] for p in policies) for s in sizes]
    print(f"\n**{label}**\n")
    print("| policy | " + " | ".join(str(s) for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for p in names:
        print(fmt_row(p, [table[s][p] for s in sizes], best, p in policies))


def tally(results, policies):
    """Per policy: [cells, within 0.02 of the best, worse than CLOCK by more
    than 0.005, better than CLOCK by more than 0.005]."""
    counts = {p: [0, 0, 0, 0] for p in policies}
    for table in results.values():
        for row in table.values():
            best = min(row[p] for p in policies)
            for p in policies:
                c = counts[p]
                c[0] += 1
                c[1] += row[p] <= best + NEAR_BEST + 1e-12
                c[2] += row[p] > row["clock"] + WORSE_THAN_CLOCK + 1e-12
                c[3] += row[p] < row["clock"] - WORSE_THAN_CLOCK - 1e-12
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pagesim")
    ap.add_argument("traces")
    ap.add_argument("--workloads", help="scripts/policy-workloads.py")
    ap.add_argument("--frames", type=int, default=6578)
    ap.add_argument("--usable", type=int, default=4120)
    ap.add_argument("--data", help="write every cell to this file")
    args = ap.parse_args()

    inputs = {n: (os.path.join(args.traces, f"{n}.trace.gz"), s) for n, s in TRACES.items()}
    results, names = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        if args.workloads:
            inputs.update(make_workloads(args.workloads, args.frames, args.usable, tmp))
        for label, (path, sizes) in inputs.items():
            results[label], names = sweep(args.pagesim, path, sizes)
    policies = [p for p in names if p not in REFERENCES]

    print("Miss ratios; the best pager policy in each column in bold.")
    for label, table in results.items():
        print_trace(label, table, names, policies)
    counts = tally(results, policies)
    print(f"\nSummary over {next(iter(counts.values()))[0]} cells "
          f"(the best: the lowest of the pager policies, not LRU or OPT)\n")
    print(f"| policy | within {NEAR_BEST} of the best | worse than clock by more than "
          f"{WORSE_THAN_CLOCK} | better than clock by more than {WORSE_THAN_CLOCK} |")
    print("|---|---:|---:|---:|")
    for p in policies:
        print(f"| {p} | {counts[p][1]} | {counts[p][2]} | {counts[p][3]} |")
    if args.data:
        with open(args.data, "w") as f:
            f.write("# trace frames policy miss_ratio\n")
            for label, table in results.items():
                for s in sorted(table):
                    for p in names:
                        f.write(f"{label} {s} {p} {table[s][p]:.6f}\n")


if __name__ == "__main__":
    main()
