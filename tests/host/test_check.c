/*
 * Host tests for pager/server/check.c, pager.check's walks of the VM core
 * around requests, over a faked walker (vm_check, counting its calls) and
 * a faked count of the pager lock's takes: a walk before a request is
 * skipped only when the hold before it ended with a walk after its
 * request, for a walk before one proves nothing about what its hold did
 * next. And check_reply_applied, the look at the page tables as another
 * thread takes the lock (pager.check=2): a fault reply's mappings that the
 * VM core still has must be in the kernel's tables, unless the process has
 * ended; over fakes of the VM core's mappings, the process table, the
 * kernel's tables (SYS_HARVEST) and power-off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "base/config.h"
#include "base/threads.h"
#include "server/check.h"
#include "server/procs.h"
#include "vm/vm.h"
#include "sys.h"

struct pager_config config = { .check = 2 };

static uint64_t takes;	/* the lock's count of takes, as the test sets it */
static int walks;	/* vm_check's calls */

uint64_t pager_lock_takes(void)
{
	return takes;
}

int vm_check(void)
{
	walks++;
	return 0;
}

const char *vm_check_error(void)
{
	return "";
}

/* The process a reply is for: pid 7, handle 5; its space, and the pages
 * the VM core maps in it, and those the kernel has (pa by page of
 * 0x10000 + 0x1000 * i, 0: none). */
#define PAGES 32
static struct pproc proc7 = { .pid = 7, .handle = 5, .vm = (struct vm_space *)&proc7 };
static uint64_t vm_has[PAGES], kernel_has[PAGES];
static int runs = 1, harvest_refused, harvests, asked;
static jmp_buf stopped;

static int page(uint64_t va)
{
	assert_true(va >= 0x10000 && va < 0x10000 + PAGES * 0x1000);
	return (int)((va - 0x10000) / 0x1000);
}

int vm_mapped_at(const struct vm_space *s, uint64_t va, uint64_t pa)
{
	assert_ptr_equal(s, proc7.vm);
	return vm_has[page(va)] == pa;
}

struct pproc *procs_by_pid(uint32_t pid)
{
	return pid == 7 ? &proc7 : NULL;
}

int sys_proc_info(int proc, struct proc_info *info)
{
	assert_int_equal(proc, 5);
	*info = (struct proc_info){ .pid = 7, .threads = (uint32_t)runs };
	return 0;
}

/* Reads only: every entry names handle 5, clears nothing. */
int sys_harvest(struct harvest_entry *e, size_t n)
{
	harvests++;
	if (harvest_refused)
		return -ERR_NOMEM;
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(e[k].proc, 5);
		assert_int_equal(e[k].bits, 0);
		e[k].bits = kernel_has[page(e[k].va)] ? HARVEST_PRESENT : 0;
		asked++;
	}
	return (int)n;
}

_Noreturn void sys_poweroff(int status)
{
	assert_int_equal(status, CHECK_FAIL_STATUS);
	longjmp(stopped, 1);
}

static const struct msg in;

/* Walk as serve_one does at pager.check=2, the lock taken at take t. */
static void walk_at(uint64_t t, enum check_when when)
{
	takes = t;
	check_walk(when, NULL, &in);
}

static int setup(void **state)
{
	(void)state;
	walks = 0;
	/* A take far from any the tests use, so none starts as the next. */
	walk_at(1000, CHECK_AFTER);
	walks = 0;
	return 0;
}

/* A walk before a request, at take 10, then the next take's walk before
 * its request: the hold at 10 may have changed the VM core after its walk
 * (direct reclaim, or a fault that began a swap-in and let the lock go),
 * so the second walk is made. */
static void test_before_then_before(void **state)
{
	(void)state;
	walk_at(10, CHECK_BEFORE);
	walk_at(11, CHECK_BEFORE);
	assert_int_equal(walks, 2);
}

/* A walk after a request ends its hold's changes: the very next take's
 * walk before its request has nothing new to see and is skipped; a later
 * take's (another thread held the lock in between) is not. */
static void test_after_then_before(void **state)
{
	(void)state;
	walk_at(20, CHECK_BEFORE);
	walk_at(20, CHECK_AFTER);
	walk_at(21, CHECK_BEFORE);
	assert_int_equal(walks, 2);
	walk_at(21, CHECK_AFTER);
	walk_at(23, CHECK_BEFORE);
	assert_int_equal(walks, 4);
}

/* A request that let the lock go in the middle is walked after at the
 * take it ended in (32): the take after that one skips its walk. */
static void test_after_a_let_go(void **state)
{
	(void)state;
	walk_at(30, CHECK_BEFORE);
	walk_at(32, CHECK_AFTER);	/* let go at 30, taken again at 32 */
	walk_at(33, CHECK_BEFORE);
	assert_int_equal(walks, 2);
}

/* A reply mapping pages first..first+n-1 (one: FAULT_RESUME_ONE). */
static struct msg reply_for(int first, int n)
{
	struct msg out = { .label = n == 1 ? FAULT_RESUME_ONE : FAULT_RESUME, .handle = -1 };
	struct map_entry *e = (struct map_entry *)(void *)out.data;

	if (n == 1) {
		out.w[0] = 0x10000 + 0x1000 * (uint64_t)first;
		out.w[1] = vm_has[first];
		out.w[2] = MAP_R;
		return out;
	}
	for (int i = 0; i < n; i++)
		e[i] = (struct map_entry){ 0x10000 + 0x1000 * (uint64_t)(first + i),
					   vm_has[first + i], MAP_R };
	out.len = (uint32_t)(n * sizeof(*e));
	return out;
}

/* Whether check_reply_applied stopped the machine for out, pid. */
static int stops(const struct msg *out, uint32_t pid)
{
	if (setjmp(stopped))
		return 1;
	check_reply_applied(out, pid, "service1");
	return 0;
}

static int reply_setup(void **state)
{
	(void)state;
	for (int i = 0; i < PAGES; i++)
		vm_has[i] = kernel_has[i] = 0x80000000UL + 0x1000 * (uint64_t)i;
	runs = 1;
	harvest_refused = harvests = asked = 0;
	return 0;
}

/* Every page the reply mapped is in the kernel's tables: nothing said;
 * one entry or a full reply's, each asked once. */
static void test_reply_applied(void **state)
{
	struct msg one = reply_for(3, 1), full = reply_for(0, MSG_DATA_MAX / sizeof(struct map_entry));

	(void)state;
	assert_false(stops(&one, 7));
	assert_int_equal(asked, 1);
	assert_false(stops(&full, 7));
	assert_int_equal(asked, 1 + MSG_DATA_MAX / sizeof(struct map_entry));
}

/* A page of the reply missing from the kernel's tables while the process
 * runs: the reply reached the kernel after the lock was let go, the
 * machine stops; once the process has ended, no news. */
static void test_reply_missing(void **state)
{
	struct msg out = reply_for(4, 3);

	(void)state;
	kernel_has[5] = 0;
	assert_true(stops(&out, 7));
	runs = 0;
	assert_false(stops(&out, 7));
}

/* A page the VM core has since unmapped or mapped to another frame (the
 * lock's holders between) is not asked for; nor is anything of a reply
 * that maps nothing, of a thread with no fault reply (pid 0), of a
 * process not known any more. */
static void test_reply_not_asked(void **state)
{
	struct msg out = reply_for(4, 3), kill = { .label = FAULT_KILL, .len = 5 };

	(void)state;
	kernel_has[5] = 0;
	vm_has[5] = 0x90000000UL;	/* another frame now */
	kernel_has[6] = 0;
	vm_has[6] = 0;			/* unmapped */
	assert_false(stops(&out, 7));
	assert_int_equal(asked, 1);
	vm_has[4] = 0;			/* none left: no call */
	assert_false(stops(&out, 7));
	assert_false(stops(&kill, 7));
	assert_false(stops(&out, 0));
	assert_false(stops(&out, 8));
	assert_int_equal(harvests, 1);
}

/* The kernel's tables cannot be read: the check cannot be made, said, and
 * the machine stops rather than pass unchecked. */
static void test_reply_unreadable(void **state)
{
	struct msg out = reply_for(0, 2);

	(void)state;
	harvest_refused = 1;
	assert_true(stops(&out, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_before_then_before, setup),
		cmocka_unit_test_setup(test_after_then_before, setup),
		cmocka_unit_test_setup(test_after_a_let_go, setup),
		cmocka_unit_test_setup(test_reply_applied, reply_setup),
		cmocka_unit_test_setup(test_reply_missing, reply_setup),
		cmocka_unit_test_setup(test_reply_not_asked, reply_setup),
		cmocka_unit_test_setup(test_reply_unreadable, reply_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
