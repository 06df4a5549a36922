/*
 * Out of memory: when a fault finds no frame even after reclaim, it waits
 * first for writes in flight (their frames will be free soon), or for the
 * swap device's outage to end; then the pressure level turns critical and,
 * if programs subscribe, the fault waits a bounded time for them to give
 * memory back before the OOM killer acts. What ends such a wait is here
 * too: after each request the level follows free frames (low from the
 * start mark down, normal above the stop mark), the waiters are woken if
 * memory came back, and kswapd is woken at the start mark.
 */
#include "base/clock.h"
#include "base/heap.h"
#include "base/slab.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/kswapd.h"
#include "reclaim/oom_kill.h"
#include "reclaim/pressure.h"
#include "reclaim/reclaim.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "sys.h"

static uint32_t critical_waiters;	/* bit id: that thread waits for memory */
static int64_t critical_deadline;	/* end of this critical episode's wait; 0: none */

/* The level follows free frames: low from the start mark down, normal
 * above the stop mark; critical only from wait_critical, until free
 * frames are back above the start mark. */
static void update_pressure(void)
{
	uint64_t f = frames_free();

	if (f > marks.stop) {
		pressure_set(PAGER_PRESSURE_NORMAL, 0);
		critical_deadline = 0;
	} else if (f <= marks.start && pressure_level() == PAGER_PRESSURE_NORMAL) {
		pressure_set(PAGER_PRESSURE_LOW, marks.stop - f);
	} else if (f > marks.start && pressure_level() == PAGER_PRESSURE_CRITICAL) {
		pressure_set(PAGER_PRESSURE_LOW, marks.stop - f);
		critical_deadline = 0;
	}
}

void reclaim_after_request(void)
{
	if (swap_out_left_count)	/* its thread's direct write left in an outage */
		swap_out_left_finish(pager_holder());
	heap_growth_forget();	/* its failure, if any, was this request's */
	slab_trim();		/* the pages of objects it emptied (a reap, a munmap) */
	update_pressure();
	if (critical_waiters && frames_free() > frames_reserve() + FREE_FLOOR)
		pager_threads_wake(&critical_waiters);	/* memory came back: try again */
	if (swap_on() && frames_free() <= marks.start)
		kswapd_wake();
}

/* What a fault that found no frame does after waiting for subscribers. */
enum critical { CRITICAL_WAITED, CRITICAL_SEND_BACK, CRITICAL_KILL };

/* Whether the fault thread asking may wait for subscribers: not if it
 * would be the last of the PAGER_FAULT_THREADS (pager/protocol.h) away from its
 * receive. The faults in service are its own and one for each thread that
 * has let the lock go mid-fault, whatever for: a swap read (an NBD outage
 * holds it as long as the outage), a throttle, this wait. What a
 * subscriber gives back is a request (munmap, an unlock) or its exit,
 * served by the thread for requests and deaths, which takes no fault; but
 * to reach that request the subscriber may first fault, on a page that
 * needs no frame (a copy-on-write page it alone still maps, a page in the
 * swap cache). With every fault thread waiting, that fault would wait in
 * the kernel, in the faults' endpoint's queue, until the deadline, and
 * the OOM killer would act though the subscriber was giving back. So the
 * last one sends its fault back instead: it comes again at once, and is
 * sent back again until memory comes back or the deadline passes (a busy
 * loop, bounded by RECLAIM_WAIT_NS), while the faults queued behind it
 * are served. */
static int may_wait_critical(void)
{
	return pager_faults_in_service() < PAGER_FAULT_THREADS;
}

/* Subscribers to pressure events get the episode's bounded time
 * (RECLAIM_WAIT_NS from its first such fault) to give memory back, once
 * told it is critical, before the OOM killer acts; fault thread t waits
 * for them, or sends its fault back (may_wait_critical). */
static enum critical wait_critical(struct pager_thread *t)
{
	int64_t now = pager_clock();
	uint64_t f = frames_free();
	int r;

	if (critical_deadline && now >= critical_deadline)
		return CRITICAL_KILL;
	/* Frames are free, but not for the pager (its heap cannot grow: the
	 * kernel's pool or the heap's bound): a give-back would not help,
	 * and the next request would end the episode at once, so a fault
	 * sent back would come again for ever. */
	if (f > marks.start)
		return CRITICAL_KILL;
	if (!critical_deadline) {
		pressure_set(PAGER_PRESSURE_CRITICAL, marks.stop > f ? marks.stop - f : FREE_FLOOR);
		if (pressure_subscribers() == 0)
			return CRITICAL_KILL;
		critical_deadline = now + RECLAIM_WAIT_NS;
		vmstat_count(VMSTAT_PRESSURE_WAITS);
	}
	if (!may_wait_critical())
		return CRITICAL_SEND_BACK;
	critical_waiters |= 1u << t->id;
	/* No timer, no bounded wait: better to kill now than to hang. */
	r = pager_thread_wait_until(t, critical_deadline);
	critical_waiters &= ~(1u << t->id);
	return r < 0 ? CRITICAL_KILL : CRITICAL_WAITED;
}

enum reclaim_oom reclaim_out_of_memory(struct pager_thread *t, uint32_t pid, unsigned *waits)
{
	/* Pages on their way to disk will be free soon: no one is killed for
	 * memory already coming back (swap full, say, reclaim finds nothing
	 * more, but the writer's batch is not done), nor while a swap server
	 * restarts, which every write out waits for, if its end could free
	 * frames (kswapd_throttle_again). */
	enum throttle throttle = kswapd_throttle_again(waits);

	/* Every fault thread may wait here, unlike in the critical wait: a
	 * thread kept free would meet its next fault below the minimum, and
	 * wait for these writes before serving it all the same (direct.c). */
	if (throttle != THROTTLE_NO) {
		kswapd_throttle(t, throttle);
		return RECLAIM_RETRY;
	}
	switch (wait_critical(t)) {
	case CRITICAL_WAITED:
		return RECLAIM_RETRY;
	case CRITICAL_SEND_BACK:
		return RECLAIM_SEND_BACK;
	default:
		return oom_kill(pid) ? RECLAIM_GONE : RECLAIM_RETRY;
	}
}
