/*
 * Thread records and the queues they wait on. Destroying a thread undoes
 * every link it has, whatever it was blocked on, so killing a process in
 * the middle of an IPC leaves no dangling pointer behind.
 */
#include "thread.h"
#include "proc.h"
#include "sched.h"
#include "notify.h"
#include "ipc.h"
#include "delivery.h"
#include "kmem.h"
#include "abi/errno.h"

static struct kcache thread_cache = { "thread", sizeof(struct thread), 0, 0 };
static uint32_t next_tid = 1;

void tq_remove(struct thread *t)
{
	struct tqueue *q = t->queue;
	struct thread *prev = NULL;

	if (!q)
		return;
	for (struct thread *x = q->head; x; prev = x, x = x->qnext) {
		if (x != t)
			continue;
		if (prev)
			prev->qnext = t->qnext;
		else
			q->head = t->qnext;
		if (q->tail == t)
			q->tail = prev;
		break;
	}
	t->qnext = NULL;
	t->queue = NULL;
}

struct thread *thread_create(struct proc *p, uint64_t pc, uint64_t sp, uint64_t arg, int prio)
{
	struct thread *t = kcache_alloc(&thread_cache);

	if (!t)
		return NULL;
	t->tid = next_tid++;
	t->msg_ids = arch_msg_ids(p->pid, t->tid);
	t->prio = (uint8_t)prio;
	t->proc = p;
	arch_regs_init(&t->regs, pc, sp, arg);
	t->proc_next = p->threads;
	p->threads = t;
	p->nthreads++;
	sched_ready(t);
	return t;
}

uint64_t thread_count(void)
{
	return thread_cache.in_use;
}

void thread_wake(struct thread *t, int64_t r)
{
	arch_set_result(&t->regs, r);
	sched_ready(t);
}

/* Break the reply links: a caller waiting on t gets -ERR_PIPE (a faulting
 * one retries its access, which finds the pager gone); a server that owes t
 * a reply forgets it. */
static void unlink_ipc(struct thread *t)
{
	struct thread *caller = t->reply_to;

	if (caller) {
		caller->replier = NULL;
		t->reply_to = NULL;
		if (caller->in_fault) {
			caller->in_fault = 0;
			sched_ready(caller);
		} else {
			thread_wake(caller, -ERR_PIPE);
		}
	}
	if (t->replier) {
		t->replier->reply_to = NULL;
		t->replier = NULL;
	}
	if (t->blocked_notify && t->blocked_notify->waiter == t)
		t->blocked_notify->waiter = NULL;
	if (t->awaited) {
		object_put(&t->awaited->obj);	/* taken by proc_wait */
		t->awaited = NULL;
	}
}

static void unlink_from_proc(struct thread *t)
{
	struct proc *p = t->proc;
	struct thread **pp = &p->threads;

	while (*pp && *pp != t)
		pp = &(*pp)->proc_next;
	if (*pp)
		*pp = t->proc_next;
	p->nthreads--;
}

void thread_destroy(struct thread *t)
{
	tq_remove(t);
	unlink_ipc(t);
	ipc_thread_gone(t);
	notify_unbind(t);
	unlink_from_proc(t);
	sched_forget(t);
	arch_regs_release(&t->regs);
	kcache_free(&thread_cache, t);
}
