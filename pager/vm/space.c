/*
 * Address spaces: one per process, holding its regions; every live space
 * is on one list, for the checker and the discard path. What a space maps
 * and how much of it is swapped, for the statistics.
 */
#include <stdlib.h>
#include <string.h>
#include "base/heap_alloc.h"
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/array_budget.h"
#include "vm/rmap.h"

struct vm_space *vm_space_create(int as, uint32_t pid)
{
	struct vm_space *s = heap_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->as = as;
	s->pid = pid;
	s->next = vm.spaces;
	if (vm.spaces)
		vm.spaces->prev = s;
	vm.spaces = s;
	return s;
}

int vm_space_budget_new(struct vm_space *s, uint64_t max)
{
	struct pv_budget *b;

	if (s->regions) {	/* their arrays would keep the old budget */
		vm_note_bug("a page-array budget set after regions");
		return -1;
	}
	if (!(b = vm_budget_new(max)))
		return -1;
	vm_budget_put(s->budget);
	s->budget = b;
	return 0;
}

void vm_space_budget_share(struct vm_space *s, const struct vm_space *from)
{
	struct pv_budget *b = vm_budget_hold(from->budget);

	vm_budget_put(s->budget);
	s->budget = b;
}

uint64_t vm_space_budget_bytes(const struct vm_space *s)
{
	return s->budget ? s->budget->bytes : 0;
}

/* Dense: a chunk a PV_CHUNK pages, rounded up, and a part-used one at the
 * end of each region; each chunk a pointer in its region's array, which
 * grows by doubling (twice the pointers at most). */
uint64_t vm_arrays_dense(uint64_t pages)
{
	uint64_t chunks = (pages + PV_CHUNK - 1) / PV_CHUNK + VM_REGIONS_MAX;

	return chunks * (pv_chunk_bytes() + 2 * sizeof(void *));
}

/* Its regions go first: their arrays are charged to its budget, whose
 * last holder it may be. */
void vm_space_destroy(struct vm_space *s)
{
	if (!s)
		return;
	while (s->regions)
		vm_region_remove(s, s->regions);
	vm_budget_put(s->budget);
	vm_discard_forget(s);
	if (s->prev)
		s->prev->next = s->next;
	else
		vm.spaces = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

/* pv_fn: page entry e's frame may be mapped by a pinned space now. */
static int mark_pinned(void *ctx, uint64_t i, uint32_t e)
{
	struct frame *f = frame_desc(entry_frame(e));

	(void)ctx, (void)i;
	if (f)
		rmap_mark_pinned(f);
	return 0;
}

/* Pinned now: its mapped frames say so (frame.pinned_map); unpinned, they
 * keep the mark, which only sends frame_pinned down their lists. */
void vm_space_set_pinned(struct vm_space *s, int pinned)
{
	s->pinned = pinned != 0;
	for (struct vm_region *r = s->pinned ? s->regions : NULL; r; r = r->next)
		pv_each(&r->pages, 0, region_pages(r), mark_pinned, NULL);
}

int vm_space_as(const struct vm_space *s)
{
	return s->as;
}

uint64_t vm_lookup(const struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);

	return r ? region_frame(r, (va - r->start) / VM_PAGE) : 0;
}

int vm_mapped_at(const struct vm_space *s, uint64_t va, uint64_t pa)
{
	return pa && vm_lookup(s, va) == pa && !vm_frame_unmapped(pa);
}

/* From the counts kept as pages come and go, not a walk of every page
 * under the pager's lock (a process asking in a loop would stall all):
 * a region's entries that are not 0 are its present pages, each with its
 * rmap entry, and its swapped ones (internal.h), so the swapped ones are
 * the rest; pv_count reads a chunk's count, one per 256 pages. */
void vm_space_info(const struct vm_space *s, struct vm_space_info *out)
{
	uint64_t entries = 0;

	memset(out, 0, sizeof(*out));
	out->pid = s->pid;
	out->regions = s->nregions;
	out->resident = (uint32_t)s->rmaps;
	out->shared = (uint32_t)s->shared_maps;
	for (const struct vm_region *r = s->regions; r; r = r->next)
		entries += pv_count(&r->pages, 0, UINT64_MAX);	/* none past its end: whole chunks */
	out->swapped = (uint32_t)(entries - s->rmaps);
}
