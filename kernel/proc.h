/*
 * Processes: an address space, a handle table, threads, and how it ended.
 * Only the root task (the pager) creates them; the kernel keeps no policy
 * about their memory, it only maps what the pager tells it to.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <stdint.h>
#include "object.h"
#include "thread.h"
#include "tqueue.h"
#include "notify_timer.h"
#include "arch.h"
#include "abi/proc.h"
#include "abi/limits.h"


struct endpoint;
struct notify;
struct handle;
struct budget;

struct proc {
	struct object obj;
	uint32_t pid;
	char name[PROC_NAME_MAX];
	int alive;
	int is_root;			/* the pager: may call root-only system calls */
	/* Its page faults are looked at before the pager hears of them
	 * (fault.c): the root task's (it must not fault) and, on a hart that
	 * faults for clear A and D bits (arch_ad_by_fault, learnt from the
	 * root task's first store, before any other process is made),
	 * everyone's. One field: the fault path's only test. */
	int fault_slow;
	/* Charged with its record, handle table, page tables (through pt)
	 * and threads; NULL: none. A reference held until the record goes. */
	struct budget *budget;
	/* Its neighbours among budget's members (budget_members.c). */
	struct proc *budget_next, *budget_prev;
	struct arch_pt pt;		/* freed when the process ends */
	uint64_t pt_gen;		/* new whenever pt changes (usercopy.c); never 0 */
	struct handle *handles;		/* its table (handle.c); NULL once ended */
	uint32_t nhandles;		/* entries in it */
	struct notify_timer timers[NOTIFY_TIMERS_PER_PROC];	/* disarmed at its end */
	struct thread *threads;
	uint32_t nthreads;
	struct endpoint *fault_ep;	/* receives its page faults (ref held) */
	struct notify *death_notify;	/* signalled when it ends (ref held) */
	uint64_t death_bits;
	struct exit_info exit;		/* valid once !alive */
	struct tqueue waiters;		/* threads in proc_wait on it */
};

/* At boot: how a process record is freed (object_on_free). */
void proc_init(void);
/* A new process, its record, handle table and root page table charged
 * to budget (NULL: none; a reference taken); NULL if the pool or the
 * budget has not room for them, the budget's members' tables left empty
 * given back first (budget_members.c). */
struct proc *proc_create(const char *name, int is_root, struct budget *budget);
/*
 * End p: every thread goes, the address space and handles are released, the
 * waiters and the death notification are told. info says how (exit or kill);
 * a kill is reported on the console with `why` if given.
 */
void proc_end(struct proc *p, const struct exit_info *info, const char *why);
/* Process records alive now, ended ones still referenced included. */
uint64_t proc_count(void);

#endif
