/*
 * What SYS_KERNEL_INFO tells anyone: how much of the kernel's fixed pool
 * and of each kind of kernel object is in use, so tests can check that
 * nothing outlives the processes that held it.
 */
#ifndef ABI_KINFO_H
#define ABI_KINFO_H

#include <stdint.h>

struct kernel_info {
	uint64_t pool_pages;		/* the kernel pool, in pages */
	uint64_t pool_free;		/* of those, free */
	uint64_t procs;			/* process records (ended ones live on
					 * while someone holds a handle) */
	uint64_t threads;
	uint64_t endpoints;
	uint64_t notifies;
	uint64_t pending_copies;	/* messages waiting for a receiver's page */
	uint64_t handles;		/* handle-table entries, over every process */
	uint64_t timers;		/* armed notification timers */
	uint64_t irq_bindings;		/* interrupts bound to a notification */
	uint64_t budgets;		/* budgets of the pool (SYS_BUDGET_CREATE) */
	/* Times the IPC fast path was taken since boot (tests check which path
	 * a case takes; both give the same results). */
	uint64_t fast_calls;		/* call handed to a waiting receiver */
	uint64_t fast_replies;		/* reply_recv answering a call */
	uint64_t fast_faults;		/* page fault handed to a waiting pager thread */
	uint64_t fast_resumes;		/* reply_recv answering a fault with FAULT_RESUME */
	uint64_t msgs_in_regs;		/* messages received in the register form
					 * (abi/msg.h), on either path */
	uint64_t own_slow_calls;	/* for tests: slow-path entries of the calling
					 * thread's calls (SYS_CALL, SYS_CALL_REGS;
					 * a call re-run after a fault counts again):
					 * unchanged across one of its calls, that
					 * call took the fast path, whatever other
					 * threads did meanwhile */
};

/* What SYS_BUDGET_INFO tells of a budget: the bytes of the kernel pool
 * the processes created with it may hold together (their page tables, and
 * the pages their records, handle tables, threads, endpoints and
 * notifications are cut from, which hold only theirs), and the bytes they
 * hold now: whole pages, exactly the pool's pages they hold. A charge
 * past the limit fails for the process making it: -ERR_NOMEM, as for an
 * empty pool. */
struct budget_info {
	uint64_t limit;
	uint64_t used;
};

#endif
