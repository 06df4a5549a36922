/*
 * Host tests for reclaim's freeing of frames (pager/reclaim/free.c) over
 * fakes of what it calls, defined here: the unlocked pages' walk, the
 * policy's victims and the swap engine. Direct reclaim writes a batch at
 * once, the lock held; but not while the swap device rides out an outage
 * (an NBD server restarting): that write would hold every pager thread
 * until the outage ends; nor while the swap-out thread's write is
 * overdue (a device that stopped answering); nor again after a failed
 * batch once an outage has begun. A failed batch is followed by another (up to 16) while its
 * failure may pass, and after one whose every page the device failed
 * again alone only until the engine holds writes back; while it does,
 * no victim is chosen to write.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/threads.h"
#include "reclaim/free.h"
#include "reclaim/victims.h"
#include "swap/swap.h"
#include "vm/vm.h"

/* --- the world free.c sees --- */

static int stalled;		/* the device rides out an outage */
static enum swap_overdue overdue;	/* how the swap-out thread's write stands */
static int held;		/* the engine holds writes back (swap_out_failing) */
static unsigned hold_after;	/* it does once this many batches are written (0: never) */
static unsigned chosen;		/* victims_choose calls */
static size_t written;		/* pages given to swap_out_now */
static struct pager_thread me = { .name = "service" };

size_t vm_discard_some(size_t want, size_t looks) { (void)want, (void)looks; return 0; }
int swap_on(void) { return 1; }
int swap_has_room(int direct) { (void)direct; return 1; }
int swap_out_stalled(void) { return stalled; }
enum swap_overdue swap_out_overdue(void) { return overdue; }
int swap_out_failing(void) { return held; }
uint32_t swap_out_room(void) { return 64; }
int swap_out_queue(uint64_t pa) { (void)pa; return 0; }
void victims_put_back(uint64_t pa) { (void)pa; }
struct pager_thread *pager_holder(void) { return &me; }
/* Nothing of me's left in flight (the engine's own test has one). */
int swap_out_left_collect(struct pager_thread *t) { (void)t; return 1; }

size_t victims_choose(uint64_t *pa, size_t max, uint32_t looks)
{
	(void)looks;
	chosen++;
	for (size_t k = 0; k < max; k++)
		pa[k] = 0x80000000ull + k * 4096;
	return max;
}

static int fail_stalls;		/* a failed batch, and the device then stalls */
static enum swap_out_failure fails;	/* every batch fails so, freeing nothing */
static unsigned failing_first;	/* the first batches fail wholly (a bad patch) */
static unsigned batches;	/* swap_out_now calls */

size_t swap_out_now(const uint64_t *pa, size_t n, enum swap_out_failure *failed)
{
	(void)pa;
	batches++;
	held = held || batches == hold_after;
	if (batches <= failing_first) {
		*failed = SWAP_OUT_FAILING;
		return 0;
	}
	*failed = fail_stalls ? SWAP_OUT_PASSING : fails;
	if (fail_stalls) {
		stalled = 1;	/* its writes failed as the outage began */
		return 0;
	}
	if (fails != SWAP_OUT_OK)
		return 0;
	written += n;
	return n;
}

static int setup(void **state)
{
	(void)state;
	stalled = 0;
	overdue = SWAP_WRITE_TIMELY;
	held = 0;
	hold_after = 0;
	fail_stalls = 0;
	fails = SWAP_OUT_OK;
	failing_first = 0;
	batches = 0;
	chosen = 0;
	written = 0;
	return 0;
}

/* A fault's direct reclaim writes a whole batch at once. */
static void direct_writes_a_batch(void **state)
{
	(void)state;
	assert_int_equal(reclaim_for_fault(1), SWAP_OUT_BATCH);
	assert_int_equal(written, SWAP_OUT_BATCH);
}

/* In the device's outage it chooses no victim and writes nothing: no
 * progress, so the fault goes to wait for the outage's end
 * (reclaim_out_of_memory), the lock let go. */
static void direct_writes_nothing_in_outage(void **state)
{
	(void)state;
	stalled = 1;
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(chosen, 0);
	assert_int_equal(written, 0);
}

/* With the swap-out thread's write overdue (a device that stopped
 * answering, its outage or end not yet come), direct reclaim chooses no
 * victim and writes nothing: its write, the lock held, would hold every
 * pager thread until the device's bound (the disk's 60 s, netd's 20 s).
 * Before, it wrote. */
static void direct_writes_nothing_with_write(enum swap_overdue how)
{
	overdue = how;
	assert_int_equal(reclaim_pages(SWAP_OUT_BATCH, RECLAIM_DIRECT), 0);
	assert_int_equal(chosen, 0);
	assert_int_equal(written, 0);
	assert_int_equal(batches, 0);
}

static void direct_writes_nothing_while_overdue(void **state)
{
	(void)state;
	direct_writes_nothing_with_write(SWAP_WRITE_OVERDUE);
}

/* Nor once the write is abandoned (out past every bound of its device's:
 * netd alive but stuck): the waits for it count again, but a direct write
 * would meet the same stuck device and hold the lock for good. */
static void direct_writes_nothing_once_abandoned(void **state)
{
	(void)state;
	direct_writes_nothing_with_write(SWAP_WRITE_ABANDONED);
}

/* Background reclaim queues for the swap-out thread as before: the queue
 * waits with the writer, holding no thread. */
static void background_queues_in_outage(void **state)
{
	(void)state;
	stalled = 1;
	assert_int_equal(reclaim_pages(8, RECLAIM_BACKGROUND), 8);
	assert_int_equal(written, 0);
}

/* A batch that failed is written again (free.c's FAILED_BATCHES_MAX), but
 * not once the device has begun an outage: the next write, the lock held,
 * would hold every pager thread until it ends. */
static void failed_batch_not_again_in_outage(void **state)
{
	(void)state;
	fail_stalls = 1;
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(chosen, 1);
}

/* Batches that fail in a way that may pass (bad slots retired while the
 * device wrote others, writes never sent) are followed by others, 16 in
 * all (Linux's MAX_RECLAIM_RETRIES). */
static void passing_failures_tried_again(void **state)
{
	(void)state;
	fails = SWAP_OUT_PASSING;
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(batches, 16);
}

/* Batches the device failed wholly are followed by others only until the
 * engine holds writes back (it judges the device to fail whatever it is
 * given: swap_out_failing), not 16 (each would retire its 32 slots for
 * good, the lock held). */
static void failing_device_until_held(void **state)
{
	(void)state;
	fails = SWAP_OUT_FAILING;
	hold_after = 2;
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(batches, 2);
}

/* While the engine holds writes back, neither a fault's reclaim nor the
 * background's takes a victim: the swap-out thread would only hand it
 * back, and kswapd choose it again without end. */
static void nothing_chosen_while_held(void **state)
{
	(void)state;
	held = 1;
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(reclaim_pages(8, RECLAIM_BACKGROUND), 0);
	assert_int_equal(chosen, 0);
	assert_int_equal(batches, 0);
}

/* One batch wholly failed is a bad patch as likely as a failing device:
 * its slots were one run, retired now, and the next batch, on others, is
 * written. Before, the fault freed nothing and went on to the OOM killer
 * with swap's good slots free. */
static void bad_patch_then_written(void **state)
{
	(void)state;
	failing_first = 1;
	assert_int_equal(reclaim_for_fault(1), SWAP_OUT_BATCH);
	assert_int_equal(batches, 2);
	assert_int_equal(written, SWAP_OUT_BATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(direct_writes_a_batch, setup),
		cmocka_unit_test_setup(direct_writes_nothing_in_outage, setup),
		cmocka_unit_test_setup(direct_writes_nothing_while_overdue, setup),
		cmocka_unit_test_setup(direct_writes_nothing_once_abandoned, setup),
		cmocka_unit_test_setup(background_queues_in_outage, setup),
		cmocka_unit_test_setup(failed_batch_not_again_in_outage, setup),
		cmocka_unit_test_setup(passing_failures_tried_again, setup),
		cmocka_unit_test_setup(failing_device_until_held, setup),
		cmocka_unit_test_setup(nothing_chosen_while_held, setup),
		cmocka_unit_test_setup(bad_patch_then_written, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
