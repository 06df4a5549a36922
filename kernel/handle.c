/*
 * Per-process handle tables. A handle holds one reference on its object and
 * counts in the object's `handles` (and `receivers` if it may receive);
 * when the last handle that may receive closes, the object is told
 * (object_orphaned), so an endpoint fails the threads queued on it and a
 * notification the thread waiting on it (and drops its interrupt bindings).
 */
#include "handle.h"
#include "proc.h"
#include "kmem.h"
#include "budget_caches.h"
#include "klib.h"
#include "abi/errno.h"
#include "abi/handle.h"
#include "abi/vm.h"

static struct budget_kind table_kind = {
	.global = { .name = "handle table", .size = sizeof(struct handle) * HANDLES_MAX },
	.index = BUDGET_HANDLES,
};
static uint64_t in_use;

_Static_assert(sizeof(struct handle) * ROOT_HANDLES_MAX <= 4096, "a root table is one page");
_Static_assert(sizeof(struct handle) == 16, "gen fits in the entry's padding");

/* Another's is charged to its budget; the root task's is a page of its
 * own (the root task has no budget: root.c). */
int handle_table_create(struct proc *p, int root)
{
	p->handles = root ? kmem_page_alloc() : budget_kind_alloc(p->budget, &table_kind);
	if (!p->handles)
		return -ERR_NOMEM;
	p->nhandles = root ? ROOT_HANDLES_MAX : HANDLES_MAX;
	return 0;
}

void handle_table_destroy(struct proc *p)
{
	if (!p->handles)
		return;
	for (uint32_t i = 0; i < p->nhandles; i++)
		if (p->handles[i].obj)
			handle_close(p, i);
	if (p->nhandles == ROOT_HANDLES_MAX)
		kmem_page_free(p->handles);
	else
		budget_kind_free(p->budget, &table_kind, p->handles);
	p->handles = NULL;
	p->nhandles = 0;
}

int handle_install(struct proc *p, struct object *o, uint32_t rights)
{
	for (uint32_t i = 0; i < p->nhandles; i++) {
		if (p->handles[i].obj)
			continue;
		p->handles[i] = (struct handle){ o, rights, p->handles[i].gen + 1 };
		object_get(o);
		o->handles++;
		o->receivers += (rights & RIGHT_RECV) != 0;
		in_use++;
		return (int)i;
	}
	return -ERR_MFILE;
}

int handle_close(struct proc *p, uint64_t h)
{
	const struct handle *e = handle_entry(p, h);
	struct object *o;
	int receiver;

	if (!e)
		return -ERR_BADF;
	o = e->obj;
	receiver = (e->rights & RIGHT_RECV) != 0;
	p->handles[h].obj = NULL;	/* its gen stays: the next install moves it */
	p->handles[h].rights = 0;
	in_use--;
	o->handles--;
	if (receiver && --o->receivers == 0)
		object_orphaned(o);
	object_put(o);
	return 0;
}

uint64_t handle_count(void)
{
	return in_use;
}
