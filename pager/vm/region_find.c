/*
 * A space's region by address: beneath the kinds of memory (private.c,
 * shared.c and the write-back files look their region up) and region.c,
 * which calls them through their tables of operations.
 */
#include "vm/internal.h"
#include "vm/region_find.h"

/* The hint first: a fault's steps each look its region up, and the pages
 * a fault or an eviction meets next are mostly in the same one (~23
 * instructions a walk over shift's regions, ~120,000 walks). The hint is
 * a cache, not s's contents, so a look-up through a const s may move it. */
struct vm_region *vm_region_find(const struct vm_space *s, uint64_t va)
{
	struct vm_region *h = s->hint;

	if (h && h->start <= va && va < h->end)
		return h;
	for (struct vm_region *r = s->regions; r && r->start <= va; r = r->next)
		if (va < r->end)
			return ((struct vm_space *)s)->hint = r;
	return NULL;
}
