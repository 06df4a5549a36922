#!/usr/bin/env python3
"""The table of scripts/compare, built from the boots' console logs.

  compare_table.py [--doc FILE --plot SVG] [--wall S --mem M --command C
                   --qemu-line Q --spread W --date D] LOG...

Each LOG is one boot's console as scripts/compare_boot.py kept it: the
workload's `compare: begin`, `compare: result` and `compare: status`
lines, and QEMU's disk counters sampled at its markers
(`compare-host: blockstats start|go|end ...`). Prints the table (this
system and Linux, per workload, and their ratios); with --doc, rewrites
that Markdown report and draws the plot with gnuplot. A log that lacks a
line, reports wrong words or a failed status is an error naming the file.

Python 3 standard library only."""

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile


def read_workloads(path):
    """userland/workloads/workloads.txt, the one list: (name, what it does)
    pairs in the table's order."""
    pairs = []
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, what = line.split(None, 1)
                pairs.append((name, what.strip()))
    return pairs


WORKLOAD_LIST = read_workloads(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                            "userland", "workloads", "workloads.txt"))
WORKLOADS = [name for name, _ in WORKLOAD_LIST]
RESULT_KEYS = ["instret", "idle_ns", "major", "pswpin", "pswpout", "pages", "refs", "errors"]
DISK_KEYS = ["rd_operations", "wr_operations", "rd_bytes", "wr_bytes"]
# (column, heading, width, how to show it)
COLUMNS = [
    ("busy", "busy_Minstr", 11, lambda v: "%.1f" % (v / 1e6)),
    ("idle", "idle_Minstr", 11, lambda v: "%.1f" % (v / 1e6)),
    ("major", "major", 8, str),
    ("minor", "minor", 8, lambda v: "-" if v is None else str(v)),
    ("looks", "looks/steal", 11, lambda v: "-" if v is None else "%.2f" % v),
    ("pswpin", "pswpin", 8, str),
    ("pswpout", "pswpout", 8, str),
    ("rd_operations", "rd_req", 7, str),
    ("wr_operations", "wr_req", 7, str),
    ("rd_bytes", "rd_MiB", 7, lambda v: "%.1f" % (v / 2**20)),
    ("wr_bytes", "wr_MiB", 7, lambda v: "%.1f" % (v / 2**20)),
    ("errors", "errors", 6, str),
]
RATIO_COLUMNS = ["busy", "major", "minor", "pswpin", "pswpout", "rd_operations", "wr_operations"]
# Older logs' result lines lack these: their columns show "-".
RECLAIM_KEYS = ["faults", "pgscan", "pgsteal"]


class LogError(Exception):
    """A log that cannot be used, with the file's name and why."""


def fields(text):
    """key=value words of a line as a dict of strings."""
    return dict(w.split("=", 1) for w in text.split() if "=" in w)


def numbers(path, kv, keys):
    try:
        return {k: int(kv[k]) for k in keys}
    except (KeyError, ValueError) as e:
        raise LogError("%s: bad or missing counter %s" % (path, e)) from None


def read_lines(path, lines):
    """The facts one log states, as a dict of raw pieces."""
    facts = {"samples": {}, "run": 1, "policy": "-", "kernel": None}
    for line in lines:
        if line.startswith("compare-host: label "):
            facts["run"] = int(fields(line).get("run", "1"))
        elif line.startswith("compare: begin "):
            facts["begin"] = fields(line)
        elif line.startswith("compare: result "):
            facts["result"] = fields(line)
        elif line.startswith("compare: status "):
            facts["status"] = line.split()[2]
        elif line.startswith("compare-host: blockstats "):
            facts["samples"][line.split()[2]] = numbers(path, fields(line), DISK_KEYS)
        elif m := re.match(r"pager: pager\.policy=(\S+)", line):
            facts["policy"] = m.group(1)
        elif m := re.match(r"(?:\[[ 0-9.]+\] )?Linux version (\S+)", line):
            facts["kernel"] = m.group(1)
    return facts


def parse_log(path):
    """One boot's record: who ran what, and every counter of the run."""
    with open(path, errors="replace") as f:
        facts = read_lines(path, f.read().splitlines())
    for need, line in (("begin", "compare: begin"), ("result", "compare: result"),
                       ("status", "compare: status")):
        if need not in facts:
            raise LogError("%s: no '%s' line (the workload did not run to the end)" % (path, line))
    for mark in ("start", "end"):
        if mark not in facts["samples"]:
            raise LogError("%s: no QEMU disk counters at the %s marker" % (path, mark))
    rec = numbers(path, facts["result"], RESULT_KEYS)
    if rec["errors"] != 0:
        raise LogError("%s: %d words read back wrong" % (path, rec["errors"]))
    if facts["status"] != "0":
        raise LogError("%s: the workload's status is %s" % (path, facts["status"]))
    begin = facts["begin"]
    rec.update(numbers(path, begin, ["avail_pages", "swap_pages", "unit_pages"]))
    rec.update(system=begin.get("system"), workload=begin.get("workload"),
               mode=begin.get("mode"), policy=facts["policy"], run=facts["run"],
               kernel=facts["kernel"], path=path)
    if rec["system"] not in ("pagerkernel", "linux") or rec["workload"] != facts["result"].get("workload"):
        raise LogError("%s: the begin and result lines do not name one system and workload" % path)
    start, end = facts["samples"]["start"], facts["samples"]["end"]
    rec.update({k: end[k] - start[k] for k in DISK_KEYS})
    rec["pause_io"] = facts["samples"].get("go", start) != start
    rec["busy"] = rec["instret"] - rec["idle_ns"]
    rec["idle"] = rec["idle_ns"]
    rec["minor"] = rec["looks"] = None
    if all(k in facts["result"] for k in RECLAIM_KEYS):
        n = numbers(path, facts["result"], RECLAIM_KEYS)
        rec["minor"] = n["faults"] - rec["major"]	# every fault that read nothing from swap
        rec["looks"] = n["pgscan"] / n["pgsteal"] if n["pgsteal"] else 0.0
    return rec


def label(rec):
    return "linux" if rec["system"] == "linux" else "pagerkernel/" + rec["policy"]


def first_runs(records):
    """Run 1 of each (workload, system, policy), workloads in order."""
    order = {w: i for i, w in enumerate(WORKLOADS)}
    runs = [r for r in records if r["run"] == 1]
    return sorted(runs, key=lambda r: (order.get(r["workload"], 99), r["system"] == "linux",
                                       r["policy"]))


def ratio(a, b):
    if a is None or b is None:
        return "-"
    if b == 0:
        return "-" if a == 0 else "inf"
    return "%.2f" % (a / b)


def table_rows(records):
    """Rows of strings: a heading, each system's run, then this/linux."""
    head = ["workload", "system", "avail_MiB", "unit_MiB"] + [c[1] for c in COLUMNS]
    rows = [head]
    runs = first_runs(records)
    for w in [w for w in WORKLOADS if any(r["workload"] == w for r in runs)]:
        mine = [r for r in runs if r["workload"] == w]
        linux = [r for r in mine if r["system"] == "linux"]
        for r in mine:
            rows.append([w, label(r), "%d" % (r["avail_pages"] // 256),
                         "%d" % (r["unit_pages"] // 256)]
                        + [c[3](r[c[0]]) for c in COLUMNS])
        for r in mine:
            if r["system"] != "linux" and linux:
                rows.append([w, label(r) + " / linux", "", ""]
                            + [ratio(r[c[0]], linux[0][c[0]]) if c[0] in RATIO_COLUMNS else ""
                               for c in COLUMNS])
    return rows


def format_text(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.rjust(widths[i]) if i > 1 else c.ljust(widths[i])
                               for i, c in enumerate(r)).rstrip() for r in rows) + "\n"


def format_markdown(rows):
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out) + "\n"


def spread_rows(records, workload):
    """Per system: busy, major faults and write requests over the runs of
    one workload: min, max and (max - min) / mean."""
    rows = [["system", "runs", "counter", "min", "max", "spread"]]
    groups = {}
    for r in records:
        if r["workload"] == workload:
            groups.setdefault(label(r), []).append(r)
    for name in sorted(groups, key=lambda n: (n == "linux", n)):
        runs = groups[name]
        for key, shown in (("busy", "busy_Minstr"), ("major", "major"), ("wr_operations", "wr_req")):
            vals = [r[key] for r in runs]
            mean = sum(vals) / len(vals)
            fmt = (lambda v: "%.1f" % (v / 1e6)) if key == "busy" else str
            rows.append([name, str(len(vals)), shown, fmt(min(vals)), fmt(max(vals)),
                         "%.1f%%" % (100 * (max(vals) - min(vals)) / mean if mean else 0)])
    return rows


def plot_data(records):
    """Lines of `workload busy... major...`, one column per system, and
    the systems' labels, for gnuplot."""
    runs = first_runs(records)
    labels = sorted({label(r) for r in runs}, key=lambda n: (n == "linux", n))
    lines = []
    for w in [w for w in WORKLOADS if any(r["workload"] == w for r in runs)]:
        by = {label(r): r for r in runs if r["workload"] == w}
        busy = ["%.1f" % (by[l]["busy"] / 1e6) if l in by else "NaN" for l in labels]
        major = [str(by[l]["major"]) if l in by else "NaN" for l in labels]
        lines.append(" ".join([w] + busy + major))
    return labels, "\n".join(lines) + "\n"


def gnuplot_script(labels, data, out):
    n = len(labels)
    busy = ", ".join("'%s' using %d:xtic(1) title '%s'" % (data, 2 + i, l)
                     for i, l in enumerate(labels))
    major = ", ".join("'%s' using %d:xtic(1) title '%s'" % (data, 2 + n + i, l)
                      for i, l in enumerate(labels))
    return "\n".join([
        "set terminal svg size 960,440 dynamic font 'sans,11'",
        "set output '%s'" % out,
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.8 border -1",
        "set key below",
        "set grid ytics",
        "set yrange [0:*]",
        "set multiplot layout 1,2",
        "set title 'busy instructions (millions; disk waits apart)'",
        "plot " + busy,
        "set title 'major faults'",
        "plot " + major,
        "unset multiplot",
    ]) + "\n"


def draw(records, out):
    """The plot as SVG in out, through gnuplot."""
    labels, data = plot_data(records)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "compare.dat")
        with open(path, "w") as f:
            f.write(data)
        script = gnuplot_script(labels, path, out)
        try:
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            raise LogError("gnuplot could not draw %s: %s" % (out, e)) from None


def versions(records):
    """The Linux kernel's version as it booted, or '?'."""
    kernels = {r["kernel"] for r in records if r["system"] == "linux" and r["kernel"]}
    return ", ".join(sorted(kernels)) or "?"


def render_doc(records, meta, template):
    """docs/compare.md: the template with its @NAME@ fields filled in."""
    rows = table_rows(records)
    spread = meta.get("spread", "none")
    spread_text = ("(no spread measured: COMPARE_SPREAD=none)\n" if spread == "none" else
                   format_markdown(spread_rows(records, spread)))
    avail = {label(r): r["avail_pages"] for r in first_runs(records)}
    pause_io = sorted({"%s %s" % (r["workload"], label(r)) for r in records if r["pause_io"]})
    fill = {
        "DATE": meta["date"],
        "COMMAND": meta["command"].strip(),
        "QEMU_LINE": meta["qemu_line"].strip(),
        "QEMU_VERSION": meta["qemu_version"],
        "LINUX_VERSION": versions(records),
        "THIS_VERSION": meta["this_version"],
        "MEM": meta["mem"],
        "MODE": ", ".join(sorted({r["mode"] for r in records})),
        "AVAIL": ", ".join("%s %d pages" % (k, v) for k, v in sorted(avail.items())),
        "WALL": "%d min %d s" % divmod(int(meta["wall"]), 60),
        "TABLE": format_markdown(rows),
        "WORKLOADS": "\n".join("| `%s` | %s |" % w for w in WORKLOAD_LIST),
        "SPREAD_WORKLOAD": spread,
        "RUNS": str(max([r["run"] for r in records if r["workload"] == spread] or [1])),
        "SPREAD": spread_text,
        "PAUSE_IO": ", ".join(pause_io) if pause_io else "none",
    }
    return re.sub(r"@([A-Z_]+)@", lambda m: fill[m.group(1)], template)


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--doc", help="the Markdown report to rewrite")
    ap.add_argument("--plot", help="the SVG plot to draw (with --doc)")
    ap.add_argument("--template", default=os.path.join(os.path.dirname(__file__),
                                                        "compare.md.in"))
    ap.add_argument("--wall", default="0")
    ap.add_argument("--mem", default="?")
    ap.add_argument("--command", default="scripts/compare")
    ap.add_argument("--qemu-line", default="?")
    ap.add_argument("--spread", default="none")
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    ap.add_argument("--this-version", default="?", help="this system's git describe")
    args = ap.parse_args()
    try:
        records = [parse_log(p) for p in args.logs]
        print(format_text(table_rows(records)), end="")
        if args.spread != "none":
            print("\nspread over the runs of %s:" % args.spread)
            print(format_text(spread_rows(records, args.spread)), end="")
        if args.doc:
            meta = dict(vars(args), qemu_version=tool_version(["qemu-system-riscv64", "--version"]))
            with open(args.template) as f:
                doc = render_doc(records, meta, f.read())
            if args.plot:
                draw(records, args.plot)
            with open(args.doc, "w") as f:
                f.write(doc)
    except LogError as e:
        print("scripts/compare: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
