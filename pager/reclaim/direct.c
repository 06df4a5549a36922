/*
 * Direct reclaim: a request that finds free frames below the minimum
 * reclaims before it is served, unless the swap-out thread has pages in
 * flight, which will be free soon: then it waits for them (throttled)
 * rather than take the last frames or add its own writes; so does a
 * munmap's retry after its heap fell short. Also the VM core's hook when
 * no frame is free, and the pager's own allocations, which leave the
 * reserve to threads that are freeing memory.
 */
#include "base/clock.h"
#include "base/heap.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/free.h"
#include "reclaim/kswapd.h"
#include "reclaim/reclaim.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "sys.h"
#include "kernel/abi/clock.h"

/* What a direct reclaim between requests asks for: a whole batch, as one
 * bigger write costs less than several small ones. */
#define DIRECT_BATCH SWAP_OUT_BATCH
/* One wait for a congested device: 10 ms, one default time slice, the
 * step in which the kernel's timers fire (a deadline is met at the next
 * tick: kernel/abi/clock.h), so a shorter wait still ends only at a tick.
 * Linux's reclaim_throttle waits one jiffy for a congested or stalled node
 * (VMSCAN_THROTTLE_CONGESTED, 6.1), its own tick: 4 ms at the HZ=250 of
 * the kernel scripts/compare runs. Short, since netd frees buffers as
 * replies come in; CONGESTED_ROUNDS of them at most before the request
 * reclaims itself (kswapd.h), and none once the device is gone
 * (swap_congested). */
#define CONGESTED_NS (10 * CLOCK_NS_PER_MS)

/* The swap device is short of memory for its writes (netd's pool in its
 * reserve, seed 002): wait a little, the lock let go, for the writes in
 * flight to finish instead of adding more. */
static void wait_congested(struct pager_thread *t)
{
	/* No timer, no bounded wait: go on reclaiming rather than hang. */
	if (sys_notify_timer(t->wake, pager_clock() + CONGESTED_NS, TB_TIMER) < 0)
		return;
	pager_unlock(t);
	pager_thread_wait(t, t->wake, TB_TIMER);
	pager_lock(t);
}

/* Reclaim (or wait for the swap-out thread) until target frames are
 * free. Out of line: its saved registers stay off the usual path of
 * reclaim_before_request, taken on every request. */
__attribute__((noinline)) static void reclaim_to(struct pager_thread *t, uint64_t target)
{
	unsigned congested = 0, throttled = 0, rounds = 0;
	enum throttle throttle;

	while (swap_on() && frames_free() < target) {
		if (swap_congested() && congested < CONGESTED_ROUNDS) {
			if (congested++ == 0)
				vmstat_count(VMSTAT_NET_THROTTLED);
			wait_congested(t);
			continue;
		}
		/* Pages on their way to disk will be free soon: wait for them
		 * rather than take the last frames (or write more at once,
		 * the lock held, which in a device's outage, or with the
		 * writer's write overdue, would hold every thread until it
		 * ends). The thread deaths come to waits no outage out (nor
		 * an overdue write, abandoned or not: reclaim then frees what
		 * it can without a write): the deaths it hears free memory
		 * too, and it serves requests only, never a fault
		 * (server/service.c). */
		throttle = kswapd_throttle_again(&rounds);
		if (throttle == THROTTLE_WAIT || (throttle != THROTTLE_NO && !t->hears_deaths)) {
			if (!throttled++)
				vmstat_count(VMSTAT_THROTTLED);
			kswapd_throttle(t, throttle);
			continue;
		}
		if (reclaim_pages(DIRECT_BATCH, RECLAIM_DIRECT) == 0)
			break;
	}
}

void reclaim_before_request(struct pager_thread *t)
{
	if (frames_free() < marks.min)
		reclaim_to(t, marks.min);
}

static int above_reserve(void)
{
	return frames_free() > frames_reserve();
}

/* A memalloc thread: one freeing memory, which may take the reserve. */
static int may_take_reserve(void)
{
	struct pager_thread *t = pager_holder();

	return t && t->memalloc;
}

uint64_t reclaim_alloc_pinned(void)
{
	if (above_reserve())
		return frame_alloc_pinned_unzeroed();
	if (!may_take_reserve())
		return 0;	/* reclaim_for_heap, once malloc has returned */
	vmstat_count(VMSTAT_RESERVE_ALLOCS);
	return frame_alloc_pinned_unzeroed();
}

/* The free frames the heap's failed growth needs: the reserve and all it
 * wanted above it (it gave back what it had mapped, so one frame above
 * the reserve would have the retry fail as before, and no reclaim run
 * for it). */
static uint64_t heap_room(void)
{
	uint64_t wanted = heap_growth_wanted();

	return frames_reserve() + (wanted ? wanted : 1);
}

static int room_for_heap(void)
{
	return frames_free() >= heap_room();
}

/* To the heap's room, not the minimum: with none (pager.free_min=0) a
 * wait to the minimum is no wait, and the retry failed as the cut had. */
void reclaim_before_heap_retry(struct pager_thread *t)
{
	if (!room_for_heap())
		reclaim_to(t, heap_room());
}

int reclaim_for_heap(void)
{
	size_t got = 0, n;

	if (room_for_heap() || may_take_reserve())
		return 0;	/* not short for the reserve's rule: reclaim gives no more */
	while (!room_for_heap() && (n = reclaim_pages(FREE_FLOOR, RECLAIM_DIRECT)) > 0)
		got += n;
	return got > 0 && room_for_heap();
}
