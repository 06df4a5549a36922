#!/usr/bin/env python3
"""Host test of scripts/profile's reading of the plugin's counts: a made-up
counts file naming blocks of the build's real ELF files (kernel, pager, two
workloads sharing user addresses, the firmware, code in no ELF) goes through
the period choice, the attribution by bytes, the grouping and --diff, and
bad arguments are refused by name. usage: test_profile.py BUILD_DIR"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from importlib.machinery import SourceFileLoader

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(TOP, 'scripts', 'profile')
BUILD = os.path.realpath(sys.argv.pop(1)) if len(sys.argv) > 1 else os.path.join(TOP, 'build')
prof = SourceFileLoader('profile', SCRIPT).load_module()


def fnv1a(data):
    """FNV-1a, 64 bits, written here again rather than taken from the script."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) % (1 << 64)
    return h


def insns(code, n):
    """The bytes of code's first n RISC-V instructions (2 or 4 bytes each)."""
    size = 0
    for _ in range(n):
        size += 4 if code[size] & 3 == 3 else 2
    return size


class Fixture:
    """Blocks of real functions, their counts at two marker snapshots and exit."""

    def __init__(self):
        self.images = {i.name: i for i in prof.build_images(BUILD)}
        self.lines, self.n = [], 0
        kernel, pager = self.images['kernel.elf'], self.images['pager.elf']
        shift, seq = self.images['wl-shift.elf'], self.images['wl-seq.elf']
        # A function's entry (calls counted), one entered mid-way (not).
        self.k_entry = self.block(kernel, self.func(kernel, 'kernel'), 3)
        self.vm_entry = self.block(pager, self.func(pager, 'pager/vm'), 2)
        reclaim = self.func(pager, 'pager/reclaim')
        self.reclaim_mid = self.block(pager, reclaim + insns(pager.code(reclaim, 4), 1), 2)
        # A user address holding different code in two workloads: its
        # bytes say which one ran.
        addr = next(a for a in shift.addrs if shift.code(a, 8) and seq.code(a, 8)
                    and shift.code(a, 8) != seq.code(a, 8))
        self.shift = self.block(shift, addr, 2)
        # One both workloads hold alike (their _start, libc): wl-shift ran
        # blocks of its own, wl-seq none, so it is wl-shift's.
        both = next(a for a in shift.addrs if shift.code(a, 8) and shift.code(a, 8) == seq.code(a, 8))
        self.both = self.block(shift, both, 1)
        self.sbi = self.raw(0x80001000, 4, bytes(range(16)))
        self.stray = self.raw(kernel.addrs[0], 1, b'\xff\xff\xff\xff')

    @staticmethod
    def func(img, group):
        """The address of a function of img in that source group."""
        return next(a for a, f in zip(img.addrs, img.files)
                    if prof.group(img.name, f, BUILD) == group and img.code(a, 16))

    def raw(self, vaddr, n, code):
        self.lines.append(f'block {self.n:x} {vaddr:x} {n:x} {len(code):x} {fnv1a(code):x} '
                          f'{code[:8].hex()}')
        self.n += 1
        return self.n - 1, n

    def block(self, img, vaddr, n):
        return self.raw(vaddr, n, img.code(vaddr, insns(img.code(vaddr, 16), n)))

    def snap(self, label, marks, counts):
        self.lines.append(f'snap {label} {marks:x}')
        self.lines += [f'{b[0]:x} {c}' for b, c in counts.items()]
        self.lines.append('end')

    def write(self, path):
        with open(path, 'w') as f:
            f.write('\n'.join(self.lines) + '\n')


def run(*args, check=True):
    env = dict(os.environ, BUILD_DIR=BUILD, NO_BUILD='1')
    r = subprocess.run([SCRIPT] + list(args), env=env, capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError(f'scripts/profile {" ".join(args)}: {r.stderr}')
    return r


class ProfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        fx = cls.fx = Fixture()
        fx.snap('mark', 1, {fx.k_entry: 10, fx.vm_entry: 5})
        fx.snap('mark', 2, {fx.k_entry: 110, fx.vm_entry: 25, fx.reclaim_mid: 7,
                            fx.shift: 1000, fx.both: 5, fx.sbi: 3, fx.stray: 2})
        fx.snap('exit', 2, {fx.k_entry: 500, fx.vm_entry: 25, fx.reclaim_mid: 7,
                            fx.shift: 1000, fx.sbi: 3, fx.stray: 2})
        cls.counts = os.path.join(cls.tmp.name, 'counts.txt')
        fx.write(cls.counts)

    def profile(self, *args):
        out = os.path.join(self.tmp.name, 'p.json')
        run('--counts', self.counts, '--save', out, *args)
        with open(out) as f:
            return json.load(f)

    def test_period_between_marks(self):
        p = self.profile('--mark', 'wl-shift.elf:main')
        groups = prof.groups_of(p['functions'])
        self.assertEqual(groups, {'kernel': 100 * 3, 'pager/vm': 20 * 2, 'pager/reclaim': 7 * 2,
                                  'workload': 1000 * 2, 'libc': 5, 'sbi': 3 * 4, 'other': 2 * 1})
        total = sum(v[0] for v in p['functions'].values())
        self.assertEqual(total, sum(groups.values()))

    def test_calls_are_entries(self):
        f = self.profile('--mark', 'wl-shift.elf:main')['functions']
        kernel = self.fx.images['kernel.elf']
        entry = kernel.function(int(self.fx.lines[0].split()[2], 16))[0]
        self.assertEqual(f[f'kernel.elf:{entry}'][1], 100)
        reclaim = [v for k, v in f.items() if v[2] == 'pager/reclaim']
        self.assertEqual(reclaim, [[14, 0, 'pager/reclaim']])

    def test_bytes_choose_the_program(self):
        f = self.profile('--mark', 'wl-shift.elf:main')['functions']
        self.assertTrue(any(k.startswith('wl-shift.elf:') and v[0] == 2000 for k, v in f.items()))
        self.assertTrue(any(k.startswith('wl-shift.elf:') and v[0] == 5 for k, v in f.items()))
        self.assertFalse(any(k.startswith('wl-seq.elf:') for k in f))

    def test_whole_boot_is_the_exit_snapshot(self):
        groups = prof.groups_of(self.profile()['functions'])
        self.assertEqual(groups['kernel'], 500 * 3)
        self.assertEqual(groups['pager/vm'], 25 * 2)

    def test_snapshot_cut_short_is_dropped(self):
        cut = os.path.join(self.tmp.name, 'cut.txt')
        with open(self.counts) as f:
            text = f.read()
        with open(cut, 'w') as f:
            f.write(text[:text.index('snap mark 2')] + 'snap mark 2\n0 110\n')
        r = run('--counts', cut, '--mark', 'wl-shift.elf:main', check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('the marker ran 1 times', r.stderr)

    def test_diff(self):
        a = os.path.join(self.tmp.name, 'a.json')
        b = os.path.join(self.tmp.name, 'b.json')
        run('--counts', self.counts, '--mark', 'wl-shift.elf:main', '--save', a)
        run('--counts', self.counts, '--save', b)
        out = run('--diff', a, b).stdout
        line = next(l for l in out.splitlines() if l.startswith('kernel '))
        self.assertEqual(line.split()[1:], ['300', '1,500', '+1,200'])

    def test_bad_arguments(self):
        for args, said in [(['--skip', '2', 'init.run=bench'], '--skip and --take choose'),
                           (['--take', '0', '--mark', 'x:y', 'a=b'], '--take and --top 1 or more'),
                           (['--workload', 'shift', 'init.run=bench'], 'sets init.run itself'),
                           (['init.run'], "'init.run' is not a boot argument"),
                           (['--linux'], '--linux profiles a workload'),
                           (['--linux', '--workload', 'touch', 'pages=9'], 'no boot arguments'),
                           ([], 'nothing to boot'),
                           (['--diff', 'a.json'], 'expected 2 arguments'),
                           (['--diff', self.counts, self.counts], 'a file written by --save')]:
            r = run(*args, check=False)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn(said, r.stderr, args)

    def test_linux_kernel_is_one_group(self):
        # Under --linux a block in no ELF file at a kernel address is
        # Linux's kernel; a user one stays 'other'; otherwise both 'other'.
        fx = Fixture()
        kernel = fx.raw(0xffffffff80001000, 3, b'\x13\x00\x00\x00' * 3)
        user = fx.raw(0x3fff000, 2, b'\x13\x00\x00\x00' * 2)
        blocks, _ = prof.read_counts(self.counts)
        for line in fx.lines[-2:]:
            w = line.split()
            blocks[int(w[1], 16)] = tuple(int(x, 16) for x in w[2:6]) + (bytes.fromhex(w[6]),)
        after = {kernel[0]: 10, user[0]: 1}
        images = list(fx.images.values())
        linux = prof.groups_of(prof.profile(blocks, {}, after, images, BUILD, linux=True))
        self.assertEqual(linux, {'linux kernel': 30, 'other': 2})
        ours = prof.groups_of(prof.profile(blocks, {}, after, images, BUILD))
        self.assertEqual(ours, {'other': 32})

    def test_bad_marker(self):
        images = list(self.fx.images.values())
        with self.assertRaisesRegex(prof.ProfileError, 'ELF one of'):
            prof.marker(images, 'nosuch.elf:main')
        with self.assertRaisesRegex(prof.ProfileError, 'has no function'):
            prof.marker(images, 'kernel.elf:no_such_function')


if __name__ == '__main__':
    unittest.main()
