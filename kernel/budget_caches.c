/*
 * The caches a budget's objects are cut from: one of each kind per budget,
 * so a page it pays for holds only its objects. Charged by the page, not
 * the object: a line that frees most of its objects but one on each page
 * still pays for every page they hold, as the pool does. A page the budget
 * refuses comes out of the tables its members keep empty first
 * (budget_members.c), as a map's table does: every object a process is
 * made with, or makes, is charged here.
 */
#include "budget_caches.h"
#include "budget_members.h"

/* b's cache of k (its name and size set at its first use), or k's
 * global one for no budget. */
static struct kcache *cache_of(struct budget *b, struct budget_kind *k)
{
	struct kcache *c;

	if (!b)
		return &k->global;
	c = &b->caches[k->index];
	if (!c->size) {
		c->name = k->global.name;
		c->size = k->global.size;
		c->no_spare = 1;	/* a spare would be charged, holding nothing */
	}
	return c;
}

void *budget_kind_alloc(struct budget *b, struct budget_kind *k)
{
	struct kcache *c = cache_of(b, k);
	uint64_t page = kcache_needs_page(c) ? PAGE_SIZE : 0;
	void *obj;

	if (budget_charge(b, page) < 0 && budget_charge_pruned(b, page) < 0)
		return NULL;
	if (!(obj = kcache_alloc(c))) {
		budget_uncharge(b, page);
		return NULL;
	}
	k->live++;
	if (b)
		object_get(&b->obj);
	return obj;
}

void budget_kind_free(struct budget *b, struct budget_kind *k, void *obj)
{
	uint64_t page = kcache_free(cache_of(b, k), obj) ? PAGE_SIZE : 0;

	k->live--;
	if (!b)
		return;
	budget_uncharge(b, page);
	object_put(&b->obj);
}
