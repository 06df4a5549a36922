#!/usr/bin/env python3
# The insertion rule's late clearing measured on the public traces: every
# policy that clears the fault's accessed bit (fault_counts 0) at 5/10/20/40%
# of each trace's pages, the bit cleared N faults late (pagesim
# --clear-delay) or in the pager's notes of M frames (--clear-note), with the
# pager's batch of 32 victims per look and with pagesim's one (--victims).
# Prints every table of docs/policies.md's "The insertion rule's late
# clearing": the worst rises (and the ones its text quotes: at any one size,
# at one victim per look), mglru's ratios, and where clockpro's step lies.
#
#   delay_table.py PAGESIM TRACES_DIR [--tolerance PCT] [--detail POLICY,...]
#                  [--step POLICY]
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_traces import REFERENCE  # noqa: E402 (beside this script)

DELAYS = [1, 2, 4, 8, 16, 32, 64, 128, 512]  # N = 0 is the base
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def pager_define(path, name):
    """The integer #define name in the pager's header path (from the tree's
    root), so the tables follow the pager's constants."""
    with open(os.path.join(ROOT, path)) as f:
        m = re.search(r"^#define %s (\d+)\b" % name, f.read(), re.M)
    if not m:
        sys.exit(f"delay_table.py: no #define {name} in {path}")
    return int(m.group(1))


BATCH = pager_define("pager/swap/swap.h", "SWAP_OUT_BATCH")
NOTE = pager_define("pager/reclaim/uncounted.h", "UNCOUNTED_FAULTS")
# Notes cleared whole: the pager's bound, and around it up to two batches.
NOTES = sorted({NOTE, 2 * NOTE, BATCH, 2 * BATCH})
VICTIMS = [BATCH, 1]  # the pager's looks; pagesim's default
# Each trace's sizes but the 1% one, where nearly every reference misses:
# 5/10/20/40% of its pages.
SIZES = {name: sorted(sizes)[1:] for name, (_, _, sizes) in REFERENCE.items()}
# Every policy whose fault_counts is 0 (pager/reclaim/policy_*.c). fifo and
# random never read the bit: the control, every delay the same.
POLICIES = "mglru,clock,sieve,s3fifo,2q,car,clockpro,fifo,random"
# The detail table's columns: the base, the longer delays, the pager's note.
DETAIL = [("delay", 0)] + [("delay", n) for n in (8, 16, 32, 64, 128, 512)] + [("note", BATCH)]
# Where the step lies: one policy's misses on sprite's three largest sizes
# (10/20/40%) summed, by victims per look and delay, up to twice the batch.
STEP_TRACE = "sprite"
STEP_VICTIMS = [BATCH // 4, BATCH // 2, BATCH, 2 * BATCH, 4 * BATCH]
# The four delays just under the batch: how the step at the look interval rises.
STEP_DELAYS = ([0, 2, 4, 8, BATCH // 2] + list(range(BATCH - 4, BATCH + 1)) +
               [2 * BATCH, 4 * BATCH, 8 * BATCH])


def sweep(pagesim, path, sizes, policies, late, victims):
    """{frames: {policy: miss ratio}} from pagesim --data (6 decimals);
    late is ("delay", N) or ("note", M)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "d.dat")
        cmd = [pagesim, "-p", policies, "--sweep", ",".join(map(str, sizes)),
               f"--clear-{late[0]}", str(late[1]), "--victims", str(victims),
               "--data", data, path]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)}: exit {out.returncode}: {out.stderr.strip()}")
        rows = [l.split() for l in open(data) if not l.startswith("#")]
    names = policies.split(",")
    return {int(r[0]): dict(zip(names, map(float, r[1:]))) for r in rows}


def settings(victims):
    """The late clearings run at victims: the base first."""
    notes = NOTES if victims > 1 else []
    return [("delay", 0)] + [("delay", n) for n in DELAYS] + [("note", m) for m in notes]


def collect(pagesim, tracedir, policies, victims):
    """res[victims][late][trace][frames][policy]."""
    return {v: {late: {name: sweep(pagesim, f"{tracedir}/{name}.trace.gz", sizes, policies,
                                   late, v)
                       for name, sizes in SIZES.items()}
                for late in settings(v)}
            for v in victims}


def rise(res_v, late, policy, per_size):
    """The largest rise in misses over N = 0 (%) on any trace (its four
    sizes' faults together; per_size: at any one size), and where."""
    base = res_v[("delay", 0)]
    out = (float("-inf"), "")
    for name, by_f in res_v[late].items():
        pairs = [(by_f[f][policy], base[name][f][policy]) for f in by_f]
        groups = [[p] for p in pairs] if per_size else [pairs]
        for g in groups:
            b = sum(x for _, x in g)
            r = 100.0 * (sum(x for x, _ in g) - b) / b if b else 0.0
            out = max(out, (r, name))
    return out


def label(late):
    return f"N={late[1]}" if late[0] == "delay" else f"note {late[1]}"


def print_rises(res, policies, tol, per_size):
    for v in res:
        lates = settings(v)[1:]
        what = "at any one size" if per_size else "a trace's four sizes together"
        print(f"\nWorst rise in misses over N = 0, %, on any trace ({what}); "
              f"{v} victim{'s' if v > 1 else ''} per look:\n")
        print("| policy | " + " | ".join(label(l) for l in lates) +
              f" | largest N within {tol}% |")
        print("|---|" + "---:|" * (len(lates) + 1))
        for p in policies:
            worsts = [rise(res[v], l, p, per_size)[0] for l in lates]
            within = 0  # the largest N with it and every shorter one in tolerance
            for l, w in zip(lates, worsts):
                if l[0] != "delay" or w > tol:
                    break
                within = l[1]
            print(f"| {p} | " + " | ".join(f"{w:+.2f}" for w in worsts) + f" | {within} |")


def print_detail(res, policy, victims):
    """policy's miss ratio per DETAIL setting, per trace and size; the traces
    whose ratios are the same in every column are named, not listed."""
    lates = [l for l in DETAIL if l in res[victims]]
    same = [n for n in SIZES if all(len({res[victims][l][n][f][policy] for l in lates}) == 1
                                    for f in SIZES[n])]
    print(f"\n{policy}, {victims} victims per look: miss ratio"
          + (f" ({', '.join(same)}: the same in every column)" if same else "") + "\n")
    print("| trace | frames | " + " | ".join(label(l) for l in lates) + " |")
    print("|---|---:|" + "---:|" * len(lates))
    for name in (n for n in SIZES if n not in same):
        for f in SIZES[name]:
            cells = " | ".join(f"{res[victims][l][name][f][policy]:.4f}" for l in lates)
            print(f"| {name} | {f} | {cells} |")


def print_step(pagesim, tracedir, policy):
    """policy's summed miss ratios on STEP_TRACE's three largest sizes by
    victims per look and delay; bold: the largest rise over the column
    before, in each row (the step)."""
    path, sizes = f"{tracedir}/{STEP_TRACE}.trace.gz", SIZES[STEP_TRACE][1:]
    print(f"\n{policy}'s misses on {STEP_TRACE} at {', '.join(map(str, sizes))} frames "
          "(the miss ratios summed); bold: the largest rise in its row\n")
    print("| victims per look | " + " | ".join(f"N={n}" for n in STEP_DELAYS) + " |")
    print("|---|" + "---:|" * len(STEP_DELAYS))
    for v in STEP_VICTIMS:
        sums = [sum(sweep(pagesim, path, sizes, policy, ("delay", n), v)[f][policy]
                    for f in sizes) for n in STEP_DELAYS]
        step = max(range(1, len(sums)), key=lambda k: sums[k] - sums[k - 1])
        cells = [f"**{x:.4f}**" if k == step else f"{x:.4f}" for k, x in enumerate(sums)]
        print(f"| {v} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description="the late clearing on the public traces")
    ap.add_argument("pagesim")
    ap.add_argument("tracedir")
    ap.add_argument("--policies", default=POLICIES)
    ap.add_argument("--tolerance", type=float, default=1.0,
                    help="percent of a trace's misses (default 1: clockpro's spread below its step)")
    ap.add_argument("--detail", default="mglru", help="policies whose ratios are listed")
    ap.add_argument("--victims", default=",".join(map(str, VICTIMS)),
                    help="victims per look, a run each; the first's ratios are listed")
    ap.add_argument("--step", default="clockpro",
                    help="the policy whose step is located ('' for none)")
    a = ap.parse_args()
    victims = [int(v) for v in a.victims.split(",")]
    unknown = set(a.detail.split(",")) - set(a.policies.split(","))
    if unknown:
        sys.exit(f"delay_table.py: --detail names {','.join(sorted(unknown))}, not in --policies")
    res = collect(a.pagesim, a.tracedir, a.policies, victims)
    for per_size in (False, True):
        print_rises(res, a.policies.split(","), a.tolerance, per_size)
    for p in a.detail.split(","):
        print_detail(res, p, victims[0])
    if a.step:
        print_step(a.pagesim, a.tracedir, a.step)


if __name__ == "__main__":
    main()
