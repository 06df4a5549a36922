/*
 * Synchronous IPC, the slow path and the reference for fastpath.c. A sender
 * meets a receiver on an endpoint; whichever comes second does the copy,
 * straight between the two address spaces. A call
 * leaves the caller waiting on the receiver, which owes it one reply. Page
 * faults are calls the kernel makes for the faulting thread, with a message
 * the kernel wrote; the reply to one is applied by fault_reply.c.
 */
#include <stddef.h>
#include "ipc.h"
#include "proc.h"
#include "handle.h"
#include "budget_caches.h"
#include "notify.h"
#include "klib.h"
#include "usercopy.h"
#include "fault_reply.h"
#include "release.h"
#include "delivery.h"
#include "sched.h"
#include "abi/errno.h"
#include "abi/handle.h"

static struct budget_kind ep_kind = { .global = { .name = "endpoint", .size = sizeof(struct endpoint) },
				       .index = BUDGET_ENDPOINTS };

/* How a queued sender asks its pager for a page of its message
 * (ipc_on_sender_fault). */
static ipc_sender_fault_fn *ask_senders_pager;

/* Set by fault.c's init, before the root task (the first receiver) runs. */
void ipc_on_sender_fault(ipc_sender_fault_fn *fn)
{
	ask_senders_pager = fn;
}

struct endpoint *endpoint_create(struct budget *budget)
{
	struct endpoint *ep = budget_kind_alloc(budget, &ep_kind);

	if (!ep)
		return NULL;
	ep->obj.type = OBJ_ENDPOINT;
	ep->budget = budget;
	return ep;
}

/* No handle names ep any more: fail everyone queued on it. */
static void endpoint_orphaned(struct object *o)
{
	struct endpoint *ep = (struct endpoint *)o;
	struct thread *t;

	while ((t = tq_pop(&ep->receivers)))
		thread_wake(t, -ERR_PIPE);
	while ((t = tq_pop(&ep->senders))) {
		if (t->in_fault)
			delivery_fault_unanswered(t);	/* ends no process here */
		else
			thread_wake(t, -ERR_PIPE);
	}
}

static void endpoint_free(struct object *o)
{
	endpoint_orphaned(o);
	budget_kind_free(((struct endpoint *)o)->budget, &ep_kind, o);
}

void ipc_init(void)
{
	object_on_free(OBJ_ENDPOINT, endpoint_free);
	object_on_orphaned(OBJ_ENDPOINT, endpoint_orphaned);
}

/* Install in `to` the handle k names in `from` (checked by read_outgoing
 * just before), with the rights k asks for; k then names the receiver's
 * copy, or with no rights -1 (none passed) or MSG_HANDLE_LOST (the
 * receiver's table is full). */
static void pass_handle(struct thread *from, struct msg *k, struct thread *to)
{
	const struct handle *e = k->handle < 0 ? NULL : handle_entry(from->proc, (uint64_t)k->handle);
	uint32_t rights = e ? e->rights & (k->rights ? k->rights : RIGHTS_ALL) : 0;
	int h = e && (e->rights & RIGHT_GRANT) ? handle_install(to->proc, e->obj, rights) : -1;

	k->handle = h >= 0 ? h : e ? MSG_HANDLE_LOST : -1;
	k->rights = h < 0 ? 0 : rights;
}

/* A handle a message passes must be one the sender may pass on, with
 * rights it holds (rights only shrink: the receiver's copy always has some). */
static int check_passed(struct proc *p, const struct msg *k)
{
	const struct handle *e;

	if (k->handle == -1)
		return 0;
	if (k->rights & ~(uint32_t)RIGHTS_ALL)
		return -ERR_INVAL;
	if (!(e = handle_entry(p, (uint64_t)(int64_t)k->handle)))
		return -ERR_BADF;
	if (!(e->rights & RIGHT_GRANT) || (k->rights & ~e->rights))
		return -ERR_ACCES;
	return 0;
}

/*
 * Read a message to be sent from p's memory at va into k, checking it on
 * the way: readable header and data, sane length, a handle it may pass (or
 * -1), and for a call a buffer the reply can be written into.
 */
static int read_outgoing(struct proc *p, uint64_t va, int want_reply, struct msg *k)
{
	int r = copyin(p, k, va, MSG_HEADER_SIZE);

	if (r < 0)
		return r;
	if (k->len > MSG_DATA_MAX)
		return -ERR_INVAL;
	if ((r = check_passed(p, k)) < 0)
		return r;
	if (k->len > 0 && (r = copyin(p, k->data, va + MSG_HEADER_SIZE, k->len)) < 0)
		return r;
	return want_reply ? user_check(p, va, sizeof(struct msg), 1) : 0;
}

/* Stamp the kernel's fields on k, from `from` to `to`. */
static void stamp(struct msg *k, struct thread *from, struct thread *to, uint32_t origin)
{
	k->pid = from->proc->pid;
	k->tid = from->tid;
	k->origin = origin;
	if (!from->in_fault) {
		pass_handle(from, k, to);
		return;
	}
	k->handle = -1;
	k->rights = 0;
}

/* A message t sends in registers (abi/msg.h's register form), into k; for
 * a call, a buffer a reply that cannot come in registers can be written into. */
static int regs_outgoing(struct thread *t, uint64_t va, int want_reply, struct msg *k)
{
	arch_msg_read(&t->regs, k);
	return want_reply ? user_check(t->proc, va, sizeof(struct msg), 1) : 0;
}

/* The message of a thread that was blocked sending (read again now: its
 * memory may have changed), or its fault message. */
static int compose(struct thread *from, struct thread *to, uint32_t origin, struct msg *k)
{
	int r = 0;

	if (from->in_fault)
		memcpy(k, &from->fault_msg, MSG_HEADER_SIZE);
	else if (from->send_regs)
		arch_msg_read(&from->regs, k);
	else
		r = read_outgoing(from->proc, from->msg_va, 0, k);
	if (r == 0)
		stamp(k, from, to, origin);
	return r;
}

static uint32_t origin_of(const struct thread *sender)
{
	if (sender->in_fault)
		return ORIGIN_FAULT;
	return sender->is_call ? ORIGIN_CALL : ORIGIN_SEND;
}

/* Queued sender s's message could not be read (err): the failure is s's
 * alone, never its receiver's. A page of s's own not there yet (evicted
 * while s waited) is asked of s's pager and s's call runs again once it is
 * back, as syscall_entry does for a caller's own page; anything else (a
 * handle it passes closed, a length raised, a page unmapped) fails s's call.
 * Only a message in memory can fail (compose). */
static void sender_failed(struct thread *s, int err)
{
	if (err == -ERR_FAULT && user_miss.proc == s->proc &&
	    ask_senders_pager(s, user_miss.va, user_miss.write))
		return;
	thread_wake(s, err);
}

/* The first sender queued on ep whose message can be read, the message
 * composed for t into k; NULL when none is left. Each one whose message
 * cannot be read is failed on the way (sender_failed). */
static struct thread *next_sender(struct endpoint *ep, struct thread *t, struct msg *k)
{
	struct thread *s;
	int err;

	while ((s = tq_pop(&ep->senders))) {
		s->blocked_ep = NULL;
		user_miss.proc = NULL;
		if ((err = compose(s, t, origin_of(s), k)) == 0)
			return s;
		sender_failed(s, err);
	}
	return NULL;
}

uint64_t ipc_endpoints(void)
{
	return ep_kind.live;
}

/* After a delivery: a caller (or faulting thread) waits for the receiver's
 * reply; a plain sender is done. */
static void link_reply(struct thread *sender, struct thread *receiver)
{
	if (!(sender->is_call || sender->in_fault)) {
		thread_wake(sender, 0);
		return;
	}
	sender->state = T_REPLY;
	sender->replier = receiver;
	receiver->reply_to = sender;
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

/* The endpoint h names, if t may use it for `need`. */
static int endpoint_lookup(struct thread *t, uint64_t h, uint32_t need, struct endpoint **ep)
{
	struct object *o;
	int r = handle_lookup(t->proc, h, OBJ_ENDPOINT, need, &o);

	*ep = r == 0 ? (struct endpoint *)o : NULL;
	return r;
}

/* Send (call: and wait for the reply) the message at va, or in t's
 * registers (regs: the register form, both ways). */
static int64_t do_send(struct thread *t, uint64_t h, uint64_t va, int call, int regs)
{
	static struct msg k;	/* one kernel stack, no preemption: one at a time */
	struct endpoint *ep;
	struct thread *r;
	int err = regs ? regs_outgoing(t, va, call, &k) : read_outgoing(t->proc, va, call, &k);

	if (err < 0 || (err = endpoint_lookup(t, h, RIGHT_SEND, &ep)) < 0)
		return err;
	if (ep->obj.receivers == 0)
		return -ERR_PIPE;	/* no one could ever take it */
	t->msg_va = va;
	t->is_call = call;
	t->send_regs = t->recv_regs = (uint8_t)regs;
	r = tq_pop(&ep->receivers);
	if (!r)
		return block_on(t, ep, &ep->senders, T_SEND);
	r->blocked_ep = NULL;
	stamp(&k, t, r, call ? ORIGIN_CALL : ORIGIN_SEND);
	/* r and t are still there after it: no delivery ends a process. */
	if ((err = delivery_to(r, &k)) < 0 || !call)
		return err;
	t->state = T_REPLY;
	t->replier = r;
	r->reply_to = t;
	return SYSCALL_BLOCKED;
}

/* The receive's two steps (ipc.h), each inline in do_recv, which makes
 * them in one frame as it did when they were one function; device.c's
 * irq_ack_recv makes them apart. */
__attribute__((always_inline)) static inline int recv_ready(struct thread *t, uint64_t h,
							    uint64_t va, struct endpoint **ep)
{
	int err = user_check(t->proc, va, sizeof(struct msg), 1);

	if (err < 0 || (err = endpoint_lookup(t, h, RIGHT_RECV, ep)) < 0)
		return err;
	return t->reply_to ? -ERR_BUSY : 0;	/* reply first, or use reply_recv */
}

__attribute__((always_inline)) static inline int64_t recv_on(struct thread *t,
							     struct endpoint *ep, uint64_t va)
{
	static struct msg k;
	struct thread *s;
	uint64_t bits;
	int err;

	t->msg_va = va;
	if ((bits = notify_take_bound(t)) != 0) {
		/* Events first: a busy endpoint must not starve interrupts. */
		notify_message(&k, bits);
		return delivery_in_regs(t, &k) ? MSG_IN_REGS : copyout(t->proc, va, &k, MSG_HEADER_SIZE);
	}
	/* The look first: no call when no one is queued (a server's usual
	 * receive after its reply). */
	s = ep->senders.head ? next_sender(ep, t, &k) : NULL;
	if (!s)
		return block_on(t, ep, &ep->receivers, T_RECV);
	/* t's buffer was checked (recv_ready), so this copy cannot miss;
	 * should it, the receive fails and the sender is not blamed: a fault
	 * is tried again (a delivery ends no process), a send fails. */
	if (delivery_in_regs(t, &k))
		err = MSG_IN_REGS;
	else if ((err = copyout(t->proc, va, &k, MSG_HEADER_SIZE + k.len)) < 0 && k.handle >= 0)
		handle_close(t->proc, (uint64_t)k.handle);	/* never told of it */
	if (err < 0) {
		if (s->in_fault)
			delivery_fault_unanswered(s);
		else
			thread_wake(s, err);
		return err;
	}
	link_reply(s, t);
	return err;
}

int ipc_recv_check(struct thread *t, uint64_t h, uint64_t va, struct endpoint **ep)
{
	return recv_ready(t, h, va, ep);
}

int64_t ipc_recv_on(struct thread *t, struct endpoint *ep, uint64_t va)
{
	return recv_on(t, ep, va);
}

static int64_t do_recv(struct thread *t, uint64_t h, uint64_t va)
{
	struct endpoint *ep;
	int err = recv_ready(t, h, va, &ep);

	return err < 0 ? err : recv_on(t, ep, va);
}

/* A pager thread whose buffer cannot take the fault message is woken with
 * the error (delivery_to) and the fault goes to the next one or waits: the
 * failure is the pager's, and t's process is not ended here. So no
 * delivery ends a process (delivery.h), though it may make a fault call. */
void ipc_fault_call(struct thread *t, struct endpoint *ep)
{
	static struct msg k;
	struct thread *r;

	t->in_fault = 1;
	t->is_call = 1;
	while ((r = tq_pop(&ep->receivers))) {
		r->blocked_ep = NULL;
		if (compose(t, r, ORIGIN_FAULT, &k) == 0 && delivery_to(r, &k) == 0) {
			link_reply(t, r);
			return;
		}
	}
	block_on(t, ep, &ep->senders, T_SEND);
}

/* Send reply k (read from t's memory) to the caller t owes one. */
static int64_t do_reply(struct thread *t, struct msg *k)
{
	struct thread *c = t->reply_to;

	if (!c)
		return -ERR_SRCH;
	t->reply_to = NULL;
	c->replier = NULL;
	if (c->in_fault)
		return fault_reply(c, t, k);
	stamp(k, t, c, ORIGIN_SEND);
	return delivery_to(c, k);
}

int64_t sys_endpoint_create(struct thread *t, const uint64_t *a)
{
	/* Its maker pays, and goes on paying if it passes the endpoint on
	 * and ends: what a line makes is the line's, whoever holds it. */
	struct endpoint *ep = endpoint_create(t->proc->budget);
	int h;

	(void)a;
	if (!ep)
		return -ERR_NOMEM;
	h = handle_install(t->proc, &ep->obj, RIGHTS_ALL);
	if (h < 0)
		endpoint_free(&ep->obj);
	return h;
}

int64_t sys_send(struct thread *t, const uint64_t *a)
{
	return do_send(t, a[0], a[1], 0, 0);
}

int64_t sys_call(struct thread *t, const uint64_t *a)
{
	t->slow_calls++;
	return do_send(t, a[0], a[1], 1, 0);
}

int64_t sys_call_regs(struct thread *t, const uint64_t *a)
{
	t->slow_calls++;
	return do_send(t, a[0], a[1], 1, 1);
}

int64_t sys_recv(struct thread *t, const uint64_t *a)
{
	t->recv_regs = 0;
	return do_recv(t, a[0], a[1]);
}

int64_t sys_recv_regs(struct thread *t, const uint64_t *a)
{
	t->recv_regs = 1;
	return do_recv(t, a[0], a[1]);
}

int64_t sys_reply(struct thread *t, const uint64_t *a)
{
	static struct msg k;
	int err = read_outgoing(t->proc, a[0], 0, &k);

	return err < 0 ? err : do_reply(t, &k);
}

/* Reply k (read and checked as err says), let the release word at rva go
 * (release.h; 0: none), then receive on h into va (or t's registers:
 * regs). Every check comes first: an error changes nothing. The receive
 * cannot fail once the word is let go (its checks are these, and its
 * copy-out was checked), so reply_recv_release's caller may read any
 * error as "nothing done" and let its lock go itself. */
static int64_t reply_then_recv(struct thread *t, struct msg *k, int err, uint64_t h,
			       uint64_t va, int regs, uint64_t rva)
{
	struct endpoint *ep;
	uint64_t *word;

	if (err == 0)
		err = user_check(t->proc, va, sizeof(struct msg), 1);
	if (err == 0)
		err = endpoint_lookup(t, h, RIGHT_RECV, &ep);
	if (err == 0)
		err = release_check(t, rva, &word);
	if (err < 0)
		return err;
	/* A reply that cannot be delivered (the caller died) does not stop the
	 * server from taking its next message. A fault reply that ends the
	 * faulting process ends t too if that is t's own (a process taking
	 * its own faults): then t is gone, and so is its receive. */
	if (t->reply_to) {
		do_reply(t, k);
		if (sched_current() != t)
			return SYSCALL_BLOCKED;
	}
	release_let_go(word);
	t->recv_regs = (uint8_t)regs;
	return do_recv(t, h, va);
}

int64_t sys_reply_recv(struct thread *t, const uint64_t *a)
{
	static struct msg k;

	return reply_then_recv(t, &k, read_outgoing(t->proc, a[1], 0, &k), a[0], a[2], 0, a[3]);
}

int64_t sys_reply_recv_regs(struct thread *t, const uint64_t *a)
{
	static struct msg k;

	arch_msg_read(&t->regs, &k);
	return reply_then_recv(t, &k, 0, a[0], a[1], 1, 0);
}

int64_t sys_reply_recv_release(struct thread *t, const uint64_t *a)
{
	static struct msg k;

	arch_msg_read(&t->regs, &k);
	return reply_then_recv(t, &k, 0, a[0], a[1], 1, arch_msg_release(&t->regs));
}
