/*
 * Harvest batches (harvest_batch.h): filled a frame at a time through the
 * reverse map, sent in one vm_harvest call, answers handed back by frame.
 */
#include "vm/harvest_batch.h"
#include "vm/internal.h"

struct adding {
	struct vm_harvest_batch *b;
	uint64_t pa;
	vm_harvest_pick pick;
	int bug;
};

static void add_mapping(void *ctx, struct vm_space *s, uint64_t va)
{
	struct adding *a = ctx;
	struct vm_harvest_batch *b = a->b;
	int take = a->pick ? a->pick(s, va) : 1;

	if (take < 0 || b->n == VM_HARVEST_BATCH)	/* more than mapcount said */
		a->bug = 1;
	if (take <= 0 || a->bug)
		return;
	b->pa[b->n] = a->pa;
	b->e[b->n++] = (struct harvest_entry){ (uint32_t)s->as, b->want, va };
}

int vm_harvest_batch_add(struct vm_harvest_batch *b, uint64_t pa, vm_harvest_pick pick)
{
	struct adding a = { b, pa, pick, 0 };
	unsigned maps = vm_mapcount(pa);
	size_t before;

	if (maps > VM_HARVEST_BATCH)
		return -1;
	if (b->n + maps > VM_HARVEST_BATCH)
		vm_harvest_batch_flush(b);
	before = b->n;
	vm_rmap_walk(pa, add_mapping, &a);
	if (!a.bug)
		return 0;
	b->n = before;
	return -1;
}

void vm_harvest_batch_flush(struct vm_harvest_batch *b)
{
	const uint64_t *dirty_news = (b->want & HARVEST_DIRTY) ? b->pa : NULL;
	int failed = vm_harvest(b->e, dirty_news, b->n) < 0;

	for (size_t k = 0; k < b->n; k++)
		b->done(b->pa[k], failed ? 0 : b->e[k].bits, failed);
	b->n = 0;
}
