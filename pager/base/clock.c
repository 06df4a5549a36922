/*
 * The pager's clock (clock.h): one read of the time CSR and the tick
 * conversion kernel/abi/clock.h defines for the kernel too, so a deadline
 * made here is the one the kernel's timer meets.
 */
#include "base/clock.h"
#include "kernel/abi/clock.h"
#include "arch_time.h"	/* the arch's, or the host tests' */

static uint64_t timebase_hz;

void pager_clock_init(uint64_t hz)
{
	timebase_hz = hz;
}

int64_t pager_clock(void)
{
	return (int64_t)clock_ticks_to_ns(arch_time_read(), timebase_hz);
}
