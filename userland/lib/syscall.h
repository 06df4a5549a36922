/*
 * The one way into the kernel: ecall with a7 = number, a0..a5 = arguments,
 * a0 = result (kernel/abi/syscall.h). Internal to the library, and used
 * directly only by tests that must pass arguments no typed wrapper would.
 */
#ifndef USER_SYSCALL_H
#define USER_SYSCALL_H

/* Make system call n. Of the caller-saved registers the ABI keeps only t2
 * (ipc.c's register-form wrappers rely on it); this general wrapper treats
 * them all as clobbered, as across a function call. */
static inline long sys_ecall(long n, long a0, long a1, long a2, long a3,
			     long a4, long a5)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r5 __asm__("a5") = a5;
	register long r7 __asm__("a7") = n;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4),
			   "+r"(r5), "+r"(r7)
			 :
			 : "a6", "t0", "t1", "t2", "t3", "t4", "t5", "t6",
			   "memory");
	return r0;
}

#endif
