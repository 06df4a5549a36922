/*
 * Idling: the hart asleep until an interrupt is pending, and the time so
 * spent (the idle_ns system call's figure).
 */
#include "arch.h"
#include "csr.h"
#include "idle.h"

static uint64_t idle_ticks;

uint64_t arch_idle_ticks(void)
{
	return idle_ticks;
}

uint64_t idle_wait(void)
{
	uint64_t start = arch_time_now();

	wfi();
	idle_ticks += arch_time_now() - start;
	return csr_read(sip);
}
