#!/usr/bin/env python3
"""Calls run one way (docs/design.md): no circle of source files that call
each other, in the kernel (kernel/ with arch/riscv/), the pager, the
drivers (with netd), lib/, userland's runtime and each kind of its
programs, and pagesim.

A file's module is the .c and the header of the same name beside it (a
header's inline functions are its .c's: what their bodies name is the
module's use too). A module uses another when it names a function or a
global variable the other defines (not static; a struct, union or enum
tag names neither). Calls made inside macros are not seen. Before the tree,
the check runs on a made-up pair whose circle goes through a header's
inline function, and fails if it does not find it.
Each circle found, with the names each file takes from the next, fails the
check. TAP on stdout. Usage: layers.py SOURCE_ROOT
"""
import collections
import os
import re
import sys

GROUPS = [
    ('kernel', ['kernel', 'arch/riscv']),
    ('pager', ['pager/base', 'pager/vm', 'pager/swap', 'pager/reclaim', 'pager/reclaim/policy', 'pager/server']),
    ('drivers', ['drivers', 'drivers/netd']),
    ('lib', ['lib']),
    ('userland runtime', ['userland/lib']),
    # The programs: a folder is one program (fuzz, tests) or programs of a
    # kind that share nothing but the runtime (bin; init), or one harness
    # and a file a program (workloads: each defines `workload`, an ENTRY).
    ('userland init', ['userland/init']),
    ('userland bin', ['userland/bin']),
    ('userland fuzz', ['userland/fuzz']),
    ('userland tests', ['userland/tests']),
    ('userland workloads', ['userland/workloads']),
    ('pagesim', ['tools/pagesim']),
]

# A program's entry, which its start code calls and every program defines:
# crt0.S's main, and workload.c's `workload` (each workload's description
# and run, the way main is each program's).
ENTRY = {'main', 'workload'}

ATTR = r'(?:__attribute__\(\([^()]*(?:\([^()]*\))?[^()]*\)\)\s*)?'
FUNC = re.compile(r'^' + ATTR + r'(?!typedef\b|extern\b|return\b|else\b)([A-Za-z_][\w \t\*]*?)\b([A-Za-z_]\w*)\s*\(([^;{}]*)\)\s*\{',
                  re.M)
GLOBAL = re.compile(r'^(?!static\b|extern\b|typedef\b|return\b)(?:const\s+)?(?:struct\s+|enum\s+|union\s+)?'
                    r'[A-Za-z_]\w*[\s\*]+([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*(?:=|;)', re.M)


def strip(src):
    src = re.sub(r'/\*.*?\*/', ' ', src, flags=re.S)
    src = re.sub(r'__attribute__\s*\(\([^()]*(?:\([^()]*\)[^()]*)*\)\)', ' ', src)
    src = re.sub(r'//[^\n]*', ' ', src)
    src = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', src)
    src = re.sub(r"'(?:\\.|[^'\\\n])*'", "''", src)
    return re.sub(r'^[ \t]*#[^\n]*(?:\\\n[^\n]*)*', ' ', src, flags=re.M)


def modules(root, dirs):
    """module path (the .c) -> [its .c text, its header's text or '']"""
    mods = {}
    for d in dirs:
        full = os.path.join(root, d)
        for name in sorted(os.listdir(full)):
            if not name.endswith('.c'):
                continue
            c = os.path.join(d, name)
            h = os.path.join(root, c[:-2] + '.h')
            texts = [strip(open(os.path.join(root, c)).read())]
            texts.append(strip(open(h).read()) if os.path.exists(h) else '')
            mods[c] = texts
    return mods


def definitions(mods):
    defs = {}
    for mod, (c, h) in mods.items():
        for text, in_header in ((c, False), (h, True)):
            for m in FUNC.finditer(text):
                static = re.search(r'\bstatic\b', m.group(1))
                if m.group(2) in ENTRY:
                    continue
                if not static or in_header:
                    defs.setdefault(m.group(2), mod)
            for m in GLOBAL.finditer(text if not in_header else ''):
                if m.group(1) not in ENTRY:
                    defs.setdefault(m.group(1), mod)
    return defs


def bodies(text):
    """The bodies of the functions text defines (a header's inline ones)."""
    out = []
    for m in FUNC.finditer(text):
        depth, i = 0, m.end() - 1
        for i in range(m.end() - 1, len(text)):
            depth += {'{': 1, '}': -1}.get(text[i], 0)
            if depth == 0:
                break
        out.append(text[m.end():i])
    return ' '.join(out)


def edges(mods, defs):
    uses = collections.defaultdict(set)
    for mod, texts in mods.items():
        # A tag (struct sim_run) names a type, never a function or variable.
        untagged = re.sub(r'\b(?:struct|union|enum)\s+[A-Za-z_]\w*', ' ',
                          texts[0] + ' ' + bodies(texts[1]))
        for ident in set(re.findall(r'(?<![\w.>])[A-Za-z_]\w*', untagged)):
            other = defs.get(ident)
            if other and other != mod:
                uses[(mod, other)].add(ident)
    return uses


def circles(uses):
    """Strongly connected components of more than one module."""
    graph = collections.defaultdict(set)
    for a, b in uses:
        graph[a].add(b)
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# Two files in a circle only through a.h's inline function: what the check
# must find, or it is blind.
KNOWN = {
    'a.c': 'int a_fn(void) { return 1; }\n',
    'a.h': 'static inline __attribute__((always_inline)) int a_in(void)\n{\n\treturn b_fn();\n}\n',
    'b.c': 'int b_fn(void) { return 2; }\nint b_other(void) { return a_in(); }\n',
}


def sees_known_circle():
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        os.mkdir(os.path.join(root, 'k'))
        for name, text in KNOWN.items():
            with open(os.path.join(root, 'k', name), 'w') as f:
                f.write(text)
        mods = modules(root, ['k'])
        return circles(edges(mods, definitions(mods))) == [['k/a.c', 'k/b.c']]


def main():
    root = sys.argv[1]
    sys.setrecursionlimit(10000)
    print('1..%d' % (len(GROUPS) + 1))
    failed = 0
    known = sees_known_circle()
    print('%s 1 - a circle through a header\'s inline function is found' % ('ok' if known else 'not ok'))
    failed += not known
    for n, (name, dirs) in enumerate(GROUPS, 2):
        mods = modules(root, dirs)
        uses = edges(mods, definitions(mods))
        found = circles(uses)
        print('%s %d - %s: %d files, no two call each other' % ('not ok' if found else 'ok', n, name, len(mods)))
        for comp in found:
            print('# circle of %d files:' % len(comp))
            for (a, b), names in sorted(uses.items()):
                if a in comp and b in comp:
                    print('#   %s -> %s: %s' % (a, b, ', '.join(sorted(names))))
        failed += bool(found)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
