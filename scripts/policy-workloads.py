#!/usr/bin/env python3
"""Write the reference string of one policybench workload as a pagesim trace.

The same generator as userland/bin/policybench.c (a 64-bit LCG with Knuth's
MMIX constants); the digest printed on stderr must equal the guest's, which
scripts/bench checks, so OPT is computed on exactly the string the guest ran.
Usage: policy-workloads.py NAME PAGES REFS OUT
"""
import sys

MASK = (1 << 64) - 1


class Lcg:
    def __init__(self):
        self.x = 1

    def below(self, n):
        self.x = (self.x * 6364136223846793005 + 1442695040888963407) & MASK
        return (self.x >> 33) % n


def pages_of(name, pages, refs):
    rng = Lcg()
    for r in range(refs):
        if name in ("seq", "loop"):
            yield r % pages
        elif name == "hotcold":
            hot = pages // 10
            if rng.below(10) < 9:
                yield rng.below(hot)
            else:
                yield hot + rng.below(pages - hot)
        elif name == "random":
            yield rng.below(pages)
        else:
            sys.exit(f"policy-workloads.py: unknown workload {name!r}")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    name, pages, refs, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    digest = 0
    with open(out, "w") as f:
        for p in pages_of(name, pages, refs):
            f.write(f"{p} W\n")
            digest = (digest * 31 + p) & MASK
    print(f"{digest:016x}", file=sys.stderr)


main()
