/*
 * Timed notifications: a one-shot timer that signals a notification's bits
 * at a deadline, so a waiter can bound its wait (the pager waiting for
 * memory to come back before it kills). Deadlines are met at the next timer
 * tick, within one time slice.
 */
#ifndef KERNEL_NOTIFY_TIMER_H
#define KERNEL_NOTIFY_TIMER_H

#include <stdint.h>

struct thread;

#define NOTIFY_TIMERS 16	/* armed at once, over every process */
/* Of those, how many other processes may hold: the rest stay for the root
 * task (the pager), whose bounded waits must not be crowded out. */
#define NOTIFY_TIMERS_USER 8

/* Signal the timers whose deadline (nanoseconds since boot) has passed. */
void notify_timer_tick(uint64_t now_ns);

/* (handle, deadline_ns, bits): arm a timer that signals bits on the
 * notification at deadline_ns; one already armed for the same notification
 * and bits is moved. deadline_ns 0 disarms it. 0, -ERR_BADF, -ERR_INVAL
 * (no bits, or bit 63), -ERR_NOMEM (every timer this caller may use is armed). */
int64_t sys_notify_timer(struct thread *t, const uint64_t *a);

#endif
