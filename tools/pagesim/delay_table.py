#!/usr/bin/env python3
# The insertion rule's late clearing measured on the public traces: each
# policy that clears the fault's accessed bit (fault_counts 0), at 5/10/20/40%
# of each trace's pages, with the bit cleared 0, 8, ... 512 faults late
# (pagesim --clear-delay), one victim per look and the pager's batch of 32
# (--victims). Prints markdown for docs/policies.md.
#
#   delay_table.py PAGESIM TRACES_DIR [--policies LIST] [--tolerance PCT]
import argparse
import os
import subprocess
import sys
import tempfile

DELAYS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 512]
VICTIMS = [1, 32]  # pagesim's default; the pager's SWAP_OUT_BATCH
# The README's sizes without the 1% one, where every policy misses nearly
# always: 5/10/20/40% of the pages (loop and zigzag as listed there).
SIZES = {
    "multi2": [284, 568, 1136, 2273],
    "sprite": [353, 707, 1415, 2830],
    "loop": [50, 101, 202, 404],
    "zigzag": [100, 200, 400, 800],
    "2_pools": [497, 994, 1988, 3976],
}
# Every policy whose fault_counts is 0 (pager/reclaim/policy_*.c). fifo and
# random never read the bit: the control, every delay the same.
POLICIES = "mglru,clock,sieve,s3fifo,2q,car,clockpro,fifo,random"


def sweep(pagesim, path, sizes, policies, delay, victims):
    """{frames: {policy: miss ratio}} from pagesim --data (6 decimals)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "d.dat")
        cmd = [pagesim, "-p", policies, "--sweep", ",".join(map(str, sizes)),
               "--clear-delay", str(delay), "--victims", str(victims), "--data", data, path]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)}: exit {out.returncode}: {out.stderr.strip()}")
        rows = [l.split() for l in open(data) if not l.startswith("#")]
    names = policies.split(",")
    return {int(r[0]): dict(zip(names, map(float, r[1:]))) for r in rows}


def rel(x, base):
    """x against base, in percent (positive: more misses)."""
    return 100.0 * (x - base) / base if base else 0.0


def collect(pagesim, tracedir, policies):
    """res[trace][victims][delay][frames][policy]."""
    res = {}
    for name, sizes in SIZES.items():
        path = f"{tracedir}/{name}.trace.gz"
        res[name] = {v: {d: sweep(pagesim, path, sizes, policies, d, v) for d in DELAYS}
                     for v in VICTIMS}
    return res


def worst(res, victims, delay, policy):
    """The largest relative rise over N=0 for policy, and where."""
    best = (float("-inf"), "")
    for name, by_v in res.items():
        for frames, cell in by_v[victims][delay].items():
            r = rel(cell[policy], by_v[victims][0][frames][policy])
            best = max(best, (r, f"{name} {frames}"))
    return best


def print_summary(res, policies, tol):
    """Per victims setting: each policy's worst rise per delay."""
    for v in VICTIMS:
        print(f"\nWorst miss-ratio rise over N = 0 on any trace and size, %, {v} victim(s) "
              "per look:\n")
        print("| policy | " + " | ".join(f"N={d}" for d in DELAYS[1:]) + " | largest N within "
              f"{tol}% |")
        print("|---|" + "---:|" * len(DELAYS))
        for p in policies:
            worsts = [worst(res, v, d, p)[0] for d in DELAYS[1:]]
            within = 0  # the largest N with it and every shorter one in tolerance
            for d, w in zip(DELAYS[1:], worsts):
                if w > tol:
                    break
                within = d
            cells = " | ".join(f"{w:+.2f}" for w in worsts)
            print(f"| {p} | {cells} | {within} |")


def print_detail(res, policy):
    """policy's miss ratio per N, per trace and size, each victims setting."""
    for v in VICTIMS:
        print(f"\n{policy}, {v} victim(s) per look: miss ratio by N (faults the clearing is "
              "late)\n")
        print("| trace | frames | " + " | ".join(f"N={d}" for d in DELAYS) + " |")
        print("|---|---:|" + "---:|" * len(DELAYS))
        for name, by_v in res.items():
            for frames in SIZES[name]:
                cells = " | ".join(f"{by_v[v][d][frames][policy]:.4f}" for d in DELAYS)
                print(f"| {name} | {frames} | {cells} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pagesim")
    ap.add_argument("tracedir")
    ap.add_argument("--policies", default=POLICIES)
    ap.add_argument("--tolerance", type=float, default=0.5, help="percent (default 0.5)")
    ap.add_argument("--detail", default="mglru", help="the policy whose ratios are listed")
    a = ap.parse_args()
    res = collect(a.pagesim, a.tracedir, a.policies)
    print_summary(res, a.policies.split(","), a.tolerance)
    for p in a.detail.split(","):
        print_detail(res, p)


if __name__ == "__main__":
    main()
