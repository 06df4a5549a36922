/*
 * Pressure, from the reclaim side: after each request the level follows
 * free frames (low from the start mark down, normal above the stop mark),
 * and kswapd is woken at the start mark. When a fault finds no frame even
 * after reclaim, the level turns critical and, if programs subscribe, the
 * fault waits a bounded time for them to give memory back before the OOM
 * killer acts.
 */
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/kswapd.h"
#include "reclaim/pressure.h"
#include "reclaim/reclaim.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "sys.h"
#include "kernel/abi/clock.h"

/* How long subscribers to pressure events get to give memory back, once
 * told it is critical, before the OOM killer acts. */
#define CRITICAL_WAIT_NS (300 * CLOCK_NS_PER_MS)

static uint32_t critical_waiters;	/* bit id: that thread waits for memory */
static int64_t critical_deadline;	/* end of this critical episode's wait; 0: none */

/* The level follows free frames: low from the start mark down, normal
 * above the stop mark; critical only from reclaim_wait_critical, until free
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
	update_pressure();
	if (critical_waiters && frames_free() > frames_reserve() + FREE_FLOOR)
		pager_threads_wake(&critical_waiters);	/* memory came back: try again */
	if (swap_on() && frames_free() <= marks.start)
		kswapd_wake();
}

int reclaim_wait_critical(struct pager_thread *t)
{
	int64_t now = sys_clock();
	uint64_t f = frames_free();

	if (critical_deadline && now >= critical_deadline)
		return 0;
	if (!critical_deadline) {
		pressure_set(PAGER_PRESSURE_CRITICAL, marks.stop > f ? marks.stop - f : FREE_FLOOR);
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
	/* Woken by one, the other may still come or be on its way: left, it
	 * would cut short the next bounded wait (wait_congested) or throttle
	 * (kswapd_throttle). */
	pager_thread_forget(t, TB_WORK | TB_TIMER);
	return 1;
}
