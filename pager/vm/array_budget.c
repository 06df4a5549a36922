/*
 * Page-array budgets' lives, by counted holders: each space of a line
 * (vm_space_budget_share) and each shared object made in one, so a budget
 * lasts while any of them does (an object may outlive its maker's space).
 */
#include <stdlib.h>
#include "base/heap_alloc.h"
#include "vm/array_budget.h"

struct pv_budget *vm_budget_new(uint64_t max)
{
	struct pv_budget *b = heap_calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->max = max;
	return vm_budget_hold(b);
}

struct pv_budget *vm_budget_hold(struct pv_budget *b)
{
	if (b)
		b->holders++;
	return b;
}

void vm_budget_put(struct pv_budget *b)
{
	if (b && --b->holders == 0)
		free(b);
}
