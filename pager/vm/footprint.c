/*
 * What a process's death would give back, for the OOM killer: each page it
 * holds, resident or swapped, counted as its alone or shared with others,
 * through the reverse map, the swap cache's ties and the slots' references.
 */
#include "vm/internal.h"
#include "vm/swapcache.h"

/* Whether slot is named only once (the swap code knows; 1 without it). */
static int slot_alone(uint32_t slot)
{
	return !vm.swap.slot_refs || vm.swap.slot_refs(vm.swap.ctx, slot) <= 1;
}

/* Present or swapped pages of o in [from, to). */
static uint64_t object_pages(const struct vm_object *o, uint64_t from, uint64_t to)
{
	return pv_count(&o->pages, from, to < o->npages ? to : o->npages);
}

int vm_frame_alone(uint64_t pa)
{
	uint32_t slot = swapcache_slot(pa);

	if (vm_mapcount(pa) > 1)
		return 0;
	if (!slot || !vm.swap.slot_refs)
		return 1;
	return vm.swap.slot_refs(vm.swap.ctx, slot) <= (uint32_t)swapcache_held(pa);
}

/* A shared region's pages live in its object, which holds only pages
 * some region reaches (shared.c): a page of r's that no other space's
 * region reaches goes with s, and counts alone; the others, shared. */
static void object_footprint(const struct vm_space *s, const struct vm_region *r,
			     uint64_t *alone, uint64_t *shared)
{
	const struct vm_object *o = r->obj;
	uint64_t j = r->pgoff, end = r->pgoff + region_pages(r), next;

	if (end > o->npages)
		end = o->npages;	/* never (vm_check), but the walk must end */
	while (j < end) {
		int others = vm_object_reached(o, j, s, NULL, &next);
		if (next > end)
			next = end;
		*(others ? shared : alone) += object_pages(o, j, next);
		j = next;
	}
}

void vm_space_footprint(const struct vm_space *s, uint64_t *alone, uint64_t *shared)
{
	*alone = *shared = 0;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		if (r->obj) {
			object_footprint(s, r, alone, shared);
			continue;
		}
		for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
			uint64_t pa = region_frame(r, i);
			uint32_t slot = region_slot(r, i);
			int mine = pa ? vm_frame_alone(pa) : slot && slot_alone(slot);
			if (!pa && !slot)
				continue;
			if (mine)
				++*alone;
			else
				++*shared;
		}
	}
}

/* Whether r is s's first region on its object and s's regions hold every
 * reference to it (o->refs counts regions, not spaces): then s's death
 * frees the object, its page array with it. */
static int object_goes_with(const struct vm_space *s, const struct vm_region *r)
{
	uint32_t n = 0;

	for (const struct vm_region *q = s->regions; q; q = q->next) {
		if (q->obj != r->obj)
			continue;
		if (!n++ && q != r)
			return 0;	/* counted at that earlier region */
	}
	return n == r->obj->refs;
}

/* The pager's own memory s's death frees: the page arrays of its regions,
 * and of the objects only s refers to, as Linux counts a process's
 * page-table pages. A sparse toucher's arrays are 1 KiB per page it
 * touches, pinned in the pager's heap whether its pages are resident or
 * swapped. */
uint64_t vm_space_meta_pages(const struct vm_space *s)
{
	uint64_t bytes = 0;

	for (const struct vm_region *r = s->regions; r; r = r->next) {
		bytes += pv_bytes(&r->pages);
		if (r->obj && object_goes_with(s, r))
			bytes += pv_bytes(&r->obj->pages);
	}
	return (bytes + VM_PAGE - 1) / VM_PAGE;
}
