/*
 * The pager's clock: the time CSR read in user mode (the kernel lets user
 * mode read it), in the nanoseconds SYS_CLOCK answers and SYS_NOTIFY_TIMER
 * takes, without a system call: bounded disk waits read it around every
 * blocking wait. Host tests supply their own pager_clock.
 */
#ifndef PAGER_BASE_CLOCK_H
#define PAGER_BASE_CLOCK_H

#include <stdint.h>

/* hz: the timebase the kernel was told (bootinfo.timebase_hz), never 0 (the
 * kernel does not boot without one). Called first thing in main, before any
 * pager_clock. */
void pager_clock_init(uint64_t hz);
/* Nanoseconds since boot, the kernel's clock_ticks_to_ns of the time CSR. */
int64_t pager_clock(void);

#endif
