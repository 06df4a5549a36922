/*
 * Fixed-priority round-robin scheduling on one hart. The kernel runs with
 * interrupts masked and one stack: schedule() ends in a return to user
 * mode (or, with no thread ready, returns to the trap code, which idles),
 * and a blocked thread keeps no kernel state but its record. It also owns
 * which process's page tables satp holds (the running thread's).
 */
#include "sched.h"
#include "thread.h"
#include "tqueue.h"
#include "proc.h"
#include "abi/proc.h"

static struct tqueue runq[PRIO_LEVELS];
/* Bit p set if runq[p] may hold a thread: set by every push, cleared when
 * a look finds the queue empty (tq_remove empties queues unseen), so a
 * clear bit is always an empty queue. Written only here; sched.h reads it
 * for the fast path's inline test. */
uint64_t sched_maybe_ready;	/* 64 bits: no sign extensions in the tests */
_Static_assert(PRIO_LEVELS < 64, "a bit per priority level, and one more shifted past the top");
/* The running thread (entry.h reads it inline), or NULL while idle. */
struct thread *sched_running;
struct proc *sched_active_proc;	/* whose page tables satp holds (sched.h) */
static int slice_over;
static uint64_t slice_ticks, slice_ns;

void sched_forget_proc(struct proc *p)
{
	if (sched_active_proc != p)
		return;
	arch_pt_activate_kernel();
	sched_active_proc = NULL;
}

void sched_init(uint64_t ns)
{
	slice_ns = ns;
	slice_ticks = arch_ns_to_ticks(ns);
	arch_timer_set(arch_time_now() + slice_ticks);
}

uint64_t sched_slice_ns(void)
{
	return slice_ns;
}

void sched_ready(struct thread *t)
{
	t->state = T_READY;
	tq_push(&runq[t->prio], t);
	sched_maybe_ready |= 1ul << t->prio;
}

void sched_forget(struct thread *t)
{
	if (sched_running == t)
		sched_running = NULL;
}

/* A tick ends the running thread's slice. One taken while the hart idles
 * (sched_running NULL) ends nobody's: set then, it would send the first
 * thread woken to the back of its queue at its first trap. */
void sched_timer_tick(void)
{
	if (sched_running)
		slice_over = 1;
	arch_timer_set(arch_time_now() + slice_ticks);
}

/* Whether a thread is ready at a priority above prio (a lower number):
 * one test of the bitmap when none is, the usual case. */
static int higher_ready(int prio)
{
	uint64_t m = sched_maybe_ready & ((1ul << prio) - 1);

	for (int p = 0; m; p++, m >>= 1) {
		if (!(m & 1))
			continue;
		if (runq[p].head)
			return 1;
		sched_maybe_ready &= ~(1ul << p);
	}
	return 0;
}

int sched_runs_next_slow(int prio)
{
	return !higher_ready(prio + 1);
}

/* Return to user mode in the first ready thread, if there is one (else
 * nothing runs: sched_running = NULL). Inline in both its callers:
 * schedule()'s usual path finds a thread at once, and a call there would
 * cost more than the loop. */
static inline __attribute__((always_inline)) void run_first(void)
{
	for (int p = 0; p < PRIO_LEVELS; p++) {
		struct thread *t = tq_pop(&runq[p]);

		if (!runq[p].head)
			sched_maybe_ready &= ~(1ul << p);	/* emptied, or was */
		if (t)
			sched_run(t);
	}
	sched_running = NULL;
}

void sched_run_first(void)
{
	run_first();
}

void schedule(void)
{
	struct thread *t = sched_running;

	if (t && t->state == T_RUNNING) {
		if (!slice_over && !higher_ready(t->prio))
			arch_enter_user(&t->regs);
		sched_ready(t);
	}
	slice_over = 0;
	run_first();
}

int64_t sys_yield(struct thread *t, const uint64_t *a)
{
	(void)t;
	(void)a;
	slice_over = 1;
	return 0;
}
