/*
 * The IPC fast path (seL4's fastpath is the model). A call that finds its
 * receiver waiting, a reply_recv whose caller may run at once, a page fault
 * whose pager thread waits, and the pager's FAULT_RESUME reply: the header
 * goes in registers (abi/msg.h's register form) where both sides use it,
 * else between the message buffers through the direct map, and the kernel
 * switches to the other thread without the run queue. Anything
 * else returns having changed nothing, and ipc.c's slow path, the
 * reference, does the work; each condition below is one under which both
 * give the same result.
 */
#include "fastpath.h"
#include "ipc.h"
#include "proc.h"
#include "handle.h"
#include "sched.h"
#include "notify.h"
#include "fault_reply.h"
#include "usercopy.h"
#include "msgwin.h"
#include "release.h"
#include "abi/handle.h"
#include "abi/vm.h"
#include "abi/syscall.h"

struct fastpath_counts fastpath_counts;

/* The endpoint h names, if t holds every right in need on it (else the slow
 * path finds and reports the error). Inline: a call would cost each fast
 * path a frame. */
__attribute__((always_inline)) static inline struct endpoint *
endpoint_of(struct thread *t, uint64_t h, uint32_t need)
{
	struct object *o;

	return handle_lookup(t->proc, h, OBJ_ENDPOINT, need, &o) == 0 ? (struct endpoint *)o : NULL;
}

/* The buffer of blocked thread `to`, if it can be written now and does
 * not overlap src, if any (the slow path copies through the kernel).
 * The headers overlap when |dst - src| < H (MSG_HEADER_SIZE): dst - src in
 * [-(H - 1), H - 1], which one unsigned compare finds once shifted by
 * H - 1 (shifted by H, dst just below src, adjacent, was refused too).
 * Inline: on a hit in the window it is a few compares, where a call cost
 * a frame of five saved registers (~20 instructions on every fault the
 * pager takes in its buffer, scripts/bench). */
__attribute__((always_inline)) static inline struct msg *buffer_of(struct thread *to, const struct msg *src)
{
	struct msg *dst = msg_at(to, to->msg_va, 1);
	uintptr_t gap = (uintptr_t)dst - (uintptr_t)src + (MSG_HEADER_SIZE - 1);

	return dst && (!src || gap >= 2 * MSG_HEADER_SIZE - 1) ? dst : NULL;
}

/* Whether blocked thread r can take a header-only message now: in its
 * registers (*dst NULL) or in its buffer (*dst; src the message's, if in
 * a user buffer, which r's must not overlap; NULL if in the kernel). */
__attribute__((always_inline)) static inline int takes(struct thread *r, const struct msg *src,
						   struct msg **dst)
{
	*dst = NULL;
	return r->recv_regs || (*dst = buffer_of(r, src)) != NULL;
}

/* A message of t's that can go without the slow path: header only, no
 * handle passed (write: its buffer takes the reply too). */
static const struct msg *short_msg(struct thread *t, uint64_t va, int write)
{
	const struct msg *m = msg_at(t, va, write);

	return m && m->len == 0 && m->handle == -1 ? m : NULL;
}

/* Write header-only message src into dst as sent by `from`, with the
 * kernel's fields stamped as the slow path stamps them. */
static void put_header(struct msg *dst, uint64_t label, const uint64_t *w,
		       const struct thread *from, uint32_t origin)
{
	dst->label = label;
	dst->pid = from->proc->pid;
	dst->tid = from->tid;
	dst->origin = origin;
	dst->len = 0;
	dst->handle = -1;
	dst->rights = 0;
#pragma GCC unroll 8	/* >= MSG_WORDS: the whole loop, no branch */
	for (int i = 0; i < MSG_WORDS; i++)
		dst->w[i] = w[i];
}

/* Give r (taking it as takes() found) the header-only message label, w[]
 * from `from`, with the receive's result; 1 if it went in registers (the
 * caller counts it). Inline: in registers it is ten stores, and its
 * callers' frames already exist (the fault's 2,235 -> 2,223). */
__attribute__((always_inline)) static inline int
give(struct thread *r, struct msg *dst, uint64_t label, const uint64_t *w,
     const struct thread *from, uint32_t origin)
{
	if (!dst) {
		arch_msg_write(&r->regs, label, w, from->msg_ids, origin);
		return 1;
	}
	put_header(dst, label, w, from, origin);
	arch_set_result(&r->regs, 0);
	return 0;
}

/* give(), counted apart when it went in registers (in_regs). */
__attribute__((always_inline)) static inline void
give_counted(struct thread *r, struct msg *dst, const struct msg *m,
	     const struct thread *from, uint32_t origin)
{
	if (give(r, dst, m->label, m->w, from, origin))
		fastpath_counts.in_regs++;
}

/* The message `from` sent in registers into r's buffer dst. */
__attribute__((noinline)) static void give_regs_to_buffer(struct thread *r, struct msg *dst,
							  const struct thread *from, uint32_t origin)
{
	static struct msg k;	/* one kernel stack, no preemption: one at a time */

	arch_msg_read(&from->regs, &k);
	give(r, dst, k.label, k.w, from, origin);
}

/* give() for the message `from` sent in registers. Returns `from`, whose
 * saved context r takes the message registers from as it returns to user
 * mode (sched_run_msg: no copy at all, the stamps made on the way), or
 * NULL when it went to r's buffer. Inline: the register case is nothing.
 * Not counted here: the caller's one counter says it went in registers. */
__attribute__((always_inline)) static inline const struct thread *
give_regs(struct thread *r, struct msg *dst, const struct thread *from, uint32_t origin)
{
	if (dst) {
		give_regs_to_buffer(r, dst, from, origin);
		return NULL;
	}
	return from;
}

/* Caller c now waits for r's reply. */
static void link_reply(struct thread *c, struct thread *r)
{
	c->state = T_REPLY;
	c->replier = r;
	r->reply_to = c;
}

/* r, taken off ep's receivers with its message delivered, runs now (with
 * the message registers of the call `from` made, if not NULL). */
__attribute__((always_inline)) _Noreturn static inline void
run_receiver(struct endpoint *ep, struct thread *r, const struct thread *from)
{
	tq_pop(&ep->receivers);
	r->blocked_ep = NULL;
	if (from)
		sched_run_msg(r, &from->regs, from->msg_ids, ORIGIN_CALL);
	sched_run(r);
}

/* t calls ep (handle h) with its message at va (arguments as call_regs
 * takes them, below). */
__attribute__((noinline)) static void fastpath_call(uint64_t h, uint64_t va, struct thread *t)
{
	const struct msg *m = short_msg(t, va, 1);
	struct endpoint *ep = m ? endpoint_of(t, h, RIGHT_SEND) : NULL;
	struct thread *r = ep ? ep->receivers.head : NULL;
	struct msg *dst;

	/* A receiver below the caller's priority waits its turn (slow path). */
	if (!r || r->prio > t->prio || !sched_runs_next(r->prio) || !takes(r, m, &dst))
		return;
	give_counted(r, dst, m, t, ORIGIN_CALL);
	t->msg_va = va;
	t->is_call = 1;
	t->send_regs = t->recv_regs = 0;
	link_reply(t, r);
	fastpath_counts.calls++;
	run_receiver(ep, r, NULL);
}

/* The end of t's register-form call to r on ep, the message given (from:
 * t, whose context r takes the message registers from, or NULL); va is
 * t's reply buffer. */
__attribute__((always_inline)) _Noreturn static inline void
call_regs_done(struct thread *t, uint64_t va, struct endpoint *ep, struct thread *r,
	       const struct thread *from)
{
	t->msg_va = va;
	t->is_call = 1;
	t->send_regs = t->recv_regs = 1;
	link_reply(t, r);
	if (from)
		fastpath_counts.calls_regs++;
	else
		fastpath_counts.calls++;
	run_receiver(ep, r, from);
}

/* call_regs when a look is not enough: a window to refill, a stale ready
 * bit, a receiver taking its message in its buffer. */
__attribute__((noinline)) static void call_regs_checked(struct endpoint *ep, uint64_t va,
							 struct thread *t, struct thread *r)
{
	struct msg *dst;

	/* The slow path's checks: a buffer the reply could be written into. */
	if (!sched_runs_next(r->prio) || !msg_at(t, va, 1) || !takes(r, NULL, &dst))
		return;
	call_regs_done(t, va, ep, r, give_regs(r, dst, t, ORIGIN_CALL));
}

/* t calls ep (handle h) in the register form, its reply buffer at va
 * (arguments in the order the trap left them in registers: no moves). The
 * common case makes no call before the return to user mode, so it needs
 * no frame; any other goes on in call_regs_checked. */
__attribute__((noinline)) static void call_regs(uint64_t h, uint64_t va, struct thread *t)
{
	struct endpoint *ep = endpoint_of(t, h, RIGHT_SEND);
	struct thread *r = ep ? ep->receivers.head : NULL;

	if (!r || r->prio > t->prio)
		return;
	if (!sched_runs_next_sure(r->prio) || !msg_known(t, va, 1) || !r->recv_regs) {
		call_regs_checked(ep, va, t, r);
		return;
	}
	call_regs_done(t, va, ep, r, give_regs(r, NULL, t, ORIGIN_CALL));
}

void fastpath_fault(struct thread *t, struct endpoint *ep)
{
	struct thread *r = ep->receivers.head;
	struct msg *dst;

	/* Only at the end of t's own trap: a fault taken while delivering to
	 * t (another thread's system call) must let that call finish. */
	if (!r || t != sched_current() || r->prio > t->prio || !sched_runs_next(r->prio) ||
	    !takes(r, NULL, &dst))	/* the message is in t's record, no user buffer */
		return;
	t->in_fault = 1;
	t->is_call = 1;
	if (give(r, dst, t->fault_msg.label, t->fault_msg.w, t, ORIGIN_FAULT))
		fastpath_counts.faults_regs++;	/* one counter a fault */
	else
		fastpath_counts.faults++;
	link_reply(t, r);
	run_receiver(ep, r, NULL);
}

/* The reply of reply_recv for caller c, if it can take the fast path. */
static const struct msg *reply_msg(struct thread *t, struct thread *c, uint64_t va)
{
	if (!c->in_fault)
		return short_msg(t, va, 0);
	return c->stash ? NULL : fault_resume_msg(t, va);
}

/* t, having replied, waits on ep for its next message at va (regs: or
 * in its registers). */
static void wait_next(struct thread *t, struct endpoint *ep, uint64_t va, int regs)
{
	t->msg_va = va;
	t->recv_regs = (uint8_t)regs;
	t->state = T_RECV;
	t->blocked_ep = ep;
	tq_push(&ep->receivers, t);
}

/* Answer c's fault with reply m (NULL: in t's registers); 0 if that ended
 * c's process (t then receives on the slow path, as after any reply; if
 * that process was t's own, t is freed: no caller reads it after a 0, and
 * syscall_after_fastpath finds no current thread).
 * Inline: the register reply's three words then go from t's context to
 * the map call without a call between (13 instructions a fault). */
__attribute__((always_inline)) static inline int resume_fault(struct thread *t, struct thread *c, const struct msg *m)
{
	t->reply_to = NULL;
	c->replier = NULL;
	c->in_fault = 0;
	if ((m ? fault_map_reply(c, t, m) : fault_map_reply_regs(c, t)) < 0)
		return 0;
	fastpath_counts.resumes++;
	return 1;
}

/* t's reply reached caller c (not a fault; from: in registers, as
 * give_regs returned): the link between them goes. */
__attribute__((always_inline)) static inline void
replied(struct thread *t, struct thread *c, const struct thread *from)
{
	t->reply_to = NULL;
	c->replier = NULL;
	if (from)
		fastpath_counts.replies_regs++;
	else
		fastpath_counts.replies++;
}

/* t, having answered c, lets its release word go (NULL: none), waits on
 * ep for its next message at va (regs: or in its registers), and c runs
 * (with the message registers of the reply `from` sent, if not NULL). */
__attribute__((always_inline)) _Noreturn static inline void
answered(struct thread *t, struct thread *c, struct endpoint *ep, uint64_t va, int regs,
	 const struct thread *from, uint64_t *word)
{
	release_let_go(word);
	wait_next(t, ep, va, regs);
	if (from)
		sched_run_msg(c, &from->regs, from->msg_ids, ORIGIN_SEND);
	sched_run(c);
}

/* Answer caller c with reply m (NULL: in t's registers), let the release
 * word go (word, as release_ready found it), then t waits on ep for its
 * next message at va (regs: or in its registers); nothing done if a step
 * cannot be done here. Inline in both forms' entries: one frame for the
 * whole reply_recv. */
__attribute__((always_inline)) static inline void
answer(struct thread *t, struct thread *c, struct endpoint *ep, const struct msg *m, uint64_t va,
       int regs, uint64_t *word)
{
	const struct thread *from = NULL;
	struct msg *dst = NULL;

	/* The slow path would take a waiting sender or pending notification
	 * bits at once, or run another thread before c. */
	if (ep->senders.head || notify_bound_pending(t) || !sched_runs_next(c->prio) ||
	    !msg_at(t, va, 1) || (!c->in_fault && !takes(c, m, &dst)))
		return;
	if (c->in_fault) {
		if (!resume_fault(t, c, m))
			return;
		answered(t, c, ep, va, regs, NULL, word);
	}
	if (m)
		give_counted(c, dst, m, t, ORIGIN_SEND);
	else
		from = give_regs(c, dst, t, ORIGIN_SEND);
	replied(t, c, from);
	answered(t, c, ep, va, regs, from, word);
}

/* t's reply_recv on ep (handle h) with the reply at va, receiving next at
 * the buffer its third argument gives, its release word in the fourth.
 * The reply may be done when it returns (a fault reply that ended the
 * faulting process): t->reply_to is then NULL, or t is gone with it. */
__attribute__((noinline)) static void fastpath_reply_recv(uint64_t h, uint64_t va, struct thread *t)
{
	const uint64_t *a = arch_syscall_args(&t->regs);
	struct thread *c = t->reply_to;
	const struct msg *m = c ? reply_msg(t, c, va) : NULL;
	struct endpoint *ep = m ? endpoint_of(t, h, RIGHT_RECV) : NULL;
	uint64_t *word;

	if (ep && release_ready(t, a[3], &word))
		answer(t, c, ep, m, a[2], 0, word);
}

/* Whether the fault reply in t's registers (the register form) can be
 * applied now; resume_fault reads it there. */
static int resume_regs(struct thread *t, struct thread *c)
{
	return !c->stash && fault_resumes(arch_msg_label(&t->regs));
}

/* reply_recv_regs when a look is not enough: a fault to resume, a window
 * to refill, a stale ready bit, a caller taking its reply in its buffer. */
__attribute__((noinline)) static void reply_recv_regs_checked(uint64_t h, uint64_t va,
							       struct thread *t, struct thread *c,
							       uint64_t rva)
{
	struct endpoint *ep;
	uint64_t *word;

	if (c->in_fault && !resume_regs(t, c))
		return;
	if ((ep = endpoint_of(t, h, RIGHT_RECV)) && release_ready(t, rva, &word))
		answer(t, c, ep, NULL, va, 1, word);
}

/* t's reply_recv in the register form on ep (handle h), receiving next at
 * va (arguments as call_regs takes them), with its release word at rva (0:
 * none). The common case (answer()'s checks, each by a look) makes no
 * call before the return to user mode, so it needs no frame. */
__attribute__((always_inline)) static inline void reply_recv_regs_with(uint64_t h, uint64_t va,
								      struct thread *t, uint64_t rva)
{
	struct thread *c = t->reply_to;
	struct endpoint *ep;
	uint64_t *word;

	if (!c)
		return;
	/* A fault or a caller in memory first: they go on at once. */
	if (c->in_fault || !c->recv_regs || !(ep = endpoint_of(t, h, RIGHT_RECV)) ||
	    ep->senders.head || notify_bound_pending(t) || !sched_runs_next_sure(c->prio) ||
	    !msg_known(t, va, 1) || !release_ready(t, rva, &word)) {
		reply_recv_regs_checked(h, va, t, c, rva);
		return;
	}
	const struct thread *from = give_regs(c, NULL, t, ORIGIN_SEND);

	replied(t, c, from);
	answered(t, c, ep, va, 1, from, word);
}

/* The two register-form reply_recvs: apart, so that the one with no
 * release word pays nothing for it. */
__attribute__((noinline)) static void reply_recv_regs(uint64_t h, uint64_t va, struct thread *t)
{
	reply_recv_regs_with(h, va, t, 0);
}

/* The register form with a release word: the pager's answer to every
 * fault that maps one page. */
__attribute__((noinline)) static void reply_recv_release(uint64_t h, uint64_t va, struct thread *t)
{
	reply_recv_regs_with(h, va, t, arch_msg_release(&t->regs));
}

/* The memory forms' fast paths, n being one of them: after the register
 * forms, and out of line (five compares in a row become a jump table,
 * dearer for the first ones). */
__attribute__((noinline)) static void memory_form(uint64_t h, uint64_t va, struct thread *t,
						  uint64_t n)
{
	if (n == SYS_CALL)
		fastpath_call(h, va, t);
	else if (n == SYS_REPLY_RECV)
		fastpath_reply_recv(h, va, t);
}

/* Every system call passes here, its number and first arguments in
 * registers: each case is a tail call, so the others pay three compares
 * and a jump (the memory forms two compares more), no load and no saved
 * registers. The register forms first: a page fault's reply is one. */
void fastpath_syscall(uint64_t a0, uint64_t a1, struct arch_regs *regs, uint64_t n)
{
	struct thread *t = thread_of_regs(regs);

	if (n == SYS_CALL_REGS)
		call_regs(a0, a1, t);
	else if (n == SYS_REPLY_RECV_REGS)
		reply_recv_regs(a0, a1, t);
	else if (n == SYS_REPLY_RECV_RELEASE)
		reply_recv_release(a0, a1, t);
	else
		memory_form(a0, a1, t, n);
}
