/*
 * Thread records and waking one. Ending a thread (what it undoes in IPC
 * and notifications) is thread_end.c's, above.
 */
#include "thread.h"
#include "proc.h"
#include "sched.h"
#include "kmem.h"
#include "budget_caches.h"
#include "klib.h"

static struct budget_kind thread_kind = { .global = { .name = "thread", .size = sizeof(struct thread) },
					  .index = BUDGET_THREADS };
/* The room for the one message copy a thread may come to keep (t->copy:
 * delivery.c's pending copy, kept for a delivery that meets a page of its
 * buffer not there). Made with the thread, from its process's budget, so
 * a delivery never waits on the pool or a budget: one refused would fail
 * the receive, and a call's caller with it, in whatever process sent it.
 * Apart from the record: together they would be two to a page; apart,
 * four records share a page and six rooms another. */
static struct budget_kind copy_kind = {
	.global = { .name = "pending copy", .size = sizeof(struct pending_copy) },
	.index = BUDGET_COPIES,
};
static uint32_t next_tid = 1;

struct thread *thread_create(struct proc *p, uint64_t pc, uint64_t sp, uint64_t arg, int prio)
{
	struct thread *t = budget_kind_alloc(p->budget, &thread_kind);

	if (!t)
		return NULL;
	if (!(t->copy = budget_kind_alloc(p->budget, &copy_kind))) {
		budget_kind_free(p->budget, &thread_kind, t);
		return NULL;
	}
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
	return thread_kind.live;
}

void thread_wake(struct thread *t, int64_t r)
{
	arch_set_result(&t->regs, r);
	sched_ready(t);
}

void thread_free(struct thread *t)
{
	arch_regs_release(&t->regs);
	budget_kind_free(t->proc->budget, &copy_kind, t->copy);
	budget_kind_free(t->proc->budget, &thread_kind, t);
}
