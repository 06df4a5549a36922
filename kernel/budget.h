/*
 * Budgets: how many pages of the kernel pool the processes sharing one may
 * hold (their page tables, and the pages their records, handle tables,
 * threads with the room for the message copy each may keep, and the
 * endpoints and notifications they make are cut from), so that one group
 * of processes (the pager's line) cannot empty the pool every other
 * process needs. The root task makes them and names one when it creates
 * a process; the kernel only counts and refuses. This header is the
 * object and its charges (budget.c, beneath the page tables that call
 * them); the caches cut from it are budget_caches.h's, its members
 * budget_members.h's, its system calls budgetcall.h's.
 */
#ifndef KERNEL_BUDGET_H
#define KERNEL_BUDGET_H

#include <stdint.h>
#include "object.h"
#include "kmem.h"
#include "console.h"
#include "abi/errno.h"
#include "abi/vm.h"

struct proc;

/* The kinds of object a budget pays for by the page (budget_caches.h).
 * The first BUDGET_MADE_WITH are those a process and its first thread are
 * made with (proc_create, thread_create: one object of each); a kind
 * added to them goes before it, as budget_create's least limit counts
 * them (budget_least_pages). */
enum budget_kind_index {
	BUDGET_PROCS,
	BUDGET_HANDLES,
	BUDGET_THREADS,
	BUDGET_COPIES,		/* a thread's room for a pending copy */
	BUDGET_MADE_WITH,	/* not a kind: the count of those above */
	BUDGET_ENDPOINTS = BUDGET_MADE_WITH,
	BUDGET_NOTIFIES,
	BUDGET_KINDS
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
/* A budget of limit bytes, nothing charged and no reference yet (the
 * handle its maker installs takes the first), or NULL: the pool is empty. */
struct budget *budget_create(uint64_t limit);
/* Free b, made by budget_create and never referenced (its handle refused). */
void budget_destroy(struct budget *b);
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

/* Budgets alive now (SYS_KERNEL_INFO). */
uint64_t budget_count(void);
/* The least limit budget_create takes, in pages: what a process with one
 * thread holds of a budget of its own. */
uint64_t budget_least_pages(void);

#endif
