/*
 * The clock's unit, defined once: SYS_CLOCK answers and SYS_NOTIFY_TIMER
 * takes nanoseconds since boot; a timer's deadline is met at the next
 * timer tick, within one time slice (kernel.timeslice_ms, 10 by default).
 */
#ifndef ABI_CLOCK_H
#define ABI_CLOCK_H

#define CLOCK_NS_PER_MS 1000000LL

#endif
