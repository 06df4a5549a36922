/*
 * Processes and threads as user space sees them: what the root task passes to
 * create one, and what a waiter learns when one ends.
 */
#ifndef ABI_PROC_H
#define ABI_PROC_H

#include <stdint.h>

/* Every process finds its own process in handle 0. */
#define HANDLE_SELF 0

enum prio {
	PRIO_SERVER = 0,	/* pager, drivers: run before programs */
	PRIO_NORMAL = 1,
	PRIO_IDLE = 2,
	PRIO_LEVELS = 3
};

#define PROC_NAME_MAX 16

struct proc_spec {
	char name[PROC_NAME_MAX];	/* NUL-terminated */
	uint64_t fault_ep;	/* creator's endpoint handle that receives this
				 * process's page faults */
	uint64_t death_notify;	/* creator's notification handle signalled when
				 * the process ends, or ~0 for none */
	uint64_t death_bits;	/* bits signalled there */
	uint64_t pt_pages_max;	/* kernel pages its page tables may use, root
				 * table included (0: no limit); a mapping that
				 * would need more fails with -ERR_NOMEM */
	uint64_t budget;	/* creator's budget handle (SYS_BUDGET_CREATE, with
				 * RIGHT_SEND) charged for the kernel pool the
				 * process uses, shared with every other process
				 * named with it; ~0 for none (root task only
				 * creates: none means the pool itself bounds it) */
};

enum exit_how {
	EXIT_RUNNING = 0,	/* not ended yet (WAIT_NOHANG) */
	EXIT_NORMAL = 1,	/* called exit(status) */
	EXIT_KILLED = 2		/* killed: see cause */
};

enum kill_cause {
	CAUSE_NONE = 0,
	CAUSE_KILLED = 1,	/* proc_kill() by a handle holder; reason = its code */
	CAUSE_PAGE_FAULT = 2,	/* the pager refused a fault */
	CAUSE_ILLEGAL = 3,	/* illegal instruction */
	CAUSE_MISALIGNED = 4,	/* misaligned access */
	CAUSE_BAD_TRAP = 5,	/* breakpoint or another unexpected exception */
	CAUSE_NO_PAGER = 6	/* faulted and its pager is gone */
};

struct exit_info {
	uint32_t pid;
	uint32_t how;		/* enum exit_how */
	int32_t status;		/* exit status, or the kill reason code */
	uint32_t cause;		/* enum kill_cause */
	uint64_t addr;		/* faulting address, for faults */
	uint64_t pc;		/* pc at the fault */
};

#define WAIT_NOHANG 1

struct proc_info {
	uint32_t pid;
	uint32_t threads;	/* live threads */
	uint64_t pt_pages;	/* kernel pages used for its page tables */
	char name[PROC_NAME_MAX];
};

#endif
