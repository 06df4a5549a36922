/*
 * Timed notifications: a one-shot timer that signals a notification's bits
 * at a deadline, so a waiter can bound its wait (the pager waiting for
 * memory to come back before it kills). Deadlines are met at the next timer
 * tick, within one time slice. Each process has its own few timers in its
 * record, so no process can use up another's, and its end disarms them.
 */
#ifndef KERNEL_NOTIFY_TIMER_H
#define KERNEL_NOTIFY_TIMER_H

#include <stdint.h>
#include "abi/limits.h"

struct thread;
struct proc;
struct notify;

struct notify_timer {
	struct notify *n;		/* reference held while armed; NULL: free */
	uint64_t bits;
	uint64_t deadline;		/* nanoseconds since boot */
	struct notify_timer *next;	/* on the list of armed timers */
};

/* Signal the timers whose deadline (nanoseconds since boot) has passed. */
void notify_timer_tick(uint64_t now_ns);
/* p is ending: disarm every timer it armed. */
void notify_timers_release(struct proc *p);
/* Timers armed now, over every process. */
uint64_t notify_timers_armed(void);

/* (handle, deadline_ns, bits): arm a timer that signals bits on the
 * notification at deadline_ns; one already armed for the same notification
 * and bits is moved. deadline_ns 0 disarms it, and says whether it was
 * armed: 0 if it was (no bits will come from it), 1 if none was (it may
 * have fired, its bits on the notification), so a waiter need look for a
 * stray bit only then. The handle needs RIGHT_RECV (the timer is its
 * holder's own wake-up). 0, 1 (a disarm that found none), -ERR_BADF,
 * -ERR_ACCES, -ERR_INVAL (no bits, or bit 63), -ERR_NOMEM (all of the
 * caller's NOTIFY_TIMERS_PER_PROC timers are armed). */
int64_t sys_notify_timer(struct thread *t, const uint64_t *a);

#endif
