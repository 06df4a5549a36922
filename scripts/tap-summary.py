#!/usr/bin/env python3
"""Count test results from meson's testlog.json (one JSON object per line, as
meson 1.0 writes it: "name", "result", "stdout", ...) and end with the line
`N passed, N failed`.

- A test that prints TAP is counted by its lines: each `ok` passes, each
  `not ok` fails, and a line with a `# SKIP` or `# TODO` directive fails:
  no test here may skip, so a skip means something did not run.
- A plan (`1..N`, the first) with fewer result lines than it names counts
  each missing one as failed, so a guest that stopped after 40 of 62 tests
  shows 22 more failures, and the totals add up to what was planned.
  (meson itself calls such a test an ERROR, "too few tests run", which the
  next rule would count only once, and not at all beside a `not ok`.)
- A test that prints no TAP result line counts once, by meson's verdict; a
  SKIP verdict fails too (meson gives it to a TAP test that printed no
  result line, as when a boot ran something other than the suite).
- A test meson failed (FAIL, TIMEOUT, ERROR, ...) without any `not ok` line
  counts one more failure, so a crashed or hung guest can never look green.
- A log with no tests in it (or none at all) counts one failure.
- --meson-status N: meson test's exit status; if it is non-zero but nothing
  above failed, one more failure is counted.

Exits 1 if anything failed or nothing passed, else 0."""

import argparse
import json
import re
import sys

TAP_RESULT = re.compile(r"(not )?ok(?=\s|$)(.*)$")
TAP_PLAN = re.compile(r"1\.\.(\d+)(?=\s|$)")
DIRECTIVE = re.compile(r"#\s*(skip|todo)\b", re.IGNORECASE)
BAD = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS", "INTERRUPT", "SKIP"}
VERDICT = {"OK": "passed", "EXPECTEDFAIL": "passed"}


def tap_counts(stdout):
    """Count a TAP stream's result lines; also return the failing lines and
    the first plan's count (None if there is no plan)."""
    counts = {"passed": 0, "failed": 0}
    failures = []
    plan = None
    for line in stdout.splitlines():
        line = line.rstrip("\r")
        p = TAP_PLAN.match(line)
        if p and plan is None:
            plan = int(p.group(1))
        m = TAP_RESULT.match(line)
        if not m:
            continue
        if DIRECTIVE.search(m.group(2)) or m.group(1):
            counts["failed"] += 1
            failures.append(line)
        else:
            counts["passed"] += 1
    return counts, failures, plan


def summarize(records, meson_status):
    total = {"passed": 0, "failed": 0}
    report = []
    for rec in records:
        name, result = rec.get("name", "?"), rec.get("result", "?")
        counts, failures, plan = tap_counts(rec.get("stdout") or "")
        report += [f"FAIL {name}: {line}" for line in failures]
        missing = max(0, (plan or 0) - sum(counts.values()))
        if missing:
            counts["failed"] += missing
            report.append(f"FAIL {name}: {missing} of the {plan} planned tests have no result")
        if sum(counts.values()) == 0:
            counts[VERDICT.get(result, "failed")] += 1
            if result not in VERDICT:
                report.append(f"FAIL {name}: {result}")
        elif result in BAD and counts["failed"] == 0:
            counts["failed"] += 1
            report.append(f"FAIL {name}: {result} after {counts['passed']} passing TAP lines")
        for k in total:
            total[k] += counts[k]
    if not records:
        total["failed"] += 1
        report.append("FAIL no test results in the log")
    if meson_status and total["failed"] == 0:
        total["failed"] += 1
        report.append(f"FAIL meson test exited with status {meson_status}")
    return total, report


def read_log(path):
    records = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not JSON: {e}") from e
    return records


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("testlog", help="meson-logs/testlog.json")
    ap.add_argument("--meson-status", type=int, default=0)
    args = ap.parse_args()
    try:
        records = read_log(args.testlog)
    except OSError as e:
        print(f"tap-summary.py: cannot read {args.testlog}: {e.strerror}")
        records = []
    except ValueError as e:
        print(f"tap-summary.py: {e}")
        records = []
    total, report = summarize(records, args.meson_status)
    if not total["passed"]:
        report.append("no test passed")
    for line in report:
        print(line)
    print(f"{total['passed']} passed, {total['failed']} failed")
    sys.exit(1 if total["failed"] or not total["passed"] else 0)


if __name__ == "__main__":
    main()
