/*
 * The only code of ours a made-up thread (calls.c, ops.c) or a made-up
 * fork's child (pagerreq.c) may start in: each ends at once without
 * touching the stack. Started anywhere else in the program, such a thread
 * or child would run the fuzzer's own code with made-up registers, which
 * makes a run meaningless rather than finds a bug.
 */
#include "fuzz.h"
#include "syscall.h"

/* A thread may start here: it ends itself at once, touching no stack. */
__attribute__((naked)) void fuzz_thread_exit_entry(void)
{
	__asm__ volatile("li a7, %0\n\tecall\n1:\tj 1b" : : "i"(SYS_THREAD_EXIT));
}

/* A forked process may start here: it exits at once, touching no stack. */
__attribute__((naked)) void fuzz_exit_entry(void)
{
	__asm__ volatile("li a0, 0\n\tli a7, %0\n\tecall\n1:\tj 1b" : : "i"(SYS_EXIT));
}
