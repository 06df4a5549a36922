/*
 * The IPC fast path: call, reply_recv and page faults that can go straight
 * to a waiting thread and switch to it. Each entry either does the whole
 * operation and returns to user mode in the other thread (the current one
 * blocked), or returns having changed nothing, and the caller takes ipc.c's
 * slow path. Called only as the last step of the current thread's trap.
 */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <stdint.h>

struct thread;
struct endpoint;

/* How often each fast path was taken (SYS_KERNEL_INFO, for tests). The
 * register-to-register call and reply, and a fault received in registers,
 * each bump one counter of their own, not two: the totals are sums
 * (fastpath_calls() and so on). */
struct fastpath_counts {
	uint64_t calls;		/* call, delivered to a waiting receiver, but ... */
	uint64_t calls_regs;	/* ... these: sent and received in registers */
	uint64_t replies;	/* reply_recv answering a call, but ... */
	uint64_t replies_regs;	/* ... these: sent and received in registers */
	uint64_t faults;	/* page faults delivered to a waiting pager thread,
				 * but ... */
	uint64_t faults_regs;	/* ... these: received in registers */
	uint64_t resumes;	/* reply_recv answering a fault with FAULT_RESUME */
	uint64_t in_regs;	/* messages received in registers (abi/msg.h's
				 * register form) on this path, but for the
				 * *_regs ones (the slow path's: delivery.h) */
};
extern struct fastpath_counts fastpath_counts;

static inline uint64_t fastpath_calls(void)
{
	return fastpath_counts.calls + fastpath_counts.calls_regs;
}

static inline uint64_t fastpath_replies(void)
{
	return fastpath_counts.replies + fastpath_counts.replies_regs;
}

static inline uint64_t fastpath_faults(void)
{
	return fastpath_counts.faults + fastpath_counts.faults_regs;
}

/* Every message the fast path handed over in registers (the slow path's
 * are delivery_regs_count's). */
static inline uint64_t fastpath_in_regs(void)
{
	return fastpath_counts.in_regs + fastpath_counts.calls_regs + fastpath_counts.replies_regs +
	       fastpath_counts.faults_regs;
}

/* t's fault message (t->fault_msg) to its pager's endpoint ep; only for
 * the current thread (else it returns at once). */
void fastpath_fault(struct thread *t, struct endpoint *ep);

#endif
