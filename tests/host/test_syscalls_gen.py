#!/usr/bin/env python3
"""Host test of scripts/syscalls.py, the generator of the system-call numbers,
table and wrappers: the real list goes through every mode, and each kind of
bad line stops it with an error naming the file and the line."""
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(TOP, 'scripts', 'syscalls.py')
LIST = os.path.join(TOP, 'kernel', 'abi', 'syscalls.list')
GOOD = '3 | getpid | any | int | void | -> pid\n'


def run(mode, list_path):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, 'out')
        p = subprocess.run([sys.executable, GEN, mode, list_path, out],
                           capture_output=True, text=True)
        text = open(out).read() if p.returncode == 0 else ''
    return p.returncode, text, p.stderr


class RealList(unittest.TestCase):
    def generated(self, mode):
        rc, text, err = run(mode, LIST)
        self.assertEqual(rc, 0, err)
        return text

    def test_numbers(self):
        rc, text, err = run('numbers', LIST)
        self.assertEqual(rc, 0, err)
        self.assertIn('SYS_GETPID = 3,', text)
        self.assertIn('SYS_KERNEL_INFO = 50,', text)
        self.assertIn('SYS_COUNT = 54', text)

    def test_table_says_who(self):
        rc, text, err = run('table', LIST)
        self.assertEqual(rc, 0, err)
        self.assertIn('[SYS_GETPID] = { sys_getpid, SYSCALL_ANY },', text)
        self.assertIn('[SYS_MAP] = { sys_map, SYSCALL_ROOT },', text)

    def test_hand_written_are_declared_not_defined(self):
        rc, header, err = run('user-header', LIST)
        self.assertEqual(rc, 0, err)
        self.assertIn('_Noreturn void sys_exit(int status);', header)
        rc, source, err = run('user-source', LIST)
        self.assertEqual(rc, 0, err)
        self.assertNotIn('sys_exit(', source)
        self.assertIn('int sys_send(int ep, const struct msg *m)\n{\n'
                      '\treturn (int)sys_ecall(SYS_SEND, (long)ep, (long)m, 0, 0, 0, 0);', source)

    def test_none_has_no_wrapper(self):
        self.assertIn('SYS_CALL_REGS = 16,', self.generated('numbers'))
        header = self.generated('user-header')
        self.assertIn('SYS_CALL_REGS: ', header)
        self.assertNotIn('sys_call_regs(', header)
        self.assertIn('int sys_call(int ep, struct msg *m);', header)
        self.assertNotIn('SYS_CALL_REGS', self.generated('user-source'))


class BadLines(unittest.TestCase):
    def check(self, body, message, line=2):
        with tempfile.NamedTemporaryFile('w', suffix='.list', delete=False) as f:
            f.write(GOOD + body)
        try:
            rc, _, err = run('numbers', f.name)
        finally:
            os.unlink(f.name)
        self.assertNotEqual(rc, 0)
        self.assertIn(f'{f.name}:{line}: ', err)
        self.assertIn(message, err)

    def test_too_few_fields(self):
        self.check('4 | clock | any | int64_t | void\n', '5 fields: a call has 6')

    def test_bad_number(self):
        self.check('x4 | clock | any | int64_t | void | now\n', "number 'x4' is not a whole number")

    def test_number_too_big(self):
        self.check('300 | clock | any | int64_t | void | now\n', 'above 255')

    def test_number_twice(self):
        self.check('3 | clock | any | int64_t | void | now\n', "number 3 is already 'getpid' (line 1)")

    def test_name_twice(self):
        self.check('4 | getpid | any | int | void | again\n', "'getpid' is already declared on line 1")

    def test_bad_name(self):
        self.check('4 | get-pid | any | int | void | now\n', "name 'get-pid' is not a C identifier")

    def test_bad_who(self):
        self.check('4 | clock | pager | int64_t | void | now\n', "who 'pager' is not one of any, root")

    def test_argument_without_type(self):
        self.check('4 | clock | any | int64_t | h | now\n', "argument 'h' is not 'type name'")

    def test_too_many_arguments(self):
        self.check('4 | clock | any | int | int a, int b, int c, int d, int e, int f, int g | x\n',
                   '7 arguments: a call takes at most 6')

    def test_argument_twice(self):
        self.check('4 | clock | any | int | int a, long a | x\n', "argument name 'a' is used twice")

    def test_noreturn_needs_hand(self):
        self.check('4 | quit | any | noreturn | int s | x\n', "its wrapper must be by hand")

    def test_none_cannot_be_by_hand(self):
        self.check('16 | call_regs! | any | none | int ep | x\n', "it cannot be by hand")

    def test_empty_arguments(self):
        self.check('4 | clock | any | int64_t |  | now\n', "write 'void' for none")

    def test_comment_lines_do_not_count_but_keep_numbering(self):
        self.check('# a comment\n\n4 | clock | any\n', '3 fields', line=4)


if __name__ == '__main__':
    unittest.main(verbosity=1)
