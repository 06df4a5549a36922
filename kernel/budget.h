/*
 * Budgets: how much of the kernel pool the processes sharing one may
 * cause to be used (their records, handle tables, page tables, threads
 * with the message copy each may keep, and the endpoints and notifications
 * they make), so that one group of processes (the pager's line) cannot
 * empty the pool every other process needs. The root task makes them and
 * names one when it creates a process; the kernel only counts and refuses.
 */
#ifndef KERNEL_BUDGET_H
#define KERNEL_BUDGET_H

#include <stdint.h>
#include "object.h"
#include "console.h"
#include "abi/errno.h"
#include "abi/vm.h"

struct thread;
struct proc;
struct kcache;

struct budget {
	struct object obj;
	uint64_t limit;		/* bytes of the pool it may be charged */
	uint64_t used;		/* bytes charged now */
	/* The process records charged to it (proc.budget_next), ended ones
	 * still referenced included: whose kept tables budget_prune gives
	 * back (budget_members.c). */
	struct proc *members;
};

/* At boot: how a budget is freed (object.h). */
void budget_init(void);
/* Charge b with bytes: 0, or -ERR_NOMEM (nothing charged) if that would
 * pass its limit. A NULL b (a process with none) is never refused.
 * Inline: each new page table of a fault asks. */
static inline int budget_charge(struct budget *b, uint64_t bytes)
{
	if (!b)
		return 0;
	if (bytes > b->limit - b->used)
		return -ERR_NOMEM;
	b->used += bytes;
	return 0;
}

/* Give back bytes charged before (more is a kernel bug: a panic). */
static inline void budget_uncharge(struct budget *b, uint64_t bytes)
{
	if (!b)
		return;
	if (bytes > b->used)
		panic("budget %p: %lu bytes given back, %lu charged", (void *)b,
		      (unsigned long)bytes, (unsigned long)b->used);
	b->used -= bytes;
}
/* Whether b (NULL: none) has not a page left: a table it refuses. */
static inline int budget_spent(const struct budget *b)
{
	return b && b->limit - b->used < PAGE_SIZE;
}

/* An object of cache c charged to b (NULL: none), zeroed; NULL, nothing
 * charged, past b's limit or for an empty pool. It holds a reference on b
 * until budget_kcache_free: an endpoint or a notification may outlive the
 * process that made it (its handle passed on), and its charge goes back to
 * the budget it was made against, which must live until then. */
void *budget_kcache_alloc(struct budget *b, struct kcache *c);
void budget_kcache_free(struct budget *b, struct kcache *c, void *obj);

/* p's record joins its budget's members (p->budget; none: nothing), and
 * leaves them as it goes (budget_members.c). */
void budget_join(struct proc *p);
void budget_leave(struct proc *p);
/* A map for p was refused a table (-ERR_NOMEM): if its budget refused it
 * (not p's own limit, nor the pool), every member's tables left empty go
 * back, and whether any did, for the caller to try the map once more. */
int budget_prune(struct proc *p);

/* Budgets alive now (SYS_KERNEL_INFO). */
uint64_t budget_count(void);

int64_t sys_budget_create(struct thread *t, const uint64_t *a);
int64_t sys_budget_info(struct thread *t, const uint64_t *a);

#endif
