/*
 * Synchronous IPC. A sender meets a receiver on an endpoint; whichever comes
 * second does the copy, straight between the two address spaces. A call
 * leaves the caller waiting on the receiver, which owes it one reply. Page
 * faults are calls the kernel makes for the faulting thread, with a message
 * the kernel wrote; the reply to one is read by fault.c.
 */
#include <stddef.h>
#include "ipc.h"
#include "proc.h"
#include "handle.h"
#include "sched.h"
#include "kmem.h"
#include "klib.h"
#include "usercopy.h"
#include "syscall.h"
#include "fault.h"
#include "abi/errno.h"

static struct kcache ep_cache = { "endpoint", sizeof(struct endpoint), 0, 0 };

struct endpoint *endpoint_create(void)
{
	struct endpoint *ep = kcache_alloc(&ep_cache);

	if (ep)
		ep->obj.type = OBJ_ENDPOINT;
	return ep;
}

void endpoint_free(struct endpoint *ep)
{
	endpoint_orphaned(ep);
	kcache_free(&ep_cache, ep);
}

void endpoint_orphaned(struct endpoint *ep)
{
	struct thread *t;

	while ((t = tq_pop(&ep->receivers)))
		thread_wake(t, -ERR_PIPE);
	while ((t = tq_pop(&ep->senders))) {
		if (t->in_fault) {
			fault_no_pager(t);
			continue;
		}
		thread_wake(t, -ERR_PIPE);
	}
}

/* Pass the handle a sender named in its message; -1 if none or invalid. */
static int32_t pass_handle(struct thread *from, int32_t h, struct thread *to)
{
	struct object *o;

	if (h < 0)
		return -1;
	o = handle_any(from->proc, (uint64_t)h);
	if (!o)
		return -1;
	h = handle_install(to->proc, o);
	return h < 0 ? -1 : h;
}

/*
 * Copy the message of `from` (at from->msg_va, or its fault message) into
 * the buffer of `to` (at to->msg_va), stamping the kernel's fields.
 */
static int transfer(struct thread *from, struct thread *to, uint32_t origin)
{
	struct msg hdr;
	int r;

	if (from->in_fault)
		memcpy(&hdr, &from->fault_msg, MSG_HEADER_SIZE);
	else if ((r = copyin(from->proc, &hdr, from->msg_va, MSG_HEADER_SIZE)) < 0)
		return r;
	if (hdr.len > MSG_DATA_MAX)
		return -ERR_INVAL;
	hdr.pid = from->proc->pid;
	hdr.tid = from->tid;
	hdr.origin = origin;
	hdr.reserved = 0;
	hdr.handle = from->in_fault ? -1 : pass_handle(from, hdr.handle, to);
	r = copyout(to->proc, to->msg_va, &hdr, MSG_HEADER_SIZE);
	if (r < 0 || hdr.len == 0 || from->in_fault)
		return r;
	return copy_user(to->proc, to->msg_va + MSG_HEADER_SIZE, from->proc,
			 from->msg_va + MSG_HEADER_SIZE, hdr.len);
}

static uint32_t origin_of(const struct thread *sender)
{
	if (sender->in_fault)
		return ORIGIN_FAULT;
	return sender->is_call ? ORIGIN_CALL : ORIGIN_SEND;
}

/* Deliver sender's message to receiver, which was waiting or is calling
 * recv now. The receiver's result is set; the sender is woken or, for a
 * call, left waiting for the reply. */
static int deliver(struct thread *sender, struct thread *receiver)
{
	int r = transfer(sender, receiver, origin_of(sender));

	if (r < 0 || !(sender->is_call || sender->in_fault)) {
		if (!sender->in_fault)
			thread_wake(sender, r);
		else if (r < 0)
			fault_no_pager(sender);
		return r;
	}
	sender->state = T_REPLY;
	sender->replier = receiver;
	receiver->reply_to = sender;
	return 0;
}

/* Check a message about to be sent: readable header and data, sane length,
 * a valid handle to pass (or -1), and for a call a buffer the reply can be
 * written into. */
static int check_outgoing(struct proc *p, uint64_t va, int want_reply)
{
	struct msg hdr;
	int r = copyin(p, &hdr, va, MSG_HEADER_SIZE);
	uint32_t len = hdr.len;

	if (r < 0)
		return r;
	if (len > MSG_DATA_MAX)
		return -ERR_INVAL;
	if (hdr.handle != -1 && !handle_any(p, (uint64_t)(int64_t)hdr.handle))
		return -ERR_BADF;
	r = user_check(p, va, MSG_HEADER_SIZE + len, 0);
	if (r == 0 && want_reply)
		r = user_check(p, va, sizeof(struct msg), 1);
	return r;
}

/* Queue t on q of ep and leave it blocked in state. */
static int64_t block_on(struct thread *t, struct endpoint *ep, struct tqueue *q,
			enum thread_state state)
{
	t->state = state;
	t->blocked_ep = ep;
	tq_push(q, t);
	return SYSCALL_BLOCKED;
}

static struct endpoint *lookup(struct thread *t, uint64_t h)
{
	return (struct endpoint *)handle_get(t->proc, h, OBJ_ENDPOINT);
}

static int64_t do_send(struct thread *t, uint64_t h, uint64_t va, int call)
{
	struct endpoint *ep = lookup(t, h);
	struct thread *r;
	int err = check_outgoing(t->proc, va, call);

	if (err < 0)
		return err;
	if (!ep)
		return -ERR_BADF;
	t->msg_va = va;
	t->is_call = call;
	r = tq_pop(&ep->receivers);
	if (!r)
		return block_on(t, ep, &ep->senders, T_SEND);
	r->blocked_ep = NULL;
	err = transfer(t, r, call ? ORIGIN_CALL : ORIGIN_SEND);
	thread_wake(r, err);
	if (err < 0 || !call)
		return err;
	t->state = T_REPLY;
	t->replier = r;
	r->reply_to = t;
	return SYSCALL_BLOCKED;
}

static int64_t do_recv(struct thread *t, uint64_t h, uint64_t va)
{
	struct endpoint *ep = lookup(t, h);
	struct thread *s;
	int err = user_check(t->proc, va, sizeof(struct msg), 1);

	if (err < 0)
		return err;
	if (!ep)
		return -ERR_BADF;
	if (t->reply_to)
		return -ERR_BUSY;	/* reply first, or use reply_recv */
	t->msg_va = va;
	s = tq_pop(&ep->senders);
	if (!s)
		return block_on(t, ep, &ep->receivers, T_RECV);
	s->blocked_ep = NULL;
	return deliver(s, t);
}

void ipc_fault_call(struct thread *t, struct endpoint *ep)
{
	struct thread *r = tq_pop(&ep->receivers);

	t->in_fault = 1;
	t->is_call = 1;
	if (!r) {
		block_on(t, ep, &ep->senders, T_SEND);
		return;
	}
	r->blocked_ep = NULL;
	if (deliver(t, r) == 0)
		thread_wake(r, 0);
	else
		thread_wake(r, -ERR_FAULT);
}

/* Send t's reply (at va) to the caller it owes one. */
static int64_t do_reply(struct thread *t, uint64_t va)
{
	struct thread *c = t->reply_to;
	int err;

	if (!c)
		return -ERR_SRCH;
	t->reply_to = NULL;
	c->replier = NULL;
	if (c->in_fault)
		return fault_reply(c, t, va);
	t->msg_va = va;
	err = transfer(t, c, ORIGIN_SEND);
	thread_wake(c, err);
	return err;
}

int64_t sys_endpoint_create(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep = endpoint_create();
	int h;

	(void)a;
	if (!ep)
		return -ERR_NOMEM;
	h = handle_install(t->proc, &ep->obj);
	if (h < 0)
		kcache_free(&ep_cache, ep);
	return h;
}

int64_t sys_send(struct thread *t, const uint64_t *a)
{
	return do_send(t, a[0], a[1], 0);
}

int64_t sys_call(struct thread *t, const uint64_t *a)
{
	return do_send(t, a[0], a[1], 1);
}

int64_t sys_recv(struct thread *t, const uint64_t *a)
{
	return do_recv(t, a[0], a[1]);
}

int64_t sys_reply(struct thread *t, const uint64_t *a)
{
	int err = check_outgoing(t->proc, a[0], 0);

	return err < 0 ? err : do_reply(t, a[0]);
}

int64_t sys_reply_recv(struct thread *t, const uint64_t *a)
{
	int err = check_outgoing(t->proc, a[1], 0);

	if (err == 0)
		err = user_check(t->proc, a[2], sizeof(struct msg), 1);
	if (err < 0)
		return err;
	if (!lookup(t, a[0]))
		return -ERR_BADF;
	/* A reply that cannot be delivered (the caller died) does not stop the
	 * server from taking its next message. */
	if (t->reply_to)
		do_reply(t, a[1]);
	return do_recv(t, a[0], a[2]);
}
