#!/usr/bin/env python3
"""One boot for scripts/compare, and the Linux initramfs it boots.

  compare_boot.py initramfs OUT INIT
      Write a cpio "newc" archive OUT holding INIT as /init, the
      directories /dev and /proc, and /dev/console.
  compare_boot.py boot --log LOG --timeout S [--label TEXT] -- QEMU ARGS...
      Write `compare-host: label TEXT` first in LOG, then run QEMU ARGS
      with a QMP socket added, copy its console to LOG, and
      when the workload prints `compare: start W`, `compare: go W` and
      `compare: end W`, ask QEMU for its disk counters (query-blockstats)
      and write them into LOG as `compare-host: blockstats MARK ...` right
      after the marker. Exit status 0 if the workload reported
      `compare: status 0` and every sample was taken; otherwise it says
      what went wrong (a hang past S seconds, QEMU's failure, the
      workload's error) and exits 1.

Python 3 standard library only."""

import argparse
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time

MARKS = ("start", "go", "end")
STATS = ("rd_operations", "wr_operations", "rd_bytes", "wr_bytes")


def cpio_entry(name, mode, data=b"", rdev=(0, 0)):
    """One newc entry: header, name and data, each padded to 4 bytes."""
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = head + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def write_initramfs(out, init):
    with open(init, "rb") as f:
        data = f.read()
    archive = (cpio_entry("dev", 0o40755) + cpio_entry("proc", 0o40555)
               + cpio_entry("dev/console", 0o20600, rdev=(5, 1))
               + cpio_entry("init", 0o100755, data) + cpio_entry("TRAILER!!!", 0))
    with open(out, "wb") as f:
        f.write(archive + b"\0" * (-len(archive) % 512))


class Qmp:
    """A QMP client on QEMU's unix socket: capabilities, then commands."""

    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("QEMU's QMP socket never opened")
                time.sleep(0.05)
        self.buf = b""
        self.reply()                       # the greeting
        self.command("qmp_capabilities")

    def reply(self):
        """The next message that is not an event."""
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise RuntimeError("QEMU closed its QMP socket")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, name):
        self.sock.sendall(json.dumps({"execute": name}).encode() + b"\n")
        msg = self.reply()
        if "error" in msg:
            raise RuntimeError("QMP %s: %s" % (name, msg["error"]))
        return msg.get("return")

    def blockstats(self):
        """Disk counters summed over every block device (0s if none)."""
        total = dict.fromkeys(STATS, 0)
        for dev in self.command("query-blockstats"):
            for key in STATS:
                total[key] += dev["stats"][key]
        return " ".join("%s=%d" % (k, total[k]) for k in STATS)


def marker(line):
    """'start', 'go' or 'end' if line is the workload's marker, else None."""
    words = line.split()
    if len(words) == 3 and words[0] == "compare:" and words[1] in MARKS:
        return words[1]
    return None


def watch(proc, qmp, log, deadline):
    """Copy the console to log until QEMU exits; sample QMP at markers.
    Returns the marks sampled, or raises TimeoutError."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    pending, seen = b"", []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        if not sel.select(timeout=min(left, 1.0)):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        pending += chunk
        while b"\n" in pending:
            raw, pending = pending.split(b"\n", 1)
            line = raw.decode("utf-8", "replace").rstrip("\r")
            log.write(line + "\n")
            mark = marker(line)
            if mark:
                try:
                    log.write("compare-host: blockstats %s %s\n" % (mark, qmp.blockstats()))
                    seen.append(mark)
                except (RuntimeError, OSError, ValueError) as e:
                    log.write("compare-host: no blockstats at %s: QMP: %s\n" % (mark, e))
            log.flush()
    if pending:
        log.write(pending.decode("utf-8", "replace") + "\n")
    return seen


def boot(log_path, timeout, label, qemu):
    """Run one boot; return an error message, or None if it succeeded."""
    sockdir = tempfile.mkdtemp(prefix="compare-qmp.")
    sock = os.path.join(sockdir, "qmp")
    cmd = qemu + ["-qmp", "unix:%s,server=on,wait=off" % sock]
    deadline = time.monotonic() + timeout
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        with open(log_path, "w") as log:
            if label:
                log.write("compare-host: label %s\n" % label)
            log.write("compare-host: qemu %s\n" % " ".join(cmd))
            try:
                seen = watch(proc, Qmp(sock, deadline), log, deadline)
            except TimeoutError:
                return "no power-off within %d s (hung?)" % timeout
            except (RuntimeError, OSError, ValueError) as e:
                return "QMP: %s" % e
            status = proc.wait(timeout=60)
            log.write("compare-host: qemu exit status %d\n" % status)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for name in os.listdir(sockdir):
            os.unlink(os.path.join(sockdir, name))
        os.rmdir(sockdir)
    return check(log_path, status, seen)


def check(log_path, status, seen):
    """The error a finished boot shows in its log, or None."""
    with open(log_path) as f:
        lines = f.read().splitlines()
    errors = [l for l in lines if l.startswith("compare: error:")]
    if errors:
        return errors[0][len("compare: "):]
    if "compare: status 0" not in lines:
        results = [l for l in lines if l.startswith("compare: result ")]
        if results and " errors=0" not in results[-1]:
            return "the workload read back wrong data: %s" % results[-1]
        return "the workload did not finish (QEMU exit status %d)" % status
    if status != 0:
        return "QEMU exited with status %d" % status
    if seen != list(MARKS):
        return "markers seen: %s, expected %s" % (seen, list(MARKS))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    ir = sub.add_parser("initramfs")
    ir.add_argument("out")
    ir.add_argument("init")
    bt = sub.add_parser("boot")
    bt.add_argument("--log", required=True)
    bt.add_argument("--timeout", type=int, required=True)
    bt.add_argument("--label", default="")
    bt.add_argument("qemu", nargs="+")
    args = ap.parse_args()
    if args.cmd == "initramfs":
        write_initramfs(args.out, args.init)
        return 0
    error = boot(args.log, args.timeout, args.label, args.qemu)
    if error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
