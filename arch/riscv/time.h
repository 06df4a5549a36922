/*
 * The time CSR, read the same way from the kernel and from user mode (the
 * kernel lets user mode read it: scounteren.TM, trap.c): the one place
 * outside the kernel's csr.h that knows the instruction. The pager's own
 * clock (pager/base/clock.c) reads it without a system call.
 */
#ifndef ARCH_RISCV_TIME_H
#define ARCH_RISCV_TIME_H

#include <stdint.h>

static inline uint64_t arch_time_read(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

#endif
