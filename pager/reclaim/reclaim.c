/*
 * Reclaim's timing. Background reclaim starts when free frames fall to the
 * start mark and queues victims for the swap-out thread until the stop
 * mark is in sight, never more than a few batches ahead of the disk (no
 * swap storms); direct reclaim runs in the service thread only when free
 * frames fall below the minimum, which background reclaim tries to prevent.
 */
#include <stdio.h>
#include "reclaim/reclaim.h"
#include "base/vmstat.h"
#include "base/config.h"
#include "base/heap.h"
#include "swap/blkdev.h"
#include "vm/frames.h"
#include "swap/swap.h"
#include "swap/swapper.h"
#include "base/threads.h"
#include "reclaim/pressure.h"
#include "vm/vm.h"
#include "sys.h"

/* The most one request may need at once: a fault with fault-around and
 * readahead, a copy-on-write, their page tables. The minimum never goes
 * below it. */
#define FREE_FLOOR 64
/* Pages queued ahead of the swap-out thread at most: enough to keep the
 * disk busy, few enough that a working set that turns hot again is not
 * already on its way out. */
#define QUEUE_AHEAD 128

/* What a direct reclaim between requests asks for: a whole batch, as one
 * bigger write costs less than several small ones. */
#define DIRECT_BATCH 32

/* Rounds a request waits for background writes before it reclaims itself. */
#define THROTTLE_ROUNDS 16
/* How long subscribers to pressure events get to give memory back, once
 * told it is critical, before the OOM killer acts. */
#define CRITICAL_WAIT_NS (300 * 1000000LL)

static struct pager_thread kswapd, writer;
static uint64_t start_free, stop_free, min_free;	/* the watermarks, in free frames */
static int kswapd_busy;
static uint32_t throttle_waiters;	/* bit id: that thread waits for the writer */
static uint32_t critical_waiters;	/* bit id: that thread waits for memory */
static int64_t critical_deadline;	/* end of this critical episode's wait; 0: none */

static uint64_t percent_of_frames(unsigned pct)
{
	return frames_total() * pct / 100;
}

/* The reserve first (at most an eighth of memory); the minimum counts
 * above it, and 0 keeps direct reclaim for allocations that fail. */
static void set_watermarks(void)
{
	uint64_t reserve = config.reserve;

	if (reserve > frames_total() / 8) {
		reserve = frames_total() / 8;
		printf("pager: boot: pager.reserve=%u is more than an eighth of memory; using %lu\n",
		       config.reserve, (unsigned long)reserve);
	}
	frames_set_reserve(reserve);
	min_free = percent_of_frames(config.free_min);
	if (min_free < FREE_FLOOR)
		min_free = FREE_FLOOR;
	min_free = config.free_min ? reserve + min_free : 0;
	start_free = frames_total() - percent_of_frames(config.reclaim_at);
	stop_free = frames_total() - percent_of_frames(config.reclaim_to);
	/* In a small memory the percentages can cross the floor: keep the order. */
	if (start_free <= min_free || start_free <= reserve)
		start_free = (min_free > reserve ? min_free : reserve) + FREE_FLOOR;
	if (stop_free <= start_free)
		stop_free = start_free + FREE_FLOOR;
}

void reclaim_print(void)
{
	printf("pager: watermarks (free frames of %lu): background reclaim from %lu to %lu, "
	       "direct below %lu, reserve %lu (the pager's and reclaim's only)\n",
	       (unsigned long)frames_total(), (unsigned long)start_free, (unsigned long)stop_free,
	       (unsigned long)min_free, (unsigned long)frames_reserve());
}

/* How many more victims background reclaim should queue now. */
static uint64_t shortfall(void)
{
	uint64_t have = frames_free() + swapper_queued(), queued = swapper_queued();

	if (have >= stop_free || queued >= QUEUE_AHEAD)
		return 0;
	return stop_free - have < QUEUE_AHEAD - queued ? stop_free - have : QUEUE_AHEAD - queued;
}

/* Background reclaim is patient (looks a little at a time, see
 * swapper_queue_victims) until free frames are halfway from the start mark
 * down to the minimum: the program has had time to show its working set by
 * then, and direct reclaim is near. */
static int patient(void)
{
	return frames_free() > min_free + (start_free - min_free) / 2;
}

/*
 * Free up to want frames, the cheapest way first: unlocked (discardable)
 * pages are dropped without any I/O, and only when there are none does
 * reclaim turn to swap: background reclaim hands victims to the swap-out
 * thread (queued, freed once written), direct reclaim writes a batch now.
 * The one place that decides "discardable pages before swapping". How many
 * frames were freed, or victims queued.
 */
static size_t reclaim_pages(size_t want, int background, int patiently)
{
	size_t n = vm_discard_some(want);

	if (n > 0) {
		vmstat_count_n(background ? VMSTAT_PGSTEAL_BACKGROUND : VMSTAT_PGSTEAL_DIRECT,
			       (int64_t)n);
		if (!background)
			vmstat_count(VMSTAT_ALLOCSTALL);
		return n;
	}
	if (!swap.enabled)
		return 0;
	return background ? swapper_queue_victims(want, patiently) : swapper_reclaim(want);
}

/* The VM core found no frame free for a page: reclaim directly. */
static size_t reclaim_for_fault(size_t want)
{
	return reclaim_pages(want, 0, 0);
}

static void kswapd_run(struct pager_thread *t)
{
	for (;;) {
		uint64_t want = shortfall();
		if (want == 0 && frames_free() + swapper_queued() >= stop_free)
			return;
		if (want > 0 && reclaim_pages(want, 1, patient()) == 0 && swapper_queued() == 0)
			return;	/* nothing to take: wait for the next request */
		pager_thread_signal(&writer, TB_WORK);
		/* Let the disk catch up: the writer wakes us after each batch. */
		pager_unlock(t);
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
	}
}

static void kswapd_main(struct pager_thread *t)
{
	t->memalloc = 1;
	for (;;) {
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
		kswapd_busy = 1;
		kswapd_run(t);
		kswapd_busy = 0;
		pager_unlock(t);
	}
}

/* Give TB_WORK to every thread in *mask and empty it. */
static void wake_all(uint32_t *mask)
{
	uint32_t w = *mask;

	*mask = 0;
	for (unsigned id = 0; w; id++, w >>= 1)
		if (w & 1)
			pager_thread_signal(pager_thread_by_id(id), TB_WORK);
}

/* Requests throttled in reclaim_before_request go on after each batch. */
static void wake_throttled(void)
{
	wake_all(&throttle_waiters);
}

static void writer_main(struct pager_thread *t)
{
	t->memalloc = 1;
	for (;;) {
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
		while (swapper_write_queued(t) >= 0) {
			pager_thread_signal(&kswapd, TB_WORK);
			wake_throttled();
		}
		pager_thread_signal(&kswapd, TB_WORK);
		wake_throttled();
		pager_unlock(t);
	}
}

void reclaim_init(void)
{
	set_watermarks();
	heap_set_frame_source(reclaim_alloc_pinned);
	vm_set_reclaim(reclaim_for_fault);
}

int reclaim_start(void)
{
	int r;

	if ((r = pager_thread_start(&writer, "swapout", BLKDEV_WRITER, writer_main)) < 0 ||
	    (r = pager_thread_start(&kswapd, "kswapd", BLKDEV_WRITER, kswapd_main)) < 0)
		return r;
	return 0;
}

int reclaim_writer_note(void)
{
	return writer.wake;
}

/* One wake-up per run of kswapd. */
static void wake_kswapd(void)
{
	if (kswapd_busy)
		return;
	vmstat_count(VMSTAT_KSWAPD_WAKEUPS);
	kswapd_busy = 1;
	pager_thread_signal(&kswapd, TB_WORK);
}

/* Wait, the lock let go, until the swap-out thread finishes a batch. */
static void throttle(struct pager_thread *t)
{
	throttle_waiters |= 1u << t->id;
	wake_kswapd();
	pager_unlock(t);
	pager_thread_wait(t, t->wake, TB_WORK);
	pager_lock(t);
}

void reclaim_before_request(struct pager_thread *t)
{
	int rounds = 0;

	while (swap.enabled && frames_free() < min_free) {
		/* Pages on their way to disk will be free soon: wait for them
		 * rather than take the last frames (or write more at once). */
		if (swapper_queued() > 0 && rounds < THROTTLE_ROUNDS) {
			if (rounds++ == 0)
				vmstat_count(VMSTAT_THROTTLED);
			throttle(t);
			continue;
		}
		if (reclaim_pages(DIRECT_BATCH, 0, 0) == 0)
			break;
	}
}

/* The level follows free frames: low from the start mark down, normal
 * above the stop mark; critical only from reclaim_wait_critical, until free
 * frames are back above the start mark. */
static void update_pressure(void)
{
	uint64_t f = frames_free();

	if (f > stop_free) {
		pressure_set(PAGER_PRESSURE_NORMAL, 0);
		critical_deadline = 0;
	} else if (f <= start_free && pressure_level() == PAGER_PRESSURE_NORMAL) {
		pressure_set(PAGER_PRESSURE_LOW, stop_free - f);
	} else if (f > start_free && pressure_level() == PAGER_PRESSURE_CRITICAL) {
		pressure_set(PAGER_PRESSURE_LOW, stop_free - f);
		critical_deadline = 0;
	}
}

void reclaim_after_request(void)
{
	update_pressure();
	if (critical_waiters && frames_free() > frames_reserve() + FREE_FLOOR)
		wake_all(&critical_waiters);	/* memory came back: try again */
	if (swap.enabled && frames_free() <= start_free)
		wake_kswapd();
}

int reclaim_wait_critical(struct pager_thread *t)
{
	int64_t now = sys_clock();
	uint64_t f = frames_free();

	if (critical_deadline && now >= critical_deadline)
		return 0;
	if (!critical_deadline) {
		pressure_set(PAGER_PRESSURE_CRITICAL, stop_free > f ? stop_free - f : FREE_FLOOR);
		if (pressure_subscribers() == 0)
			return 0;
		critical_deadline = now + CRITICAL_WAIT_NS;
		vmstat_count(VMSTAT_PRESSURE_WAITS);
	}
	/* No timer, no bounded wait: better to kill now than to hang. */
	if (sys_notify_timer(t->wake, critical_deadline, TB_TIMER) < 0)
		return 0;
	critical_waiters |= 1u << t->id;
	pager_unlock(t);
	pager_thread_wait(t, t->wake, TB_WORK | TB_TIMER);
	pager_lock(t);
	critical_waiters &= ~(1u << t->id);
	sys_notify_timer(t->wake, 0, TB_TIMER);
	return 1;
}

void reclaim_watermarks(uint64_t *start, uint64_t *stop, uint64_t *min)
{
	*start = start_free;
	*stop = stop_free;
	*min = min_free;
}

static int above_reserve(void)
{
	return frames_free() > frames_reserve();
}

uint64_t reclaim_alloc_pinned(void)
{
	struct pager_thread *t = pager_holder();

	if (t && t->memalloc && !above_reserve()) {
		vmstat_count(VMSTAT_RESERVE_ALLOCS);
		return frame_alloc_pinned();
	}
	while (!above_reserve() && reclaim_pages(FREE_FLOOR, 0, 0) > 0)
		;
	return above_reserve() ? frame_alloc_pinned() : 0;
}
