/*
 * Synchronous IPC endpoints: send, receive, call, reply, reply-and-receive.
 * A message is copied once, from the sender's memory to the receiver's.
 * Page faults enter here too, as calls the kernel makes for the thread.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <stdint.h>
#include "object.h"
#include "thread.h"
#include "tqueue.h"

struct budget;

struct endpoint {
	struct object obj;
	struct tqueue senders;		/* T_SEND threads, in arrival order */
	struct tqueue receivers;	/* T_RECV threads */
	struct budget *budget;		/* charged for it (a reference), or NULL */
};

/* At boot: how an endpoint is orphaned and freed (object.h). */
void ipc_init(void);
/* How a sender queued on an endpoint, whose message's page at va (write:
 * the access) is found missing when a receiver comes, asks its pager for
 * it: 1, its call to run again (as syscall_entry's) once the page is back,
 * the pager's FAULT_KILL failing it with -ERR_FAULT; 0 if it has no pager
 * to ask. fault.c's fault_for_syscall, set at boot: the fault path sends
 * its own message through here, so it sits above. */
typedef int ipc_sender_fault_fn(struct thread *t, uint64_t va, int write);
void ipc_on_sender_fault(ipc_sender_fault_fn *fn);
/* An endpoint charged to budget (NULL: none), or NULL: past its limit,
 * or the pool is empty. */
struct endpoint *endpoint_create(struct budget *budget);
/* Start the fault call of t to ep with t->fault_msg already filled in, on
 * the slow path (fault.c tries fastpath_fault first). */
void ipc_fault_call(struct thread *t, struct endpoint *ep);
/* A receive in two steps, for a call that does something between its
 * checks and its receive, and must not do it when the receive would fail:
 * the checks a receive by t on h into va makes before it changes anything
 * (0, or the error the receive returns), the endpoint in *ep; then the
 * receive on that ep, as recv or recv_regs (t->recv_regs set first). Once
 * the checks passed, the receive fails for nothing of a sender's (a
 * queued sender whose message cannot be read gets the error itself, and
 * t takes the next one or waits), so it is never run again for a page. */
int ipc_recv_check(struct thread *t, uint64_t h, uint64_t va, struct endpoint **ep);
int64_t ipc_recv_on(struct thread *t, struct endpoint *ep, uint64_t va);
/* Endpoints alive now (SYS_KERNEL_INFO). */
uint64_t ipc_endpoints(void);

int64_t sys_endpoint_create(struct thread *t, const uint64_t *a);
int64_t sys_send(struct thread *t, const uint64_t *a);
int64_t sys_recv(struct thread *t, const uint64_t *a);
int64_t sys_call(struct thread *t, const uint64_t *a);
int64_t sys_call_regs(struct thread *t, const uint64_t *a);
int64_t sys_recv_regs(struct thread *t, const uint64_t *a);
int64_t sys_reply(struct thread *t, const uint64_t *a);
int64_t sys_reply_recv(struct thread *t, const uint64_t *a);
int64_t sys_reply_recv_regs(struct thread *t, const uint64_t *a);
int64_t sys_reply_recv_release(struct thread *t, const uint64_t *a);

#endif
