/*
 * The clock's unit, defined once: SYS_CLOCK answers and SYS_NOTIFY_TIMER
 * takes nanoseconds since boot; a timer's deadline is met at the next
 * timer tick, within one time slice (kernel.timeslice_ms, 10 by default).
 */
#ifndef ABI_CLOCK_H
#define ABI_CLOCK_H

#include <stdint.h>

#define CLOCK_NS_PER_MS 1000000LL
#define CLOCK_NS_PER_S 1000000000ULL

/* The conversion between the time CSR's ticks (hz a second, the device
 * tree's timebase-frequency, given to the pager in its bootinfo) and the
 * clock's nanoseconds, one rule for the kernel and for the pager, which
 * reads the time CSR itself: both must agree on every deadline. Split so
 * that neither product overflows for any uptime at any sane hz. */
static inline uint64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return ticks / hz * CLOCK_NS_PER_S + ticks % hz * CLOCK_NS_PER_S / hz;
}

static inline uint64_t clock_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return ns / CLOCK_NS_PER_S * hz + ns % CLOCK_NS_PER_S * hz / CLOCK_NS_PER_S;
}

#endif
