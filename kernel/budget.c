/*
 * Budgets of the kernel pool. Each holder of a charge (a page-table page,
 * a page of the budget's caches: budget_caches.c) gives back exactly what
 * it took, so a budget's use is 0 again once its processes and the
 * objects they made have gone; those hold references, so a budget goes
 * with the last of them and its last handle.
 */
#include "budget.h"
#include "handle.h"
#include "kmem.h"
#include "usercopy.h"
#include "console.h"
#include "abi/errno.h"
#include "abi/handle.h"
#include "abi/kinfo.h"
#include "abi/vm.h"

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

void budget_init(void)
{
	object_on_free(OBJ_BUDGET, budget_free);
}

/* a[0]: the limit in pool pages, 1 .. the whole pool (more could never
 * be refused: a mistake, not a budget). */
int64_t sys_budget_create(struct thread *t, const uint64_t *a)
{
	struct budget *b;
	int h;

	if (a[0] == 0 || a[0] > kmem_pages_total())
		return -ERR_INVAL;
	if (!(b = kcache_alloc(&budget_cache)))
		return -ERR_NOMEM;
	b->obj.type = OBJ_BUDGET;
	b->limit = a[0] * PAGE_SIZE;
	if ((h = handle_install(t->proc, &b->obj, RIGHTS_ALL)) < 0)
		kcache_free(&budget_cache, b);
	return h;
}

int64_t sys_budget_info(struct thread *t, const uint64_t *a)
{
	struct object *o;
	struct budget_info info;
	int r = user_check(t->proc, a[1], sizeof(info), 1);

	if (r < 0 || (r = handle_lookup(t->proc, a[0], OBJ_BUDGET, RIGHT_RECV, &o)) < 0)
		return r;
	info.limit = ((struct budget *)o)->limit;
	info.used = ((struct budget *)o)->used;
	return copyout(t->proc, a[1], &info, sizeof(info));
}
