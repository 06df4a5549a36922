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

/* The calls made, in order: 'u' unmap, 'p' protect, 'm' map, 'h' harvest
 * (its first entry's process and address, and how many entries). */
static struct call {
	char kind;
	int proc;
	uintptr_t va;
	size_t n;
} log_[16];
static int logged;

static void note(char kind, int proc, uintptr_t va, size_t n)
{
	if (logged < 16)
		log_[logged++] = (struct call){ kind, proc, va, n };
}

static void check_call(int i, char kind, int proc, uintptr_t va, size_t n)
{
	assert_true(i < logged);
	assert_int_equal(log_[i].kind, kind);
	assert_int_equal(log_[i].proc, proc);
	assert_int_equal(log_[i].va, va);
	assert_int_equal(log_[i].n, n);
}

int sys_unmap(int proc, uintptr_t va, size_t npages)
{
	note('u', proc, va, npages);
	calls++;
	return answer;
}

int sys_protect(int proc, uintptr_t va, size_t npages, int perm)
{
	(void)perm;
	note('p', proc, va, npages);
	calls++;
	return answer;
}

int sys_copy_maps(int from, int to, uintptr_t va, size_t npages, int perm)
{
	(void)to, (void)perm;
	note('c', from, va, npages);
	calls++;
	return answer;
}

int sys_map(int proc, const struct map_entry *entries, size_t n)
{
	note('m', proc, entries[0].va, n);
	mapped += (int)n;
	return answer;
}

/* The last harvest's entries (held unmaps go as one); harvest_answer
 * refuses the call when negative. */
static struct harvest_entry harvested[HARVEST_IN_PLACE];
static int harvest_answer;

int sys_harvest(struct harvest_entry *entries, size_t n)
{
	note('h', (int)entries[0].proc, entries[0].va, n);
	for (size_t k = 0; k < n && k < HARVEST_IN_PLACE; k++)
		harvested[k] = entries[k];
	return harvest_answer < 0 ? harvest_answer : (int)n;
}

/* Entry k of the last harvest: an unmap of pages pages of proc at va. */
static void check_harvested(size_t k, int proc, uintptr_t va, uint32_t pages)
{
	assert_int_equal(harvested[k].proc, proc);
	assert_int_equal(harvested[k].va, va);
	assert_int_equal(harvested[k].bits,
			 HARVEST_UNMAP | (pages - 1) << HARVEST_RUN_SHIFT);
}

static int setup(void **state)
{
	(void)state;
	answer = harvest_answer = 0;
	calls = mapped = logged = 0;
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

/* A copy of one space's tables into another sends every map held first,
 * of either space or any other (the copy reads from's tables as they are),
 * then one call for the range; an ended process is no failure, another
 * refusal is; a forgotten space makes no call. */
static void test_copy_range(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	assert_int_equal(ops->map(ops->ctx, 5, 0x10000, 0x80000000, MAP_R), 0);
	assert_int_equal(ops->map(ops->ctx, 9, 0x20000, 0x80001000, MAP_R), 0);
	assert_int_equal(ops->copy_range(ops->ctx, 5, 6, 0x10000, 300, MAP_R), 0);
	assert_int_equal(mapped, 2);
	assert_int_equal(logged, 3);
	check_call(2, 'c', 5, 0x10000, 300);
	answer = -ERR_SRCH;
	assert_int_equal(ops->copy_range(ops->ctx, 5, 6, 0x10000, 1, MAP_R), 0);
	answer = -ERR_NOMEM;
	assert_int_equal(ops->copy_range(ops->ctx, 5, 6, 0x10000, 1, MAP_R), -ERR_NOMEM);
	calls = 0;
	mmu_forget(6);
	assert_int_equal(ops->copy_range(ops->ctx, 5, 6, 0x10000, 1, MAP_R), 0);
	assert_int_equal(calls, 0);
	mmu_forget(-1);
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

/* A space forgotten (its process reaped, its frames about to be freed and
 * its handle closed) loses the maps held for it as well as its unmaps:
 * none goes out later to a closed handle, which could be another
 * process's by then. Other spaces' maps stay, in order. */
static void test_forget_held_maps(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	assert_int_equal(ops->map(ops->ctx, 5, 0x10000, 0x80000000, MAP_R), 0);
	assert_int_equal(ops->map(ops->ctx, 6, 0x20000, 0x80001000, MAP_R), 0);
	assert_int_equal(ops->map(ops->ctx, 5, 0x11000, 0x80002000, MAP_R), 0);
	mmu_forget(5);
	mmu_forget(-1);
	mmu_flush();
	assert_int_equal(logged, 1);
	check_call(0, 'm', 6, 0x20000, 1);
	assert_int_equal(mapped, 1);
}

/* Unmaps held back go out together before any other change and when the
 * hold ends: runs of pages, one harvest entry each, in one harvest, or a
 * lone run as one unmap; a forgotten space's are dropped. */
static void test_held_unmaps(void **state)
{
	const struct mmu_ops *ops = mmu_ops();
	struct map_entry e[4];

	(void)state;
	ops->hold_unmaps(ops->ctx, 1);
	for (uintptr_t va = 0x10000; va < 0x13000; va += 0x1000)
		assert_int_equal(ops->unmap(ops->ctx, 5, va), 0);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x20000), 0);	/* not next: a new run */
	assert_int_equal(ops->unmap(ops->ctx, 6, 0x21000), 0);	/* another space */
	assert_int_equal(calls + logged, 0);
	assert_int_equal(ops->protect(ops->ctx, 6, 0x30000, MAP_R), 0);	/* after them */
	check_call(0, 'h', 5, 0x10000, 3);
	check_harvested(0, 5, 0x10000, 3);
	check_harvested(1, 5, 0x20000, 1);
	check_harvested(2, 6, 0x21000, 1);
	check_call(1, 'p', 6, 0x30000, 1);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x40000), 0);
	assert_int_equal(ops->map(ops->ctx, 5, 0x40000, 0x80000000, MAP_R), 0);
	check_call(2, 'u', 5, 0x40000, 1);	/* before the map is even held */
	assert_int_equal(mmu_take(5, e, 4), 1);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x50000), 0);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x51000), 0);
	ops->hold_unmaps(ops->ctx, 0);
	check_call(3, 'u', 5, 0x50000, 2);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x60000), 0);	/* not held now */
	check_call(4, 'u', 5, 0x60000, 1);
	ops->hold_unmaps(ops->ctx, 1);
	assert_int_equal(ops->unmap(ops->ctx, 8, 0x70000), 0);
	assert_int_equal(ops->unmap(ops->ctx, 9, 0x70000), 0);
	mmu_forget(8);
	ops->hold_unmaps(ops->ctx, 0);
	check_call(5, 'u', 9, 0x70000, 1);	/* 8's was dropped: 9's alone */
	assert_int_equal(logged, 6);
	mmu_forget(-1);
}

/* A held unmap the kernel refuses (the harvest, then the unmap of each
 * run) is said when the hold ends, even if it was sent before (a change
 * sends the unmaps held first): its frame may still be mapped, so its
 * caller must not free it. An ended process's refusal is no failure; the
 * next hold starts clean. */
static void test_held_unmaps_refused(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	ops->hold_unmaps(ops->ctx, 1);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x10000), 0);
	assert_int_equal(ops->unmap(ops->ctx, 6, 0x20000), 0);
	harvest_answer = answer = -ERR_BADF;
	(void)ops->protect(ops->ctx, 7, 0x30000, MAP_R);	/* sends them: refused */
	harvest_answer = answer = 0;
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x40000), 0);
	assert_int_equal(ops->hold_unmaps(ops->ctx, 0), -ERR_BADF);
	check_call(0, 'h', 5, 0x10000, 2);
	check_call(1, 'u', 5, 0x10000, 1);
	check_call(2, 'u', 6, 0x20000, 1);

	ops->hold_unmaps(ops->ctx, 1);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x50000), 0);
	answer = -ERR_SRCH;
	assert_int_equal(ops->hold_unmaps(ops->ctx, 0), 0);	/* ended: done */
	answer = 0;
	ops->hold_unmaps(ops->ctx, 1);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x60000), 0);
	assert_int_equal(ops->hold_unmaps(ops->ctx, 0), 0);
}

/* A run entry takes at most HARVEST_RUN_MAX pages, the next starts a new
 * one; a full batch of entries goes before one more is held; and a
 * harvest refused (a bad entry fails it whole) becomes an unmap a run. */
static void test_held_unmaps_limits(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	ops->hold_unmaps(ops->ctx, 1);
	for (uintptr_t k = 0; k <= HARVEST_RUN_MAX; k++)
		assert_int_equal(ops->unmap(ops->ctx, 5, 0x100000 + k * 0x1000), 0);
	ops->hold_unmaps(ops->ctx, 0);
	check_call(0, 'h', 5, 0x100000, 2);
	check_harvested(0, 5, 0x100000, HARVEST_RUN_MAX);
	check_harvested(1, 5, 0x100000 + HARVEST_RUN_MAX * 0x1000, 1);
	ops->hold_unmaps(ops->ctx, 1);
	for (uintptr_t k = 0; k <= HARVEST_IN_PLACE; k++)
		assert_int_equal(ops->unmap(ops->ctx, 5, 0x200000 + k * 0x2000), 0);
	check_call(1, 'h', 5, 0x200000, HARVEST_IN_PLACE);	/* full: sent */
	harvest_answer = -ERR_BADF;
	assert_int_equal(ops->unmap(ops->ctx, 6, 0x300000), 0);
	ops->hold_unmaps(ops->ctx, 0);
	check_call(2, 'h', 5, 0x200000 + HARVEST_IN_PLACE * 0x2000, 2);
	check_call(3, 'u', 5, 0x200000 + HARVEST_IN_PLACE * 0x2000, 1);
	check_call(4, 'u', 6, 0x300000, 1);
	assert_int_equal(logged, 5);
}

/* A run (map_run) sends the unmaps held first, once, then holds its
 * entries in order, sending the batch whenever it fills; all are mapped.
 * A forgotten space's run is done without a call. */
static void test_map_run(void **state)
{
	const struct mmu_ops *ops = mmu_ops();
	struct map_entry e[MMU_BATCH + 3];
	const size_t n = MMU_BATCH + 3;

	(void)state;
	for (size_t k = 0; k < n; k++)
		e[k] = (struct map_entry){ 0x100000 + k * 0x1000, 0x80000000 + k * 0x1000, MAP_R };
	ops->hold_unmaps(ops->ctx, 1);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x10000), 0);
	assert_int_equal(ops->unmap(ops->ctx, 5, 0x11000), 0);
	assert_int_equal(ops->map_run(ops->ctx, 5, e, n), n);
	check_call(0, 'u', 5, 0x10000, 2);
	check_call(1, 'm', 5, 0x100000, MMU_BATCH);	/* the full batch */
	assert_int_equal(logged, 2);
	mmu_flush();
	check_call(2, 'm', 5, 0x100000 + MMU_BATCH * 0x1000, 3);
	assert_int_equal(mapped, (int)n);
	ops->hold_unmaps(ops->ctx, 0);
	mmu_forget(9);
	assert_int_equal(ops->map_run(ops->ctx, 9, e, 2), 2);
	mmu_flush();
	assert_int_equal(logged, 3);
	mmu_forget(-1);
}

/* A run that fits is held after what is held already, entries whole and in
 * order, with no call, up to exactly a full batch (do_map_run's path with
 * no check for each entry); a run longer than the room left fills the
 * batch, sends it, and holds the rest. mmu_take finds each space's own. */
static void test_map_run_fits(void **state)
{
	const struct mmu_ops *ops = mmu_ops();
	struct map_entry e[MMU_BATCH], out[MMU_BATCH];

	(void)state;
	for (size_t k = 0; k < MMU_BATCH; k++)
		e[k] = (struct map_entry){ 0x200000 + k * 0x1000, 0x90000000 + k * 0x1000,
					   k & 1 ? MAP_R : MAP_R | MAP_W };
	assert_int_equal(ops->map(ops->ctx, 6, 0x10000, 0x80000000, MAP_R), 0);
	assert_int_equal(ops->map_run(ops->ctx, 5, e, 3), 3);
	assert_int_equal(ops->map_run(ops->ctx, 6, e + 3, MMU_BATCH - 4), MMU_BATCH - 4);
	assert_int_equal(logged, 0);			/* exactly full: nothing sent */
	assert_int_equal(mmu_take(5, out, MMU_BATCH), 3);
	for (size_t k = 0; k < 3; k++) {
		assert_int_equal(out[k].va, e[k].va);
		assert_int_equal(out[k].pa, e[k].pa);
		assert_int_equal(out[k].perm, e[k].perm);
	}
	assert_int_equal(mmu_take(6, out, MMU_BATCH), MMU_BATCH - 3);
	assert_int_equal(out[0].va, 0x10000);
	assert_int_equal(out[MMU_BATCH - 4].pa, e[MMU_BATCH - 2].pa);
	assert_int_equal(out[MMU_BATCH - 4].perm, e[MMU_BATCH - 2].perm);
	assert_int_equal(logged, 0);

	assert_int_equal(ops->map_run(ops->ctx, 5, e, MMU_BATCH - 1), MMU_BATCH - 1);
	assert_int_equal(ops->map_run(ops->ctx, 5, e, 2), 2);	/* one too many */
	check_call(0, 'm', 5, 0x200000, MMU_BATCH);	/* filled, then sent */
	assert_int_equal(logged, 1);
	assert_int_equal(mmu_take(5, out, MMU_BATCH), 1);
	assert_int_equal(out[0].va, e[1].va);
	assert_int_equal(mapped, MMU_BATCH);
}

/* mmu_take takes a space's maps in the order they were made, wherever
 * they stand in the batch (those leading it, those after another
 * space's); of more than max, the latest: the rest stay, in order, for
 * the flush that goes before the reply. */
static void test_take_order(void **state)
{
	const struct mmu_ops *ops = mmu_ops();
	static const int as[] = { 5, 5, 6, 5, 6, 5 };
	struct map_entry out[8];

	(void)state;
	for (uintptr_t k = 0; k < 6; k++)
		assert_int_equal(ops->map(ops->ctx, as[k], 0x100000 + k * 0x1000,
					  0x80000000 + k * 0x1000, MAP_R), 0);
	assert_int_equal(mmu_take(5, out, 1), 1);	/* the latest of four */
	assert_int_equal(out[0].va, 0x105000);
	assert_int_equal(mmu_take(5, out, 2), 2);	/* one leading, one after a 6 */
	assert_int_equal(out[0].va, 0x101000);
	assert_int_equal(out[1].va, 0x103000);
	assert_int_equal(out[1].pa, 0x80003000);
	assert_int_equal(mmu_take(6, out, 8), 2);
	assert_int_equal(out[0].va, 0x102000);
	assert_int_equal(out[1].va, 0x104000);
	assert_int_equal(mmu_take(5, out, 8), 1);
	assert_int_equal(out[0].va, 0x100000);
	assert_int_equal(mmu_take(5, out, 8), 0);
	for (uintptr_t k = 0; k < 3; k++)	/* all leading, within max: the fast loop */
		assert_int_equal(ops->map(ops->ctx, 5, 0x100000 + k * 0x1000,
					  0x80000000 + k * 0x1000, MAP_R), 0);
	assert_int_equal(mmu_take(5, out, 8), 3);
	assert_int_equal(out[2].va, 0x102000);
	assert_int_equal(logged, 0);
}

/* A page of the faulting space mapped twice in one hold, with more of its
 * maps held than a fault reply carries: fault.c's resume flushes those
 * left (SYS_MAP) before the reply's are put in, so the reply must carry
 * the later map, else the kernel ends with the earlier one (here: read
 * only where the VM core made it writable; a frame the VM core may free,
 * were it another). host-mmu-rand met it. */
static void test_take_leaves_earliest(void **state)
{
	const struct mmu_ops *ops = mmu_ops();
	struct map_entry out[4];
	uint64_t final_perm = 0;
	size_t n;

	(void)state;
	assert_int_equal(ops->map(ops->ctx, 5, 0x100000, 0x80000000, MAP_R), 0);
	for (uintptr_t k = 1; k < 4; k++)
		assert_int_equal(ops->map(ops->ctx, 5, 0x100000 + k * 0x1000,
					  0x80000000 + k * 0x1000, MAP_R), 0);
	assert_int_equal(ops->map(ops->ctx, 5, 0x100000, 0x80000000, MAP_R | MAP_W), 0);
	n = mmu_take(5, out, 4);
	assert_int_equal(n, 4);
	mmu_flush();		/* fault.c's resume, then the reply */
	assert_int_equal(logged, 1);
	check_call(0, 'm', 5, 0x100000, 1);
	final_perm = MAP_R;	/* the flushed map, unless the reply maps the page again */
	for (size_t k = 0; k < n; k++)
		if (out[k].va == 0x100000)
			final_perm = out[k].perm;
	assert_int_equal(final_perm, MAP_R | MAP_W);
}

/* Single maps fill the batch; the map after a full batch sends it first
 * (do_map's path out of line) and is held itself, in order. */
static void test_map_full_batch(void **state)
{
	const struct mmu_ops *ops = mmu_ops();

	(void)state;
	for (uintptr_t k = 0; k <= MMU_BATCH; k++)
		assert_int_equal(ops->map(ops->ctx, 5, 0x100000 + k * 0x1000,
					  0x80000000 + k * 0x1000, MAP_R), 0);
	assert_int_equal(logged, 1);
	check_call(0, 'm', 5, 0x100000, MMU_BATCH);
	mmu_flush();
	check_call(1, 'm', 5, 0x100000 + MMU_BATCH * 0x1000, 1);
	assert_int_equal(mapped, MMU_BATCH + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ended_process, setup),
		cmocka_unit_test_setup(test_other_errors, setup),
		cmocka_unit_test_setup(test_forgotten, setup),
		cmocka_unit_test_setup(test_held_unmaps_refused, setup),
		cmocka_unit_test_setup(test_copy_range, setup),
		cmocka_unit_test_setup(test_forget_held_maps, setup),
		cmocka_unit_test_setup(test_held_unmaps, setup),
		cmocka_unit_test_setup(test_held_unmaps_limits, setup),
		cmocka_unit_test_setup(test_map_run, setup),
		cmocka_unit_test_setup(test_map_run_fits, setup),
		cmocka_unit_test_setup(test_take_order, setup),
		cmocka_unit_test_setup(test_take_leaves_earliest, setup),
		cmocka_unit_test_setup(test_map_full_batch, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
