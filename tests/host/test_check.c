/*
 * Host tests for pager/server/check.c, pager.check's walks of the VM core
 * around requests, over a faked walker (vm_check, counting its calls) and
 * a faked count of the pager lock's takes: a walk before a request is
 * skipped only when the hold before it ended with a walk after its
 * request, for a walk before one proves nothing about what its hold did
 * next.
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

/* Never reached here: no walk fails, and no reply is looked at. */
int vm_mapped_at(const struct vm_space *s, uint64_t va, uint64_t pa)
{
	(void)s, (void)va, (void)pa;
	fail();
	return 0;
}

struct pproc *procs_by_pid(uint32_t pid)
{
	(void)pid;
	fail();
	return NULL;
}

int sys_proc_info(int proc, struct proc_info *info)
{
	(void)proc, (void)info;
	fail();
	return -1;
}

int sys_harvest(struct harvest_entry *entries, size_t n)
{
	(void)entries, (void)n;
	fail();
	return -1;
}

_Noreturn void sys_poweroff(int status)
{
	(void)status;
	fail();
	abort();
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_before_then_before, setup),
		cmocka_unit_test_setup(test_after_then_before, setup),
		cmocka_unit_test_setup(test_after_a_let_go, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
