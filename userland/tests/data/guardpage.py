#!/usr/bin/env python3
"""Write `guardpage`, a RISC-V ELF executable whose one loadable segment (R+X,
one page, the entry at its start) is the guard page below a program's stack:
`guardpage.py SPAWN_H OUT` reads STACK_TOP and STACK_PAGES from
pager/server/spawn.h, so the page follows the layout. The pager must refuse it
as no program (-ENOEXEC, userland/tests/proc.c), not take it and then fail to
place the stack. It has section headers (.text and .shstrtab) as strip, which
packs it into the initrd, needs."""

import re
import struct
import sys

PAGE = 4096


def define(text, name):
    m = re.search(r"^#define\s+%s\s+(0x[0-9A-Fa-f]+|[0-9]+)" % name, text, re.M)
    if not m:
        sys.exit(f"guardpage.py: no #define {name} in the header")
    return int(m.group(1).rstrip("UL"), 0)


def elf(vaddr):
    shstrtab = b"\0.shstrtab\0.text\0"
    code = b"\x6f\x00\x00\x00" + bytes(PAGE - 4)  # j . (jal x0, 0), then zeros
    ehsize, phsize, shsize = 64, 56, 64
    code_off = PAGE
    strtab_off = code_off + len(code)
    sh_off = strtab_off + len(shstrtab)
    sh_off += -sh_off % 8
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 243, 1, vaddr, ehsize, sh_off, 0,
                               ehsize, phsize, 1, shsize, 3, 1)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, code_off, vaddr, vaddr, len(code), len(code), PAGE)
    # name, type, flags, addr, offset, size, link, info, addralign, entsize
    shdrs = (bytes(shsize) +
             struct.pack("<IIQQQQIIQQ", 1, 3, 0, 0, strtab_off, len(shstrtab), 0, 0, 1, 0) +
             struct.pack("<IIQQQQIIQQ", 11, 1, 6, vaddr, code_off, len(code), 0, 0, 4, 0))
    out = bytearray(ehdr + phdr)
    out += bytes(code_off - len(out)) + code + shstrtab
    out += bytes(sh_off - len(out)) + shdrs
    return bytes(out)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: guardpage.py SPAWN_H OUT")
    with open(argv[1]) as f:
        text = f.read()
    guard = define(text, "STACK_TOP") - (define(text, "STACK_PAGES") + 1) * PAGE
    with open(argv[2], "wb") as f:
        f.write(elf(guard))


if __name__ == "__main__":
    main(sys.argv)
