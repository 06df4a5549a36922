/*
 * Floating-point registers are per thread (arch/riscv/regs.c's lazy FP
 * switching): a thread's first FP instruction finds its own zeroed
 * registers, never what the last FP user left in the unit, and that user
 * gets its own values back after the other thread ran.
 */
#include <stdint.h>

#include "check.h"
#include "tests.h"
#include "thread.h"

static volatile uint64_t seen;	/* fs1 as the reader's first FP instruction found it */
static volatile int read_done;

static void reader(void *arg)
{
	uint64_t v;

	(void)arg;
	__asm__ volatile("fmv.x.d %0, fs1" : "=r"(v));
	seen = v;
	read_done = 1;
}

/* This thread leaves a value in fs1 and lets a thread that never used FP
 * run: were sstatus.FS left on for it, it would read that value. */
int test_fp_private(void)
{
	const uint64_t secret = 0x5ec2e75ec2e70001;
	uint64_t back;

	seen = ~0ul;
	read_done = 0;
	__asm__ volatile("fmv.d.x fs1, %0" : : "r"(secret) : "fs1");
	CHECK(thread_spawn(reader, NULL, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_RUN(wait_flag(&read_done, TEST_TIMEOUT));
	__asm__ volatile("fmv.x.d %0, fs1" : "=r"(back));
	CHECK_EQ(seen, 0);
	CHECK_EQ(back, secret);
	return 0;
}
