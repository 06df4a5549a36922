/*
 * The system-call numbers: the one list shared by the kernel's dispatch table
 * (kernel/syscall.c) and the user-level wrappers (userland/lib/sys.c).
 * Calling convention: a7 = number, a0..a5 = arguments, a0 = result
 * (>= 0 success, < 0 a negated error from abi/errno.h). A handle lacking
 * the right a call needs (abi/handle.h) gets -ERR_ACCES.
 */
#ifndef ABI_SYSCALL_H
#define ABI_SYSCALL_H

enum syscall_number {
	/* Anyone. */
	SYS_DEBUG_WRITE = 0,	/* (const char *buf, size_t len) -> len */
	SYS_YIELD = 1,		/* () -> 0 */
	SYS_EXIT = 2,		/* (int status): ends the whole process */
	SYS_GETPID = 3,		/* () -> pid */
	SYS_CLOCK = 4,		/* () -> nanoseconds since boot */
	SYS_HANDLE_CLOSE = 5,	/* (handle) -> 0 */
	SYS_THREAD_EXIT = 6,	/* (): ends the calling thread only */
	SYS_GETTID = 7,		/* () -> tid */
	SYS_IDLE_NS = 8,	/* () -> nanoseconds the hart has slept idle since
				 * boot (benchmarks report disk waits apart) */
	SYS_HANDLE_INFO = 9,	/* (handle) -> (type << 8) | rights (abi/handle.h) */
	SYS_KERNEL_INFO = 50,	/* (struct kernel_info *) -> 0 (abi/kinfo.h) */

	SYS_ENDPOINT_CREATE = 10, /* () -> handle */
	SYS_SEND = 11,		/* (ep, const struct msg *) -> 0; -ERR_PIPE once no
				 * handle that may receive on ep is left */
	SYS_RECV = 12,		/* (ep, struct msg *) -> 0 */
	SYS_CALL = 13,		/* (ep, struct msg *inout) -> 0, reply in *inout */
	SYS_REPLY = 14,		/* (const struct msg *) -> 0 */
	SYS_REPLY_RECV = 15,	/* (ep, const struct msg *reply, struct msg *recv) -> 0 */

	SYS_NOTIFY_CREATE = 20,	/* () -> handle */
	SYS_NOTIFY_SIGNAL = 21,	/* (handle, uint64_t bits) -> 0 */
	SYS_NOTIFY_WAIT = 22,	/* (handle) -> bits, blocks while none pending */
	SYS_NOTIFY_POLL = 23,	/* (handle) -> bits, never blocks */
	SYS_NOTIFY_BIND = 24,	/* (handle): the calling thread's recv also
				 * wakes for these bits (ORIGIN_NOTIFY);
				 * -1 unbinds */
	SYS_IRQ_ACK = 25,	/* (notify handle, irq): the driver is done with
				 * this interrupt; it may come again */
	SYS_NOTIFY_TIMER = 26,	/* (handle, deadline_ns, bits): signal bits at
				 * the deadline (since boot, met at the next
				 * tick); 0 disarms */

	SYS_THREAD_CREATE = 30,	/* (proc, pc, sp, arg, prio) -> tid */
	SYS_PROC_WAIT = 31,	/* (proc, struct exit_info *, flags) -> 0 */
	SYS_PROC_KILL = 32,	/* (proc, int reason) -> 0 */
	SYS_PROC_INFO = 46,	/* (proc, struct proc_info *) -> 0 */

	/* Root task (the pager) only; anyone else gets -EPERM. */
	SYS_PROC_CREATE = 40,	/* (const struct proc_spec *) -> handle */
	SYS_MAP = 41,		/* (proc, const struct map_entry *, n) -> n */
	SYS_UNMAP = 42,		/* (proc, va, npages) -> 0 */
	SYS_PROTECT = 43,	/* (proc, va, npages, perm) -> 0 */
	SYS_HANDLE_GRANT = 44,	/* (proc, handle, rights) -> handle number in
				 * proc, holding those rights (a non-empty
				 * subset of the caller's on handle) */
	SYS_POWEROFF = 45,	/* (int status): does not return */
	SYS_HARVEST = 47,	/* (struct harvest_entry *, n) -> n */
	SYS_DEVICE_MAP = 48,	/* (proc, device index, va) -> pages mapped: the
				 * device's MMIO window (bootinfo devices[]) */
	SYS_IRQ_BIND = 49,	/* (irq, notify handle, bits): the interrupt
				 * signals those bits until acknowledged */

	SYS_COUNT = 51
};

#endif
