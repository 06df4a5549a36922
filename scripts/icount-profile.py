#!/usr/bin/env python3
"""Where guest instructions go, counted from a QEMU log: reads the log of a
boot run with `-d in_asm,exec,nochain` (every translated block's code, then
one line per block executed) and prints instructions per function between
executions of a marker function, averaged over the middle periods.

    scripts/icount-profile.py [--skip N --take M] LOG MARKER ELF...

MARKER is a function name, or ELF:NAME (e.g. bench.elf:sys_call); a period runs from one execution of its first
block to the next. ELF: the kernel and the user programs seen in the log.
Programs share user addresses, so a user block is told apart by its bytes:
it belongs to the ELF whose code at that address is the same. --skip and
--take choose periods by number instead (e.g. one benchmark of several)."""
import re
import subprocess
import sys
from collections import defaultdict

IN_RE = re.compile(r'^0x([0-9a-f]+):\s+([0-9a-f]+)\s')
TRACE_RE = re.compile(r'^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/')


def elf_image(path):
    """(symbols sorted by address, {addr: bytes of the text}) of one ELF."""
    syms = []
    nm = subprocess.run(['riscv64-unknown-elf-nm', '-n', path], capture_output=True, text=True,
                        check=True).stdout
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'tTwW':
            syms.append((int(f[0], 16), f[2]))
    dump = subprocess.run(['riscv64-unknown-elf-objcopy', '-O', 'binary', '--only-section=.text',
                           path, '/dev/stdout'], capture_output=True, check=True).stdout
    hdr = subprocess.run(['riscv64-unknown-elf-objdump', '-h', path], capture_output=True,
                         text=True, check=True).stdout
    base = next(int(l.split()[3], 16) for l in hdr.splitlines() if ' .text ' in l)
    return syms, base, dump


def owner(images, pc, word):
    """The (name, symbol) a block at pc whose first instruction is word runs."""
    for name, (syms, base, text) in images.items():
        off = pc - base
        if off < 0 or off + len(word) // 2 > len(text):
            continue
        if text[off:off + len(word) // 2] != bytes.fromhex(word)[::-1]:
            continue
        sym = '?'
        for addr, s in syms:
            if addr > pc:
                break
            sym = s
        return name, sym
    return '?', hex(pc)


def main():
    args, skip, take = sys.argv[1:], None, None
    while args and args[0] in ('--skip', '--take'):
        if args[0] == '--skip':
            skip = int(args[1])
        else:
            take = int(args[1])
        args = args[2:]
    if len(args) < 3:
        sys.exit(__doc__)
    log, marker = args[0], args[1]
    images = {p.rsplit('/', 1)[-1]: elf_image(p) for p in args[2:]}
    marks = {(name, s): a for name, (syms, _, _) in images.items() for a, s in syms
             if marker in (s, f'{name}:{s}')}
    blocks = {}		# host code pointer -> (instructions, owner)
    pending = None	# the block just translated: (pc, count, first word)
    periods = [defaultdict(int)]
    with open(log, errors='replace') as f:
        for line in f:
            if line.startswith('IN:'):
                pending = None
                continue
            m = IN_RE.match(line)
            if m:
                pc = int(m.group(1), 16)
                pending = (pc, 1, m.group(2)) if pending is None else \
                    (pending[0], pending[1] + 1, pending[2])
                continue
            m = TRACE_RE.match(line)
            if not m:
                continue
            host, pc = m.group(1), int(m.group(2), 16)
            if pending and pending[0] == pc:
                blocks[host] = (pending[1], owner(images, pc, pending[2]))
                pending = None
            count, who = blocks.get(host, (0, ('?', hex(pc))))
            if who in marks and pc == marks[who]:
                periods.append(defaultdict(int))
            periods[-1][who] += count
    # Drop the runs before the first and after the last marker, then the
    # outer quarters (warm-up, the end of the loop).
    body = periods[1:-1]
    if skip is not None or take is not None:
        body = body[skip or 0:(skip or 0) + take if take else None]
    else:
        body = body[len(body) // 4: len(body) - len(body) // 4] or body
    if not body:
        sys.exit('icount-profile: the marker ran fewer than 3 times')
    total = defaultdict(int)
    for p in body:
        for k, v in p.items():
            total[k] += v
    n = len(body)
    print(f'{n} periods of {marker}; instructions per period:')
    for (name, sym), v in sorted(total.items(), key=lambda kv: -kv[1]):
        print(f'{v / n:9.1f}  {name}:{sym}')
    print(f'{sum(total.values()) / n:9.1f}  total')


main()
