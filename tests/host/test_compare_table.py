#!/usr/bin/env python3
"""Host test of scripts/compare_table.py, the table builder of
scripts/compare, on a recorded pair of boots (data/compare/: one workload
on this system and on Linux, their consoles trimmed to the lines the
builder reads). Prints TAP."""

import os
import re
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import compare_table as ct  # noqa: E402

DATA = os.path.join(HERE, "data", "compare")
THIS = os.path.join(DATA, "pagerkernel-hotcold.log")
LINUX = os.path.join(DATA, "linux-hotcold.log")


def raw(path):
    """The numbers the log states, read here independently of the builder."""
    text = open(path).read()
    result = dict(re.findall(r"(\w+)=(\d+)", re.search(r"^compare: result (.*)$", text, re.M).group(1)))
    samples = {m: dict(re.findall(r"(\w+)=(\d+)", rest))
               for m, rest in re.findall(r"^compare-host: blockstats (\w+) (.*)$", text, re.M)}
    return {k: int(v) for k, v in result.items()}, samples


def edited(path, old, new, tmp):
    """A copy of path in tmp with the first line matching old replaced."""
    lines = open(path).read().splitlines()
    i = next(i for i, l in enumerate(lines) if re.search(old, l))
    if new is None:
        del lines[i]
    else:
        lines[i] = re.sub(old, new, lines[i])
    out = os.path.join(tmp, os.path.basename(path))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    return out


def expect_error(path, words):
    try:
        ct.parse_log(path)
    except ct.LogError as e:
        assert path in str(e) and words in str(e), "the error says: %s" % e
        return
    raise AssertionError("no error for %s" % path)


def test_parse_pair():
    for path, system, policy in ((THIS, "pagerkernel", "clock"), (LINUX, "linux", "-")):
        rec = ct.parse_log(path)
        result, samples = raw(path)
        assert (rec["system"], rec["workload"], rec["policy"]) == (system, "hotcold", policy), rec
        assert rec["busy"] == result["instret"] - result["idle_ns"] > 0
        assert rec["major"] == result["major"] and rec["pswpout"] == result["pswpout"]
        for key in ct.DISK_KEYS:
            assert rec[key] == int(samples["end"][key]) - int(samples["start"][key]), key
        assert rec["errors"] == 0 and rec["run"] == 1
    assert ct.parse_log(LINUX)["kernel"].startswith("6.1.")


def test_table_and_ratios():
    recs = [ct.parse_log(THIS), ct.parse_log(LINUX)]
    rows = ct.table_rows(recs)
    assert [r[1] for r in rows] == ["system", "pagerkernel/clock", "linux", "pagerkernel/clock / linux"]
    assert all(len(r) == len(rows[0]) for r in rows)
    heads = rows[0]
    ratio = rows[3][heads.index("busy_Minstr")]
    assert ratio == "%.2f" % (recs[0]["busy"] / recs[1]["busy"]), ratio
    assert rows[3][heads.index("wr_req")] == "%.2f" % (recs[0]["wr_operations"] / recs[1]["wr_operations"])
    text = ct.format_text(rows)
    assert len(text.splitlines()) == 4 and "hotcold" in text
    md = ct.format_markdown(rows).splitlines()
    assert md[0].count("|") == len(heads) + 1 and md[1] == "|" + "---|" * len(heads)


def test_ratio_of_zero():
    assert ct.ratio(0, 0) == "-" and ct.ratio(5, 0) == "inf" and ct.ratio(1, 4) == "0.25"


def test_wrong_words_refused():
    with tempfile.TemporaryDirectory() as tmp:
        expect_error(edited(THIS, r"errors=0", "errors=3", tmp), "3 words read back wrong")


def test_missing_pieces_refused():
    with tempfile.TemporaryDirectory() as tmp:
        expect_error(edited(LINUX, r"^compare-host: blockstats end .*", None, tmp),
                     "no QEMU disk counters at the end marker")
        expect_error(edited(THIS, r"^compare: result .*", None, tmp), "no 'compare: result' line")
        expect_error(edited(THIS, r"^compare: status 0$", "compare: status 2", tmp), "status is 2")
        expect_error(edited(LINUX, r"idle_ns=\d+", "idle_ns=x", tmp), "bad or missing counter")


def test_spread_over_runs():
    with tempfile.TemporaryDirectory() as tmp:
        second = edited(THIS, r"run=1", "run=2", tmp)
        second = edited(second, r"major=\d+", "major=0", tmp)
        recs = [ct.parse_log(THIS), ct.parse_log(second), ct.parse_log(LINUX)]
    rows = ct.spread_rows(recs, "hotcold")
    major = [r for r in rows if r[0] == "pagerkernel/clock" and r[2] == "major"][0]
    assert major[1:5] == ["2", "major", "0", str(recs[0]["major"])] and major[5] == "200.0%", major
    linux = [r for r in rows if r[0] == "linux" and r[2] == "busy_Minstr"][0]
    assert linux[1] == "1" and linux[5] == "0.0%", linux
    # Only run 1 goes into the table.
    assert len(ct.table_rows(recs)) == 4


def test_doc_filled():
    recs = [ct.parse_log(THIS), ct.parse_log(LINUX)]
    meta = {"date": "2026-01-02", "command": "scripts/compare ", "qemu_line": "qemu-system-riscv64 -m 128M ",
            "qemu_version": "QEMU 7.2", "this_version": "abc123", "mem": "128M", "wall": "125",
            "spread": "none"}
    with open(os.path.join(HERE, "..", "..", "scripts", "compare.md.in")) as f:
        doc = ct.render_doc(recs, meta, f.read())
    assert "@" not in re.sub(r"`[^`]*`", "", doc).replace("![", ""), "a field was left unfilled"
    assert "| hotcold | pagerkernel/clock |" in doc and "2 min 5 s" in doc and "2026-01-02" in doc
    assert ct.parse_log(LINUX)["kernel"] in doc
    # The workloads' table: userland/workloads/workloads.txt's, a row a line, in its order.
    with open(os.path.join(HERE, "..", "..", "userland", "workloads", "workloads.txt")) as f:
        listed = [l.split()[0] for l in f if l.strip() and not l.startswith("#")]
    assert re.findall(r"^\| `(\w+)` \| \S", doc, re.M) == listed, "the workloads' table"


def main():
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_")]
    print("1..%d" % len(tests))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn()
            print("ok %d - %s" % (i, name))
        except Exception:  # every failure is reported, whatever it is
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
