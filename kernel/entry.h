/*
 * The generic kernel's entry points, called by the arch trap code: one per
 * kind of event. Each records what happened; the trap code then calls
 * schedule(), which picks a thread and returns to user mode.
 */
#ifndef KERNEL_ENTRY_H
#define KERNEL_ENTRY_H

#include <stdint.h>

struct thread;

struct thread *sched_current(void);
_Noreturn void schedule(void);

/* The current thread t made a system call: the IPC fast path, else the
 * call's handler, then schedule(). */
_Noreturn void syscall_entry(struct thread *t);
/* A page fault at addr; access is an abi/msg.h enum fault_access. */
void fault_page(struct thread *t, uint64_t addr, unsigned access);
/* Any other exception; cause is an abi/proc.h enum kill_cause. */
void fault_exception(struct thread *t, unsigned cause, uint64_t addr, const char *what);
void sched_timer_tick(void);
/* Device interrupt irq was claimed; it stays masked until acknowledged. */
void device_interrupt(uint32_t irq);

#endif
