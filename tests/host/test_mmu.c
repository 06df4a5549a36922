/*
 * Host tests for pager/base/mmu.c, the VM core's address-space changes as
 * system calls (faked here): a change to a process that has ended but is
 * not reaped yet has nothing left to change and must succeed, while any
 * other refusal still fails the change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/mmu.h"
#include "sys.h"

static int answer;	/* what the fake kernel says to unmap and protect */
static int calls, mapped;

int sys_unmap(int proc, uintptr_t va, size_t npages)
{
	(void)proc, (void)va, (void)npages;
	calls++;
	return answer;
}

int sys_protect(int proc, uintptr_t va, size_t npages, int perm)
{
	(void)proc, (void)va, (void)npages, (void)perm;
	calls++;
	return answer;
}

int sys_map(int proc, const struct map_entry *entries, size_t n)
{
	(void)proc, (void)entries;
	mapped += (int)n;
	return answer;
}

/* The accessed-bit harvest (mmu_harvest) is not tested here. */
int sys_harvest(struct harvest_entry *entries, size_t n)
{
	(void)entries, (void)n;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	answer = 0;
	calls = mapped = 0;
	mmu_forget(-1);
	return 0;
}

/* The process was killed while the pager worked on its fault: the kernel
 * answers -ERR_SRCH, and the fault must not fail as out of memory. */
static void test_ended_process(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	answer = -ERR_SRCH;
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x10000), 0);
	assert_int_equal(ops->protect(ops->ctx, 5, 0x10000, MAP_R), 0);
	assert_int_equal(calls, 2);
	assert_int_equal(ops->map(ops->ctx, 5, 0x10000, 0x80000000, MAP_R), 0);
	mmu_flush();
	assert_int_equal(mapped, 1);
}

/* Any other refusal is a real failure. */
static void test_other_errors(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	answer = -ERR_INVAL;
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x10000), -ERR_INVAL);
	assert_int_equal(ops->protect(ops->ctx, 5, 0x10000, MAP_R), -ERR_INVAL);
	answer = -ERR_NOMEM;
	assert_int_equal(ops->protect(ops->ctx, 5, 0x10000, MAP_R), -ERR_NOMEM);
}

/* A space being destroyed makes no system call at all. */
static void test_forgotten(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	mmu_forget(7);
	assert_int_equal(ops->unmap(ops->ctx, 7, 0x10000), 0);
	assert_int_equal(calls, 0);
	mmu_forget(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ended_process, setup),
		cmocka_unit_test_setup(test_other_errors, setup),
		cmocka_unit_test_setup(test_forgotten, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
