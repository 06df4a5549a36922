/*
 * netd's clock and its waiting: the timer that wakes the loop, and a
 * bounded wait for the network while a call is served. What the
 * notification's bits mean is netd.c's, handed in once at start, so the
 * parts (the swap connection) call down to here and never up into netd.c.
 */
#ifndef NETD_LOOP_H
#define NETD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/abi/clock.h"
#include "net_protocol.h"

/* The longest the loop sleeps: timers (the swap link's bounds among them)
 * are looked at least this often. The pager's (net_protocol.h), which
 * reckons with it. */
#define NETD_TICK_NS NET_TICK_NS

/* Nanoseconds since boot. */
int64_t netd_now(void);

/* Who takes the notification's bits (interrupt, timer) while a call waits
 * in netd_run_until. Set once, before anything waits. */
void netd_loop_init(void (*on_bits)(uint64_t bits));

/* Arm the timer for the next thing due: lwIP's next timeout, deadline if
 * it is set (> 0) and sooner, at the latest a tick from now. */
void netd_arm_timer(int64_t deadline);

/* Run the network (interrupts, lwIP's timers) until done(ctx) or the
 * deadline (netd_now's time); whether done. Used while a call waits. */
bool netd_run_until(bool (*done)(void *ctx), void *ctx, int64_t deadline);

#endif
