/*
 * Thread records and waking one. Ending a thread (what it undoes in IPC
 * and notifications) is thread_end.c's, above.
 */
#include "thread.h"
#include "proc.h"
#include "sched.h"
#include "kmem.h"
#include "budget.h"
#include "klib.h"

static struct kcache thread_cache = { .name = "thread", .size = sizeof(struct thread) };
static uint32_t next_tid = 1;

/* What a thread costs its process's budget: its record and the one
 * message copy it may come to hold (t->stash, delivery.c's pending copy,
 * made for a delivery that meets a page of its buffer not there). Charged
 * here, with the record it belongs to, so a delivery is never refused for
 * a budget: one refused would fail the receive, and a call's caller with
 * it, in whatever process sent it. */
static uint64_t thread_charge(void)
{
	return kcache_object_size(&thread_cache) + kcache_size_of(sizeof(struct pending_copy));
}

struct thread *thread_create(struct proc *p, uint64_t pc, uint64_t sp, uint64_t arg, int prio)
{
	struct thread *t;

	if (budget_charge(p->budget, thread_charge()) < 0)
		return NULL;
	if (!(t = kcache_alloc(&thread_cache))) {
		budget_uncharge(p->budget, thread_charge());
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
	return thread_cache.in_use;
}

void thread_wake(struct thread *t, int64_t r)
{
	arch_set_result(&t->regs, r);
	sched_ready(t);
}

void thread_free(struct thread *t)
{
	arch_regs_release(&t->regs);
	budget_uncharge(t->proc->budget, thread_charge());
	kcache_free(&thread_cache, t);
}
