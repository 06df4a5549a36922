/*
 * Which processes share a budget, so that a table it refuses one of them
 * can come out of the tables the others keep empty. HARVEST_UNMAP keeps a
 * page's table for its next fault (arch/riscv/mmu.c); counted against one
 * process's own limit, a kept table is given back when that process
 * reaches it, but a budget is shared: without this, one process of a line
 * could be refused (and killed on its fault) while the line's use is
 * partly its siblings' empty tables.
 */
#include "budget.h"
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

/* Once a refusal: the caller tries again once, so a budget full of mapped
 * tables costs one walk of its members' tables, not a loop. */
int budget_prune(struct proc *p)
{
	uint64_t freed = 0;

	if (!budget_spent(p->budget) || (p->pt.limit && p->pt.pages >= p->pt.limit))
		return 0;
	for (struct proc *q = p->budget->members; q; q = q->budget_next) {
		uint64_t n = arch_pt_prune(&q->pt);

		if (!n)
			continue;
		freed += n;
		usercopy_forget(q);	/* its tables changed */
	}
	return freed > 0;
}
