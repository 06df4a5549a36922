#!/usr/bin/env python3
"""The reference docs name what the code has: docs/boot-args.md's keys and
docs/vmstat.md's counters, read from the single tables they come from.

Boot arguments: the struct bootarg_spec tables (kernel/params.c, the
kernel's; pager/base/config.c, the pager's: no one else reads the command
line: a file of the system that calls bootargs_parse and is not one of
them fails the check) against the rows of boot-args.md's "## Keys" table, both ways, and
each default the table writes as a string literal (or as a number #defined
in the same file) against the row's default. A default the code sets at run
time (pager.policy's, the first policy's name) is not read, and said so.
Every key=value word in the tree's .md files must be an accepted key too,
but for one the same file shows being reported ("unknown key 'K'").

Counters: the items of enum vmstat_item up to VMSTAT_REPORTED
(pager/base/vmstat.h), struct pager_stats's fields (pager/protocol.h) and
vmstat's table of names (userland/lib/vmstat_print.c) must be one list in
one order, and vmstat.md's table must name exactly those, in that order.

TAP on stdout; each failure lists the names concerned.
Usage: docsync.py SOURCE_ROOT
"""
import os
import re
import sys

SPEC_TABLES = ['kernel/params.c', 'pager/base/config.c']
VMSTAT_ENUM = 'pager/base/vmstat.h'
STATS_STRUCT = 'pager/protocol.h'
VMSTAT_PRINT = 'userland/lib/vmstat_print.c'
KEY_PREFIXES = ('kernel', 'pager', 'oom', 'swap', 'net', 'init')


def read(path):
    with open(path) as f:
        return f.read()


def strip_comments(src):
    src = re.sub(r'/\*.*?\*/', ' ', src, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', src)


def braced(src, opening, path):
    """The text between the { that follows the regex opening and its }."""
    m = re.search(opening, src)
    if not m:
        raise ValueError('%s: no %s' % (path, opening))
    start = src.index('{', m.end() - 1) + 1
    depth = 1
    for i in range(start, len(src)):
        depth += {'{': 1, '}': -1}.get(src[i], 0)
        if depth == 0:
            return src[start:i]
    raise ValueError('%s: %s never closes' % (path, opening))


# ---- boot arguments ----

ENTRY = re.compile(r'\[\s*\w+\s*\]\s*=\s*\{\s*"([^"]+)"\s*,\s*BOOTARG_\w+\s*,\s*([^,]+?)\s*,')


def code_keys(root):
    """key -> its default as text, or None when the code sets it at run time."""
    keys = {}
    for rel in SPEC_TABLES:
        src = strip_comments(read(os.path.join(root, rel)))
        body = braced(src, r'struct\s+bootarg_spec\s+specs\s*\[[^\]]*\]\s*=\s*\{', rel)
        entries = ENTRY.findall(body)
        if len(entries) != len(re.findall(r'\[\s*\w+\s*\]\s*=\s*\{', body)):
            raise ValueError('%s: an entry of specs[] is not "key", BOOTARG_type, default' % rel)
        defines = dict(re.findall(r'^\s*#\s*define\s+(\w+)\s+(\d+)\s*$', src, re.M))
        for key, default in entries:
            keys[key] = default_text(default, defines)
    return keys


def default_text(expr, defines):
    lit = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', expr)
    if lit:
        return lit.group(1)
    num = re.fullmatch(r'AS_TEXT\((\w+)\)', expr)
    if num and num.group(1) in defines:
        return defines[num.group(1)]
    return None


def cells(row):
    """A markdown table row's cells (a \\| inside a cell is not a border)."""
    return [c.strip() for c in re.split(r'(?<!\\)\|', row.strip())[1:-1]]


def doc_keys(text):
    """[(key, its default as text, or None if not written as `x` or empty)]"""
    section = text.split('\n## Keys\n', 1)
    if len(section) < 2:
        raise ValueError('boot-args.md has no "## Keys" section')
    rows = []
    for line in section[1].split('\n## ', 1)[0].splitlines():
        if not line.startswith('| `'):
            continue
        c = cells(line)
        key = re.fullmatch(r'`([^`]+)`', c[0])
        default = re.fullmatch(r'`([^`]*)`', c[2])
        rows.append((key.group(1) if key else c[0],
                     default.group(1) if default else ('' if c[2] == 'empty' else None)))
    return rows


def unread_parsers(root):
    """Files of the system that parse the command line with a table this
    test does not read."""
    found = []
    for top in ('kernel', 'arch', 'pager', 'drivers', 'userland'):
        for d, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs.sort()
            for f in sorted(files):
                rel = os.path.relpath(os.path.join(d, f), root)
                if (f.endswith('.c') and rel not in SPEC_TABLES
                        and 'bootargs_parse(' in strip_comments(read(os.path.join(d, f)))):
                    found.append(rel)
    return found


def check_boot_keys(root, code, docs):
    documented = [k for k, _ in docs]
    problems = ['%s parses boot arguments with a table not read here' % f for f in unread_parsers(root)]
    problems += ['in the code, not in boot-args.md: ' + k for k in sorted(set(code) - set(documented))]
    problems += ['in boot-args.md, not accepted by the code: ' + k
                 for k in sorted(set(documented) - set(code))]
    problems += ['in boot-args.md twice: ' + k
                 for k in sorted({k for k in documented if documented.count(k) > 1})]
    return problems


def check_boot_defaults(code, docs):
    problems, unread = [], []
    for key, doc_default in docs:
        if key not in code:
            continue
        if doc_default is None:
            problems.append('%s: boot-args.md\'s default is neither `value` nor empty' % key)
        elif code[key] is None:
            unread.append(key)
        elif code[key] != doc_default:
            problems.append('%s: boot-args.md says %r, the code %r' % (key, doc_default, code[key]))
    return problems, unread


def markdown_files(root):
    """The tree's .md files, not the fetched libraries' nor a build's."""
    found = []
    for d, subdirs, files in os.walk(root):
        if d == root:
            subdirs[:] = [s for s in subdirs if s != 'subprojects' and not s.startswith('build')]
        subdirs[:] = sorted(s for s in subdirs if not s.startswith('.'))
        found += [os.path.join(d, f) for f in sorted(files) if f.endswith('.md')]
    return found


def check_written_keys(root, code):
    """Every key=value word the docs write names a key the code accepts."""
    word = re.compile(r'(?<![\w.])((?:%s)\.[a-z_]+)=' % '|'.join(KEY_PREFIXES))
    problems = []
    for path in markdown_files(root):
        text = read(path)
        for n, line in enumerate(text.splitlines(), 1):
            for key in word.findall(line):
                if key not in code and "unknown key '%s'" % key not in text:
                    problems.append('%s:%d: %s= is no key' % (os.path.relpath(path, root), n, key))
    return problems


# ---- counters ----

def enum_items(root):
    src = strip_comments(read(os.path.join(root, VMSTAT_ENUM)))
    body = braced(src, r'enum\s+vmstat_item\s*\{', VMSTAT_ENUM)
    names = []
    for m in re.finditer(r'\bVMSTAT_(\w+)\s*(?:,|=|$)', body):
        if m.group(1) == 'REPORTED':
            return names
        names.append(m.group(1).lower())
    raise ValueError('%s: no VMSTAT_REPORTED' % VMSTAT_ENUM)


def struct_fields(root):
    src = strip_comments(read(os.path.join(root, STATS_STRUCT)))
    body = braced(src, r'struct\s+pager_stats\s*\{', STATS_STRUCT)
    fields = re.findall(r'\buint64_t\s+(\w+)\s*;', body)
    if len(fields) != body.count(';'):
        raise ValueError('%s: a field of struct pager_stats is not a uint64_t' % STATS_STRUCT)
    return fields


def printed_names(root):
    src = strip_comments(read(os.path.join(root, VMSTAT_PRINT)))
    body = braced(src, r'\bcounters\s*\[\s*\]\s*=\s*\{', VMSTAT_PRINT)
    return re.findall(r'\bCOUNTER\((\w+)\)', body)


def doc_counters(text):
    """The names in the first column of vmstat.md's table headed | name |."""
    names, inside = [], False
    for line in text.splitlines():
        if line.startswith('| name |'):
            inside = True
        elif inside and line.startswith('|'):
            c = cells(line)
            m = re.fullmatch(r'`(\w+)`', c[0])
            if m:
                names.append(m.group(1))
            elif not set(c[0]) <= set('-: '):
                names.append(c[0])
        elif inside:
            break
    return names


def same_list(what, want, have):
    """Problems if have is not want in want's order."""
    problems = ['%s lacks %s' % (what, n) for n in want if n not in have]
    problems += ['%s names %s, which is no counter' % (what, n) for n in have if n not in want]
    if not problems and have != want:
        first = next(i for i, (a, b) in enumerate(zip(want, have)) if a != b)
        problems.append('%s is out of order: %s where %s should be' % (what, have[first], want[first]))
    return problems


# ---- TAP ----

def main():
    try:
        return run_checks()
    except (OSError, ValueError) as e:  # a table moved or changed shape
        print('Bail out! %s' % e)
        return 1


def run_checks():
    root = sys.argv[1]
    boot_md = os.path.join(root, 'docs', 'boot-args.md')
    vmstat_md = os.path.join(root, 'docs', 'vmstat.md')
    code = code_keys(root)
    docs = doc_keys(read(boot_md))
    defaults, unread = check_boot_defaults(code, docs)
    fields = struct_fields(root)
    checks = [
        ('boot-args.md documents every key the kernel and the pager accept, and no other',
         check_boot_keys(root, code, docs), []),
        ('boot-args.md\'s defaults are the code\'s', defaults,
         ['default set at run time, not read: ' + k for k in unread]),
        ('every key=value the docs write names an accepted key', check_written_keys(root, code), []),
        ('enum vmstat_item\'s reported items are struct pager_stats\'s fields',
         same_list('enum vmstat_item', fields, enum_items(root)), []),
        ('vmstat prints every struct pager_stats field under its name',
         same_list('vmstat_print.c', fields, printed_names(root)), []),
        ('vmstat.md names every counter, in struct pager_stats\'s order, and no other',
         same_list('vmstat.md', fields, doc_counters(read(vmstat_md))), []),
    ]
    print('1..%d' % len(checks))
    failed = 0
    for n, (name, problems, notes) in enumerate(checks, 1):
        print('%s %d - %s' % ('not ok' if problems else 'ok', n, name))
        for line in problems + notes:
            print('# ' + line)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
