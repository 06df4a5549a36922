/*
 * Ending a thread undoes every link it has, whatever it was blocked on, so
 * killing a process in the middle of an IPC leaves no dangling pointer
 * behind.
 */
#include "thread_end.h"
#include "thread.h"
#include "tqueue.h"
#include "proc.h"
#include "sched.h"
#include "notify.h"
#include "delivery.h"

/* Break the reply links: a caller waiting on t is let go (-ERR_PIPE, or
 * for a faulting one, its access retried); a server that owes t a reply
 * forgets it. */
static void unlink_ipc(struct thread *t)
{
	delivery_release_caller(t);
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

void thread_end(struct thread *t)
{
	tq_remove(t);
	unlink_ipc(t);
	delivery_thread_gone(t);
	notify_unbind(t);
	unlink_from_proc(t);
	sched_forget(t);
	thread_free(t);
}
