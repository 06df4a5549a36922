/*
 * The time CSR, read the same way from the kernel and from user mode (the
 * kernel lets user mode read it: scounteren.TM, trap.c): the one place
 * outside the kernel's csr.h that knows the instruction. The pager's own
 * clock (pager/base/clock.c) reads it without a system call. In user/, the
 * arch's headers code outside the kernel may include (arch_user_inc), by a
 * name that says no arch: the host tests' tests/host/arch/ has its own.
 */
#ifndef ARCH_TIME_H
#define ARCH_TIME_H

#include <stdint.h>

static inline uint64_t arch_time_read(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

#endif
