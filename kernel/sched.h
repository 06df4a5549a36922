/*
 * The scheduler: fixed priorities (enum prio; servers above programs),
 * round robin within a level, a time slice enforced by the timer tick;
 * and the active address space, switched with the running thread.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>
#include "entry.h"
#include "proc.h"

struct arch_regs;

/* The process whose page tables satp holds, or NULL (sched.c's, written
 * only there and by sched_switch_proc). */
extern struct proc *sched_active_proc;
/* Make p the active process: the page tables to load for it (the return
 * to user mode loads them: arch.h's arch_enter_user_pt), or NULL if satp holds
 * them already. Inline: every switch to another thread passes here. */
static inline const struct arch_pt *sched_switch_proc(struct proc *p)
{
	if (p == sched_active_proc)
		return NULL;
	sched_active_proc = p;
	return &p->pt;
}
/* p's page tables are going: if satp holds them, it takes the kernel's. */
void sched_forget_proc(struct proc *p);

void sched_init(uint64_t slice_ns);
void sched_ready(struct thread *t);
/* t is no longer anywhere: forget it if it was current. */
void sched_forget(struct thread *t);
uint64_t sched_slice_ns(void);
/* A bit per priority whose run queue may hold a thread (sched.c's; see
 * there), and the exact answer sched_runs_next falls back on. */
extern uint64_t sched_maybe_ready;
int sched_runs_next_slow(int prio);
/* sched_runs_next(prio) by the bitmap alone: 1 is sure, 0 may be a stale
 * bit (ask sched_runs_next). No call, for the fast path's quickest test. */
static inline int sched_runs_next_sure(int prio)
{
	return !(sched_maybe_ready & ((2ul << prio) - 1));
}

/* 1 if a thread of priority prio made ready now would be the next to run
 * once the current thread blocks: nothing is ready at prio or above. */
static inline int sched_runs_next(int prio)
{
	return sched_runs_next_sure(prio) || sched_runs_next_slow(prio);
}
/* sched_run, t taking the message registers (abi/msg.h's register form)
 * from the saved context of the thread that sent them, with that one's
 * ids and origin as stamps. Inline: the IPC fast path's last step, and no
 * call but the return to user mode. */
__attribute__((always_inline)) _Noreturn static inline void
sched_run_msg(struct thread *t, const struct arch_regs *from, uint64_t ids, uint32_t origin)
{
	t->state = T_RUNNING;
	sched_running = t;
	arch_enter_user_msg(&t->regs, from, ids, origin, sched_switch_proc(t->proc));
}

/* Return to user mode in t, in place of the current thread, which has
 * blocked: what schedule() would pick when sched_runs_next(t->prio),
 * without the run queue (the IPC fast path, at the end of its trap). */
__attribute__((always_inline)) _Noreturn static inline void sched_run(struct thread *t)
{
	t->state = T_RUNNING;
	sched_running = t;
	arch_enter_user_pt(&t->regs, sched_switch_proc(t->proc));
}

int64_t sys_yield(struct thread *t, const uint64_t *a);

#endif
