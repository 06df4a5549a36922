/*
 * Sleeping on a kernel timer. (picolibc declares POSIX nanosleep only
 * for targets with POSIX timers, which this one is not said to have.)
 */
#ifndef ULIB_SLEEP_H
#define ULIB_SLEEP_H

#include <stdint.h>

/* Block the calling thread for at least ns nanoseconds of sys_clock's
 * time. 0, or -1 with errno EINVAL (ns < 0) or EAGAIN (no notification
 * or timer could be had: the process holds its limit of them). */
int sleep_ns(int64_t ns);

/* The same on a notification the caller owns and uses for nothing else
 * (its bit 0 is the timer's), for a thread that must be able to sleep even
 * when the process has no handle or timer left to create: 0, or -1 with
 * errno as above. */
int sleep_on(int note, int64_t ns);

#endif
