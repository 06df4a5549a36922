/*
 * Budgets: how many pages of the kernel pool the processes sharing one may
 * hold (their page tables, and the pages their records, handle tables,
 * threads with the room for the message copy each may keep, and the
 * endpoints and notifications they make are cut from), so that one group
 * of processes (the pager's line) cannot empty the pool every other
 * process needs. The root task makes them and names one when it creates
 * a process; the kernel only counts and refuses.
 */
#ifndef KERNEL_BUDGET_H
#define KERNEL_BUDGET_H

#include <stdint.h>
#include "object.h"
#include "kmem.h"
#include "console.h"
#include "abi/errno.h"
#include "abi/vm.h"

struct thread;
struct proc;

/* The kinds of object a budget pays for by the page (budget_caches.c). */
enum budget_kind_index {
	BUDGET_PROCS,
	BUDGET_HANDLES,
	BUDGET_THREADS,
	BUDGET_COPIES,		/* a thread's room for a pending copy */
	BUDGET_ENDPOINTS,
	BUDGET_NOTIFIES,
	BUDGET_KINDS
};

/* One kind, declared by the file that owns its objects. */
struct budget_kind {
	struct kcache global;	/* those of processes with no budget; its name
				 * and size are every budget's cache's of it */
	enum budget_kind_index index;	/* that cache in struct budget */
	uint64_t live;		/* objects of the kind now, in every cache */
};

struct budget {
	struct object obj;
	uint64_t limit;		/* bytes of the pool it may be charged */
	/* Bytes charged now: the pages its caches and its processes' page
	 * tables hold, whole pages, exactly. */
	uint64_t used;
	/* The process records charged to it (proc.budget_next), ended ones
	 * still referenced included: whose kept tables budget_prune gives
	 * back (budget_members.c). */
	struct proc *members;
	/* Its objects of each kind, cut from pages that hold only its own
	 * (no_spare: it pays for no empty page). */
	struct kcache caches[BUDGET_KINDS];
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

/* An object of kind k, zeroed, from b's cache of k (NULL b: k's global
 * one); NULL, nothing charged, if that cache must take a page and b has
 * not one left, or the pool is empty. b is charged a page when its cache
 * takes one, and given it back when the cache gives the page back (its
 * objects all freed): what a budget is charged is what its objects hold
 * of the pool, however they were freed. The object holds a reference on
 * b until budget_kind_free, with the same b and k: an endpoint or a
 * notification may outlive the process that made it (its handle passed
 * on), and b's cache must live until then. */
void *budget_kind_alloc(struct budget *b, struct budget_kind *k);
void budget_kind_free(struct budget *b, struct budget_kind *k, void *obj);

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
