/*
 * The host tests' arch_time.h (the arch's is arch/riscv/user/arch_time.h):
 * the time CSR is a variable the test sets, so that code which reads the
 * arch's clock (pager/base/clock.c) builds natively and reads a time the
 * test chose.
 */
#ifndef ARCH_TIME_H
#define ARCH_TIME_H

#include <stdint.h>

extern uint64_t host_arch_time;	/* the test's: the ticks the CSR holds */

static inline uint64_t arch_time_read(void)
{
	return host_arch_time;
}

#endif
