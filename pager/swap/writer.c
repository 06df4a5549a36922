/*
 * The swap-out thread and its queues: victims background reclaim queued
 * are sorted as they come (those with a valid copy in their slot dropped
 * at once, without a write; the others held, still marked queued, in their
 * order) and the held ones written when they fill a write batch, or at
 * once when reclaim says it cannot wait; while writes are held back (a
 * device that fails everything: swap_out_failing), handed back.
 */
#include <stdio.h>
#include "base/clock.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "kernel/abi/clock.h"
#include "swap/internal.h"
#include "swap/out_batch.h"
#include "swap/queue.h"
#include "swap/swap.h"
#include "vm/swapcache.h"
#include "vm/vm.h"

static struct swap_queue outq;	/* background victims for the swap-out thread */
static struct swap_queue held;	/* of those, victims waiting to fill a write */
static uint32_t writing;	/* taken from held, being written by that thread */
static int64_t write_began;	/* pager_clock() as that write began (writing > 0) */
static int abandon_said;	/* that write was found abandoned (said once) */
static struct pager_thread writer;

#define NS_PER_S ((int64_t)CLOCK_NS_PER_S)	/* signed: ages are int64_t */

int swap_out_queue(uint64_t pa)
{
	if (swap_queue_push(&outq, pa, 0) < 0)
		return -1;
	swapcache_mark_queued(pa);
	return 0;
}

uint32_t swap_out_room(void)
{
	return swap_queue_space(&outq);
}

uint32_t swap_out_pending(void)
{
	return swap_queue_len(&outq) + swap_queue_len(&held) + writing;
}

/* The write out, its life begun life ns ago (life_began), is past every
 * bound its device keeps (swap_out_overdue): counted and said once. */
static void abandoned(int64_t life)
{
	if (abandon_said)
		return;
	abandon_said = 1;
	vmstat_count(VMSTAT_OVERDUE_ABANDONED);
	printf("pager: swap: the swap-out thread's write to %s unanswered for %lld s since it "
	       "began or the device's last outage ended, past every bound of the device's "
	       "(%lld s): its waits count again\n", swap_engine_where(),
	       (long long)(life / NS_PER_S), (long long)(swap_write_life_ns() / NS_PER_S));
}

/* When the write's life began: as it did, or as the latest outage it
 * lived through ended (the device's word, given whether or not anyone
 * asked during the outage): each outage ends with the write sent again,
 * and a later one has a budget of its own (swap_write_life_ns). */
static int64_t life_began(void)
{
	int64_t ended = swap_outage_ended();

	return ended > write_began ? ended : write_began;
}

/* Overdue from the wait reclaim gives one batch (a device that answers
 * takes milliseconds: only one that stopped answering outlasts it) until
 * the write ends. Not only until the device's bound for a write (netd's
 * 20 s): past it part of the write may still be out, not stalled, to a
 * server that hangs writes and answers reads (the requests whose bytes
 * never left netd are sent again on each new connection and hang again,
 * while the check read of those that had left ends each outage); a
 * direct write then would hold the lock until the next outage began,
 * again and again. The waits this stands for end with the
 * write, which a device with a bound of its own ends (the disk's driver
 * ended at it; netd failing a request blamed for NBD_BLAME_MAX losses,
 * or the server given up at the outage's budget); a device with none is
 * never overdue, nor one gone for good, whose writes fail at once.
 * Those ends are the device's: a netd alive but stuck would hold the
 * waits for ever. So once the write has been out as long as its device
 * lets one be (swap_write_life_ns: the bound for an unanswered write and
 * the giving up after it, from its start or from the end of the latest
 * outage it lived through), and one of reclaim's waits more, so that a
 * wait begun as that runs out sees the end, it is abandoned: overdue
 * still (a direct write would meet the same stuck device), but waited
 * for as any write is, counted (kswapd_throttle_again). */
enum swap_overdue swap_out_overdue(void)
{
	const struct swap_reclaim_hooks *h = swap_engine_hooks();
	int64_t age = pager_clock() - write_began;

	if (writing == 0 || swap_write_bound_ns() <= 0 || !h || h->batch_wait_ns <= 0 ||
	    swap_device_gone() || age < h->batch_wait_ns)
		return SWAP_WRITE_TIMELY;
	age = pager_clock() - life_began();
	if (age < h->batch_wait_ns + swap_write_life_ns())
		return SWAP_WRITE_OVERDUE;
	abandoned(age);
	return SWAP_WRITE_ABANDONED;
}

/* Popped pages still worth writing, up to what the batch has room for:
 * not freed since (the mark would be gone), and still evictable. No look
 * at their accessed bits: one referenced from now on faults once it is
 * unmapped for its write (swap_batch_prepare) and is kept then.
 * n <= WRITE_BATCH: both callers pop at most a batch. */
static void admit(struct write_batch *b, const struct swap_req *popped, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint64_t pa = popped[k].pa;
		if (!swapcache_take_queued(pa))
			continue;
		if (!swapcache_reclaimable(pa)) {
			vmstat_count(VMSTAT_SWAPOUT_RESCUED);
			swap_batch_put_back(pa);
			continue;
		}
		b->v[b->n++] = (struct swap_req){ pa, 0, 0 };
	}
}

/* A batch to write from the held victims (any whose copy turned out
 * valid dropped: swap_batch_drop_clean); pages passed over leave room
 * that more held pages fill, so the write stays one full request while
 * victims wait. Frames freed. */
static size_t take_held(struct write_batch *b)
{
	static struct swap_req popped[WRITE_BATCH];
	size_t freed = 0;

	b->n = 0;
	while (b->n < WRITE_BATCH && swap_queue_len(&held) > 0) {
		size_t from = b->n;

		admit(b, popped, swap_queue_pop(&held, popped, (uint32_t)(WRITE_BATCH - b->n)));
		freed += swap_batch_drop_clean(b, from);
	}
	return freed;
}

/* Hold pa (still marked queued) for a later write; if there is no room,
 * it goes back to the policy, to be met again. */
static void hold(uint64_t pa)
{
	if (swap_queue_push(&held, pa, 0) < 0 && swapcache_take_queued(pa))
		swap_batch_put_back(pa);
}

/* The victims queued since the last look: those whose copy in their slot
 * is still valid are dropped now, without a write (each still a victim);
 * the others wait among the held ones, in their order, for a write. Frames
 * freed. */
static size_t sort_queued(void)
{
	static struct swap_req popped[WRITE_BATCH], copies[WRITE_BATCH];
	static struct write_batch b;
	size_t freed = 0;

	while (swap_queue_len(&outq) > 0) {
		uint32_t n = swap_queue_pop(&outq, popped, WRITE_BATCH), m = 0;

		for (uint32_t k = 0; k < n; k++) {
			uint64_t pa = popped[k].pa;
			if (swapcache_held(pa) || swapcache_parked_clean(pa))
				copies[m++] = popped[k];
			else if (swapcache_queued(pa))
				hold(pa);
		}
		b.n = 0;
		admit(&b, copies, m);
		freed += swap_batch_drop_clean(&b, 0);
		for (size_t k = 0; k < b.n; k++) {	/* written since: a write after all */
			if (swapcache_writing(b.v[k].pa))	/* writable until its write */
				vm_frame_write_end(b.v[k].pa);
			swapcache_mark_queued(b.v[k].pa);
			hold(b.v[k].pa);
		}
	}
	return freed;
}

/* Writes held back (swap_out_failing): every held victim back to the
 * policy, intact, but those with a valid copy, dropped as always. Frames
 * freed. */
static size_t hand_back_held(void)
{
	static struct write_batch b;
	size_t freed = 0;

	while (swap_queue_len(&held) > 0) {
		freed += take_held(&b);
		swap_batch_give_back(&b);
	}
	return freed;
}

/* Held victims are written when they fill a batch (WRITE_BATCH, the largest
 * write: one virtio-blk request; over NBD, whose requests take 16 pages,
 * four sent together), or when reclaim says it cannot wait (policy:
 * swap_reclaim_hooks's writes_may_wait). */
static int write_due(void)
{
	const struct swap_reclaim_hooks *h = swap_engine_hooks();

	return swap_queue_len(&held) >= WRITE_BATCH || !h->writes_may_wait ||
	       !h->writes_may_wait();
}

long swap_write_queued(struct pager_thread *t)
{
	static struct write_batch b;
	size_t freed, written;

	if (!swap_on() || (swap_queue_len(&outq) == 0 && (swap_queue_len(&held) == 0 || !write_due())))
		return -1;
	freed = sort_queued();
	if (swap_out_failing())
		freed += hand_back_held();
	if (swap_queue_len(&held) == 0 || !write_due()) {
		vmstat_count_n(VMSTAT_PGSTEAL_KSWAPD, (int64_t)freed);
		return (long)freed;
	}
	freed += take_held(&b);
	vmstat_count_n(VMSTAT_PGSTEAL_KSWAPD, (int64_t)freed);
	if (swap_batch_prepare(&b) == 0)
		return (long)freed;
	writing = (uint32_t)b.n;
	write_began = pager_clock();
	abandon_said = 0;
	pager_unlock(t);	/* the device works; others may fault meanwhile */
	swap_batch_write(t, &b);
	pager_lock(t);
	writing = 0;
	written = swap_batch_finish(&b);
	(void)swap_batch_verdict(&b);
	vmstat_count_n(VMSTAT_PGSTEAL_KSWAPD, (int64_t)written);
	return (long)(freed + written);
}

/* The swap-out thread: woken when victims are queued, it writes them a
 * batch at a time, telling reclaim after each (kswapd queues more, and
 * throttled requests go on). */
static void writer_main(struct pager_thread *t)
{
	int was;

	for (;;) {
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
		was = pager_memalloc_begin();	/* freeing memory: the reserve is its if need be */
		while (swap_write_queued(t) >= 0)
			swap_engine_hooks()->written();
		swap_engine_hooks()->written();
		pager_memalloc_end(was);
		pager_unlock(t);
	}
}

void swap_out_kick(void)
{
	pager_thread_signal(&writer, TB_WORK);
}

static uint64_t pending_now(void)
{
	return swap_out_pending();
}

static uint64_t refused(void)
{
	return outq.refused;
}

void swap_out_reset(void)
{
	swap_queue_fini(&outq);
	swap_queue_fini(&held);
	writing = 0;
}

int swap_out_init(void)
{
	if (swap_queue_init(&outq, SWAP_OUT_QUEUE_LEN) < 0 ||
	    swap_queue_init(&held, SWAP_OUT_QUEUE_LEN) < 0)
		return -1;
	vmstat_gauge(VMSTAT_SWAPOUT_QUEUED, pending_now);
	vmstat_gauge(VMSTAT_SWAPOUT_REFUSED, refused);
	return 0;
}

int swap_out_thread_start(void)
{
	return pager_thread_start(&writer, "swapout", IO_SWAPOUT, writer_main);
}
