#!/usr/bin/env python3
"""Host test of scripts/tap-summary.py, which turns meson's test log into
scripts/test's last line: every way a test can fail to run must count as a
failure, never as a pass or a skip. Prints TAP."""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "tap-summary.py")
spec = importlib.util.spec_from_file_location("tap_summary", SCRIPT)
ts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ts)


def rec(result, stdout=""):
    return {"name": "t", "result": result, "stdout": stdout}


def totals(records, status=0):
    total, _ = ts.summarize(records, status)
    return total["passed"], total["failed"]


CASES = [
    ("TAP lines counted one by one",
     [rec("FAIL", "1..3\nok 1 - a\nok 2 - b\nnot ok 3 - c\n")], 0, (2, 1)),
    ("a skipped line fails: nothing here may skip",
     [rec("OK", "1..2\nok 1 - a\nok 2 - b # SKIP no disk\n")], 0, (1, 1)),
    ("a TODO line fails",
     [rec("OK", "1..1\nnot ok 1 - a # TODO later\n")], 0, (0, 1)),
    ("a test with no result line that meson skipped fails (the suite did not run)",
     [rec("SKIP", "# the demonstration ran instead\n")], 0, (0, 1)),
    ("a skip verdict after passing lines fails once more",
     [rec("SKIP", "ok 1 - a\n")], 0, (1, 1)),
    ("a timeout after passing lines fails once more",
     [rec("TIMEOUT", "ok 1 - a\n")], 0, (1, 1)),
    ("a timeout after 1 of 3 planned: the 2 missing fail",
     [rec("TIMEOUT", "1..3\nok 1 - a\n")], 0, (1, 2)),
    ("a crash after a failure: the planned tests without a result fail too",
     [rec("ERROR", "1..5\nok 1 - a\nnot ok 2 - b\n# crashed\n")], 0, (1, 4)),
    ("a plan met counts no more",
     [rec("OK", "1..2\nok 1 - a\nok 2 - b\n# 1..9 in a comment\n")], 0, (2, 0)),
    ("an exit-code test counts once by its verdict",
     [rec("OK"), rec("FAIL")], 0, (1, 1)),
    ("meson's non-zero status with nothing failed is a failure",
     [rec("OK")], 1, (1, 1)),
    ("no records at all is a failure", [], 0, (0, 1)),
]


def run_main(records):
    """The script's last line and exit status on a log of these records."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    try:
        p = subprocess.run([sys.executable, SCRIPT, f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return p.stdout.strip().splitlines()[-1], p.returncode


def main():
    n = len(CASES) + 2
    print(f"1..{n}")
    fails = 0
    k = 0
    for name, records, status, want in CASES:
        k += 1
        got = totals(records, status)
        good = got == want
        fails += not good
        print(f"{'ok' if good else 'not ok'} {k} - {name}" + ("" if good else f" # got {got}, want {want}"))
    last, code = run_main([rec("OK", "1..1\nok 1 - a\n")])
    k += 1
    good = last == "1 passed, 0 failed" and code == 0
    fails += not good
    print(f"{'ok' if good else 'not ok'} {k} - a green log: the last line and status 0 ({last!r}, {code})")
    last, code = run_main([rec("SKIP", "# nothing\n")])
    k += 1
    good = last == "0 passed, 1 failed" and code == 1
    fails += not good
    print(f"{'ok' if good else 'not ok'} {k} - a skipped-only log: a failure and status 1 ({last!r}, {code})")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
