/*
 * The generic kernel's entry points, called by the arch trap code: one per
 * kind of event. Each records what happened; the trap code then leaves
 * through arch_kernel_exit: schedule(), then the idle loop if it returns.
 */
#ifndef KERNEL_ENTRY_H
#define KERNEL_ENTRY_H

#include <stdint.h>

struct thread;
struct arch_regs;

/* A C function only assembly calls (trap.S, entry.S). Link-time
 * optimisation sees no C caller for it, so it must be told to keep the
 * function and its name. */
#define ASM_CALLED __attribute__((used, externally_visible))

/* The C entry from boot (entry.S), on the boot stack with paging on. */
ASM_CALLED void kmain(uint64_t hartid, uint64_t dtb_pa);

/* The thread running now: the scheduler's (sched.c and sched.h write
 * it), read inline because every system call starts with it. */
extern struct thread *sched_running;
static inline struct thread *sched_current(void) { return sched_running; }
/* Return to user mode in the thread to run next: the current one unless it
 * blocked, its time slice is over or a higher priority is ready. Returns
 * only if no thread is ready, sched_running then NULL: the trap code idles
 * and, after each interrupt, asks sched_run_first, which returns likewise. */
void schedule(void);
void sched_run_first(void);

/* The current thread, whose saved context is r, made system call n with
 * a0 and a1 its first arguments. First the IPC fast path (fastpath.c),
 * which returns only if it could not do the call; then syscall_entry:
 * the call's handler. */
void fastpath_syscall(uint64_t a0, uint64_t a1, struct arch_regs *r, uint64_t n);
void syscall_entry(struct thread *t);
/* After the fast path returned: syscall_entry for the current thread, if
 * there is one still (the fast path's fault reply may have ended it). */
void syscall_after_fastpath(void);
/* A page fault at addr; access is an abi/msg.h enum fault_access. */
void fault_page(struct thread *t, uint64_t addr, unsigned access);
/* Any other exception; cause is an abi/proc.h enum kill_cause. */
void fault_exception(struct thread *t, unsigned cause, uint64_t addr, const char *what);
void sched_timer_tick(void);
/* Device interrupt irq was claimed; it stays masked until acknowledged. */
void device_interrupt(uint32_t irq);

#endif
