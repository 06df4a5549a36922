/*
 * Budgets of the kernel pool. Each holder of a charge (a page-table page,
 * a page of the budget's caches: budget_caches.c) gives back exactly what
 * it took, so a budget's use is 0 again once its processes and the
 * objects they made have gone; those hold references, so a budget goes
 * with the last of them and its last handle. The accounting alone: the
 * calls that make and read one are budgetcall.c's, above handle.c.
 */
#include "budget.h"
#include "kmem.h"
#include "console.h"

static struct kcache budget_cache = { .name = "budget", .size = sizeof(struct budget) };

uint64_t budget_count(void)
{
	return budget_cache.in_use;
}

static void budget_free(struct object *o)
{
	struct budget *b = (struct budget *)o;

	if (b->used)
		panic("budget %p freed with %lu bytes charged", (void *)b, (unsigned long)b->used);
	kcache_free(&budget_cache, b);
}

/* A page of each kind a process and its thread are made with (the first
 * object of a budget's cache takes a page: budget_caches.c), and the root
 * page table (mmu.c's table_alloc). Counted from the kinds in budget.h, not
 * asked of proc.c or thread.c: they call down into this file. */
uint64_t budget_least_pages(void)
{
	return BUDGET_MADE_WITH + 1;
}

void budget_init(void)
{
	object_on_free(OBJ_BUDGET, budget_free);
}

struct budget *budget_create(uint64_t limit)
{
	struct budget *b = kcache_alloc(&budget_cache);

	if (!b)
		return NULL;
	b->obj.type = OBJ_BUDGET;
	b->limit = limit;
	return b;
}

void budget_destroy(struct budget *b)
{
	budget_free(&b->obj);
}
