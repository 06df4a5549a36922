/*
 * The background reclaim thread (kswapd.h). It never floods the swap-out
 * queue: it queues what the stop mark still needs, at most a few batches
 * ahead of the disk, then waits for the swap-out thread's next batch. A
 * round that finds nothing waits for the next request, so that the
 * program has run before pages are looked at again.
 */
#include "base/clock.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/free.h"
#include "reclaim/kswapd.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "sys.h"

/* The most waits kswapd_throttle_rounds gives, whatever the marks: a
 * writer that never answers then holds a request as long as the device
 * lets one write go unanswered before it is called stopped
 * (swap_write_bound_ns; a device with no bound: none): the disk's 60 s,
 * after which its writes fail and none is left in flight to wait for
 * (met only where the marks ask for more than 6,400 frames free, seed's
 * percentages on a large memory; Linux's rule gets there at about
 * 39 GiB), or netd's 20 s (and a tick), after which it drops the
 * connection and rides out an outage for swap.nbd_outage (120 s by
 * default) with the writes in flight: the rounds do not run out then
 * (kswapd_throttle_again), and the outage's budget is the bound instead
 * (met over 2,144 frames, about 4.3 GiB by Linux's rule). */
static uint64_t throttle_rounds_max(void)
{
	int64_t bound = swap_write_bound_ns();

	return bound > 0 ? (uint64_t)(bound / RECLAIM_WAIT_NS) : UINT64_MAX;
}

static struct pager_thread kswapd;
static int kswapd_busy;
static uint32_t throttle_waiters;	/* bit id: that thread waits for the writer */
static int drain;	/* the last round found nothing to queue: write what waits */

static void kswapd_run(struct pager_thread *t)
{
	for (;;) {
		uint64_t want = watermarks_shortfall();
		enum reclaim_how how = watermarks_patient() ? RECLAIM_PATIENT : RECLAIM_BACKGROUND;
		if (want == 0 && frames_free() + swap_out_pending() >= marks.stop)
			return;
		drain = 0;
		if (want > 0 && reclaim_pages(want, how) == 0) {
			if (swap_out_pending() == 0)
				return;	/* nothing to take: wait for the next request */
			drain = 1;	/* no more victims to fill a write with */
		}
		swap_out_kick();
		/* Let the disk catch up: the writer wakes us after each batch. */
		pager_unlock(t);
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
	}
}

static void kswapd_main(struct pager_thread *t)
{
	int was;

	for (;;) {
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
		was = pager_memalloc_begin();	/* all it does is free memory */
		kswapd_busy = 1;
		kswapd_run(t);
		kswapd_busy = 0;
		pager_memalloc_end(was);
		pager_unlock(t);
	}
}

unsigned kswapd_throttle_rounds(void)
{
	uint64_t gap = marks.min, least = frames_reserve() + FREE_FLOOR, rounds, most;

	if (gap < least)
		gap = least;
	rounds = (gap + SWAP_OUT_BATCH - 1) / SWAP_OUT_BATCH;
	most = throttle_rounds_max();
	return rounds < most ? (unsigned)rounds : (unsigned)most;
}

int kswapd_start(void)
{
	return pager_thread_start(&kswapd, "kswapd", IO_NONE, kswapd_main);
}

void kswapd_wake(void)
{
	if (kswapd_busy)
		return;
	vmstat_count(VMSTAT_KSWAPD_WAKEUPS);
	kswapd_busy = 1;
	pager_thread_signal(&kswapd, TB_WORK);
}

void kswapd_throttle(struct pager_thread *t, enum throttle how)
{
	if (how == THROTTLE_OUTAGE)	/* a wait made, not one asked about */
		vmstat_count(VMSTAT_OUTAGE_WAITS);
	else if (how == THROTTLE_OVERDUE)
		vmstat_count(VMSTAT_OVERDUE_WAITS);
	throttle_waiters |= 1u << t->id;
	kswapd_wake();
	swap_out_kick();	/* a request waits: victims held back go now */
	/* Bounded: a writer that never finishes (a device that takes writes
	 * and never answers) must not hold the request for ever. With no
	 * timer, no wait: the request goes on as if the bound had passed. */
	pager_thread_wait_until(t, pager_clock() + RECLAIM_WAIT_NS);
	/* Woken otherwise than by kswapd_batch_written (which clears the
	 * mask), its bit would keep large writes off (kswapd_writes_may_wait). */
	throttle_waiters &= ~(1u << t->id);
}

/* Whether a request waits for the device, uncounted, and why
 * (THROTTLE_OUTAGE, THROTTLE_OVERDUE; THROTTLE_NO: not uncounted).
 * In an outage every write out waits for its end: the lock let go here
 * rather than held by a direct write (free.c writes none then). Bounded
 * by the outage's budget. Only while its end could free frames: writes in
 * flight or queued, a slot for one, or a clean copy direct reclaim drops
 * once the device is back (it takes none during the outage); with swap
 * full of pages that are nowhere else and nothing in flight its end frees
 * nothing, and the request goes on to the critical wait and the OOM
 * killer as without one. The swap-out thread's write overdue is an outage
 * not yet declared: free.c writes none either, and the write, in flight,
 * frees its frames once answered; bounded by the write's life, which the
 * device bounds, and past it, abandoned, waited for counted
 * (swap_out_overdue). Counted, these waits would run out while the
 * device is silent, and a process die for memory that comes back. An
 * outage declared is said first: its own budget bounds it, on the pager's
 * clock (swap_out_stalled), whatever the write's age. */
static enum throttle uncounted_wait(enum swap_overdue overdue)
{
	if (swap_out_stalled() && (swap_out_pending() > 0 || swap_out_could_free()))
		return THROTTLE_OUTAGE;
	return overdue == SWAP_WRITE_OVERDUE ? THROTTLE_OVERDUE : THROTTLE_NO;
}

enum throttle kswapd_throttle_again(unsigned *waited)
{
	enum swap_overdue overdue = swap_out_overdue();
	enum throttle how = uncounted_wait(overdue);

	if (how != THROTTLE_NO)
		return how;
	if (swap_out_pending() == 0 || *waited >= kswapd_throttle_rounds())
		return THROTTLE_NO;
	(*waited)++;
	return overdue == SWAP_WRITE_ABANDONED ? THROTTLE_ABANDONED : THROTTLE_WAIT;
}

/* Victims that must be written may wait for more, to fill one large
 * write, while background reclaim is patient (free frames well above the
 * minimum), finds victims to add and no request waits for the writes;
 * each wait leaves fewer frames free, by at most a write's worth. */
int kswapd_writes_may_wait(void)
{
	return !drain && throttle_waiters == 0 && watermarks_patient();
}

void kswapd_batch_written(void)
{
	pager_thread_signal(&kswapd, TB_WORK);
	pager_threads_wake(&throttle_waiters);
}
