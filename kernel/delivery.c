/*
 * Delivering a message to a thread blocked in receive (or waiting for a
 * reply): into its registers when it receives in the register form, else
 * into its buffer. A copy that meets a page of the buffer not yet there is
 * kept in the thread's room for it (a pending copy) while its pager brings
 * the page, then finished or given up with the handle it passed.
 */
#include <stddef.h>
#include "delivery.h"
#include "proc.h"
#include "handle.h"
#include "klib.h"
#include "usercopy.h"
#include "sched.h"
#include "abi/errno.h"

/* How a missing page of a receiver's buffer is asked for (delivery_on_fault). */
static delivery_fault_fn *ask_pager;

/* Set by fault.c's init, before the root task (the first receiver) runs. */
void delivery_on_fault(delivery_fault_fn *fn)
{
	ask_pager = fn;
}

/* Messages delivery_in_regs put in registers (delivery_regs_count). */
static uint64_t in_regs;

/* Messages waiting for a receiver's page (see copy_to_blocked), at most
 * one a thread, each in its thread's room (t->copy, made with it:
 * thread.c), so keeping one takes nothing from the pool. */
static uint64_t kept;

/* The handle a message being copied to t installed in t's table (entry
 * h at gen), if it is still that install: no one will learn its number
 * now. One of t's process's threads may have closed h meanwhile (guessing
 * the number) and been given another handle there, which it was told of:
 * a like object is no proof, the entry's gen is (only t's process closes
 * its entries, so only it could bring gen round again, 2^32 closes of h
 * while one copy waits, to its own harm). */
static void undo_passed(struct thread *t, int32_t h, uint32_t gen)
{
	const struct handle *e = h >= 0 ? handle_entry(t->proc, (uint64_t)h) : NULL;

	if (e && e->gen == gen)
		handle_close(t->proc, (uint64_t)h);
}

static void drop_stash(struct thread *t)
{
	if (!t->stash)
		return;
	t->stash = NULL;
	kept--;
}

/* Keep the copy in t's room until its page is there. */
static void stash(struct thread *t, uint64_t va, const void *src, size_t len, int32_t h,
		  uint32_t gen, uint8_t call)
{
	if (t->stash && t->stash->bytes == src)
		return;	/* already kept: this is the retry */
	if (!t->stash)
		kept++;
	t->stash = t->copy;
	t->stash->call = call;
	t->stash->va = va;
	t->stash->len = (uint32_t)len;
	t->stash->handle = h;
	t->stash->gen = gen;
	memcpy(t->stash->bytes, src, len);
}

void delivery_release_caller(struct thread *t)
{
	struct thread *caller = t->reply_to;

	if (!caller)
		return;
	caller->replier = NULL;
	t->reply_to = NULL;
	if (caller->in_fault)
		delivery_fault_unanswered(caller);
	else
		thread_wake(caller, -ERR_PIPE);
}

void delivery_resume(struct thread *t)
{
	/* A fault for a delivery's page (its copy kept): the copy is tried
	 * (again). Run as it was, t would leave its call with no result, and
	 * its copy would land at its next fault, over whatever it was doing
	 * then. */
	if (t->stash)
		delivery_finish(t);
	else
		sched_ready(t);	/* it retries the access or system call */
}

void delivery_fault_unanswered(struct thread *t)
{
	t->in_fault = 0;
	delivery_resume(t);	/* another pager thread asked, or it faults again */
}

/* The copy to t is given up with err: the handle h it installed (at gen)
 * goes, t wakes with err, and if it was a call, its caller, whose message
 * t never saw, no longer waits for t's reply. */
static void give_up(struct thread *t, int64_t err, int32_t h, uint32_t gen, uint8_t call)
{
	undo_passed(t, h, gen);
	drop_stash(t);
	thread_wake(t, err);
	if (call)
		delivery_release_caller(t);
}

/* delivery_copy for a message that installed handle h (its entry's gen
 * then) in to's table, or -1: if the copy is given up, so is h. */
static int copy_to_blocked(struct thread *to, uint64_t va, const void *src, size_t len,
			   int32_t h, uint32_t gen, uint8_t call)
{
	int r;

	user_miss.proc = NULL;
	r = copyout(to->proc, va, src, len);
	if (r == 0) {
		drop_stash(to);
		thread_wake(to, 0);
		return 0;
	}
	if (user_miss.proc == to->proc) {
		stash(to, va, src, len, h, gen, call);
		if (ask_pager(to, user_miss.va))
			return 0;
	}
	give_up(to, r, h, gen, call);
	return r;
}

int delivery_copy(struct thread *to, uint64_t va, const void *src, size_t len)
{
	return copy_to_blocked(to, va, src, len, -1, 0, 0);
}

int delivery_in_regs(struct thread *t, const struct msg *k)
{
	/* Not a handle lost to a full table either: registers say -1. */
	if (!t->recv_regs || k->len != 0 || k->handle != -1)
		return 0;
	arch_msg_write(&t->regs, k->label, k->w, arch_msg_ids(k->pid, k->tid), k->origin);
	in_regs++;
	return 1;
}

int delivery_to(struct thread *to, const struct msg *k)
{
	if (delivery_in_regs(to, k)) {
		thread_wake(to, MSG_IN_REGS);
		return 0;
	}
	const struct handle *e = k->handle >= 0 ? handle_entry(to->proc, (uint64_t)k->handle) : NULL;

	/* A fault is a call too: its thread waits for the pager's reply. */
	return copy_to_blocked(to, to->msg_va, k, MSG_HEADER_SIZE + k->len, e ? k->handle : -1,
			       e ? e->gen : 0, k->origin == ORIGIN_CALL || k->origin == ORIGIN_FAULT);
}

void delivery_finish(struct thread *t)
{
	struct pending_copy *p = t->stash;

	copy_to_blocked(t, p->va, p->bytes, p->len, p->handle, p->gen, p->call);
}

void delivery_thread_gone(struct thread *t)
{
	drop_stash(t);
}

uint64_t delivery_regs_count(void)
{
	return in_regs;
}

uint64_t delivery_pending_copies(void)
{
	return kept;
}

void delivery_drop(struct thread *t, int64_t err)
{
	const struct pending_copy *p = t->stash;

	give_up(t, err, p->handle, p->gen, p->call);
}
