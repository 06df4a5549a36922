/*
 * Delivering a message to a blocked thread: its registers or its buffer,
 * with the copy kept while a page of the buffer is brought in. ipc.c and
 * fastpath.c decide who meets whom; this file only hands the message over.
 */
#ifndef KERNEL_DELIVERY_H
#define KERNEL_DELIVERY_H

#include <stddef.h>
#include <stdint.h>
#include "thread.h"
#include "abi/msg.h"

/* How a delivery that meets a missing page of blocked thread t's buffer
 * at va asks t's pager for it: 1, and the copy waits in t->stash for the
 * pager's answer; 0 if t has no pager to ask. fault.c's, set at boot: the
 * fault path sends its own message through here, so it sits above. */
typedef int delivery_fault_fn(struct thread *t, uint64_t va);
void delivery_on_fault(delivery_fault_fn *fn);

/* Whether k goes to t's registers: header-only, to a thread that receives
 * in the register form. Written there with its stamps if so. */
int delivery_in_regs(struct thread *t, const struct msg *k);
/* Give k to blocked thread `to` (its registers or its buffer) and wake it
 * with the receive's result; 0, or the error it was woken with. It ends no
 * process (a fault call for `to`'s page waits if no pager thread can take
 * it: ipc_fault_call), so its caller may go on using the threads. */
int delivery_to(struct thread *to, const struct msg *k);

/* Copy len bytes to va in blocked thread `to` and wake it with 0; if the
 * page is not there or is copy-on-write, its pager is asked for it first
 * and the copy finishes when it answers. Returns 0, or the error `to` was
 * woken with: -ERR_FAULT for a page no pager brings (the copy is kept
 * meanwhile in `to`'s own room, never refused). Used for messages and for
 * proc_wait's exit record. */
int delivery_copy(struct thread *to, uint64_t va, const void *src, size_t len);
/* The pager answered the fault taken to deliver t->stash: try again (which
 * may fault on the buffer's next page), or give up with err. A message
 * given up (here or at any try) that was a call lets its caller go, as
 * delivery_release_caller. */
void delivery_finish(struct thread *t);
/* t's fault is over (answered, or never to be): a delivery's copy kept
 * for t is tried again (delivery_finish), else t runs and retries. */
void delivery_resume(struct thread *t);
void delivery_drop(struct thread *t, int64_t err);
/* t will never answer the caller it owes a reply (t is ending, or the call
 * never reached it): the caller gets -ERR_PIPE, as from a server that
 * died; a faulting one retries its access, which finds out again. */
void delivery_release_caller(struct thread *t);
/* t's fault call will not be answered (the pager thread it went to ends,
 * or the pager's endpoint loses its last receiver): t tries again in its
 * own time, never ended from here (the code that called may go on using
 * threads): a delivery's copy kept for t is tried anew (another pager
 * thread asked, or given up with an error), else t runs and faults again,
 * which ends it in its own trap if it has no pager any more. */
void delivery_fault_unanswered(struct thread *t);
/* t is ending (thread_end.c): drop the copy kept for it. */
void delivery_thread_gone(struct thread *t);
/* Messages delivery_in_regs wrote into registers: the slow path's count
 * (SYS_KERNEL_INFO adds the fast path's, fastpath.h). */
uint64_t delivery_regs_count(void);
/* Pending copies alive now (SYS_KERNEL_INFO). */
uint64_t delivery_pending_copies(void);

#endif
