/*
 * Which processes share a budget, so that a page it refuses one of them (a
 * table, or a page of its caches for a record, a handle table, a thread,
 * an object) can come out of the tables the members keep empty.
 * HARVEST_UNMAP keeps a page's table for its next fault
 * (arch/riscv/mmu.c); counted against one process's own limit, a kept
 * table is given back when that process reaches it, but a budget is
 * shared: without this, one process of a line could be refused (killed on
 * its fault, or not made) while the line's use is partly its siblings'
 * empty tables.
 */
#include "budget_members.h"
#include "proc.h"
#include "usercopy.h"

void budget_join(struct proc *p)
{
	struct budget *b = p->budget;

	if (!b)
		return;
	p->budget_prev = NULL;
	p->budget_next = b->members;
	if (b->members)
		b->members->budget_prev = p;
	b->members = p;
}

void budget_leave(struct proc *p)
{
	if (!p->budget)
		return;
	if (p->budget_prev)
		p->budget_prev->budget_next = p->budget_next;
	else
		p->budget->members = p->budget_next;
	if (p->budget_next)
		p->budget_next->budget_prev = p->budget_prev;
	p->budget_next = p->budget_prev = NULL;
}

/* Every member's tables left empty go back: whether any did. Once a
 * refusal: the caller tries again once, so a budget full of mapped tables
 * costs one walk of its members' tables, not a loop. */
static int prune_members(struct budget *b)
{
	uint64_t freed = 0;

	for (struct proc *q = b->members; q; q = q->budget_next) {
		uint64_t n = arch_pt_prune(&q->pt);

		if (!n)
			continue;
		freed += n;
		usercopy_forget(q);	/* its tables changed */
	}
	return freed > 0;
}

/* Asked of the note the refusal left, not of the budget's room now: a
 * refused prepare gives back the tables it made (arch.h), so a budget
 * that refused may have a page again by now. */
int budget_prune(struct proc *p)
{
	return p->pt.refused == ARCH_PT_REFUSED_BUDGET && prune_members(p->budget);
}

/* Apart (noinline), on the refusal's path alone: inlined by the link into
 * budget_kind_alloc, its walk of the members took three more saved
 * registers there, ~38 instructions a fork (scripts/bench). */
__attribute__((noinline)) int budget_charge_pruned(struct budget *b, uint64_t bytes)
{
	return prune_members(b) ? budget_charge(b, bytes) : -ERR_NOMEM;
}
