/*
 * The network server's loop, as its parts see it: waiting a bounded time
 * for the network while a call is being served, and the device's events.
 */
#ifndef NETD_NETD_H
#define NETD_NETD_H

#include <stdbool.h>
#include <stdint.h>

/* Nanoseconds since boot. */
int64_t netd_now(void);

/* Run the network (interrupts, lwIP's timers) until done(ctx) or the
 * deadline (netd_now's time); whether done. Used while a call waits. */
bool netd_run_until(bool (*done)(void *ctx), void *ctx, int64_t deadline);

#endif
