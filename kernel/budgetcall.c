/*
 * Budget system calls: a budget made and named by a handle, and its limit
 * and use copied out. Above handle.c and usercopy.c, which budget.c's
 * accounting sits beneath (their tables are charged to it).
 */
#include "budgetcall.h"
#include "budget.h"
#include "handle.h"
#include "thread.h"
#include "usercopy.h"
#include "abi/errno.h"
#include "abi/handle.h"
#include "abi/kinfo.h"
#include "abi/vm.h"

/* a[0]: the limit in pool pages, from what one process with one thread
 * holds (less, and every process made with it would be refused, far from
 * the mistake) to the whole pool (more could never be refused): else a
 * mistake, not a budget. */
int64_t sys_budget_create(struct thread *t, const uint64_t *a)
{
	struct budget *b;
	int h;

	if (a[0] < budget_least_pages() || a[0] > kmem_pages_total())
		return -ERR_INVAL;
	if (!(b = budget_create(a[0] * PAGE_SIZE)))
		return -ERR_NOMEM;
	if ((h = handle_install(t->proc, &b->obj, RIGHTS_ALL)) < 0)
		budget_destroy(b);
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
