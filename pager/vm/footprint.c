/*
 * What a process's death would give back, for the OOM killer: each page it
 * holds, resident or (while swap can take writes) swapped, counted as its alone or shared with others,
 * through the reverse map, the swap cache's ties and the slots' references.
 */
#include "vm/internal.h"
#include "vm/rmap_pool.h"
#include "vm/swapcache.h"

int vm_slot_alone(uint32_t slot)
{
	return !vm.swap.slot_refs || vm.swap.slot_refs(vm.swap.ctx, slot) <= 1;
}

static int count_present(void *ctx, uint64_t i, uint32_t e)
{
	(void)i;
	*(uint64_t *)ctx += entry_frame(e) != 0;
	return 0;
}

uint64_t vm_object_pages(const struct vm_object *o, uint64_t from, uint64_t to, int swapped)
{
	uint64_t n = 0;

	to = to < o->npages ? to : o->npages;
	if (swapped)
		return pv_count(&o->pages, from, to);
	pv_each(&o->pages, from, to, count_present, &n);
	return n;
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

/* The pages of an object one side reaches, a run at a time: s's regions
 * (mine) or every other space's, read off the object's list, which is
 * sorted by pgoff, by one cursor per side. */
struct side {
	const struct vm_region *at;	/* the next region to look at */
	const struct vm_space *s;
	int mine;
	uint64_t lo, hi;		/* the run found last: [lo, hi) */
};

static int on_side(const struct side *d, const struct vm_region *r)
{
	return (r->space == d->s) == d->mine;
}

/* The side's next run: its next region's reach, joined with those of its
 * regions after it that start within it. 0: none is left. */
static int side_next(struct side *d)
{
	const struct vm_region *r = d->at;

	for (; r && !on_side(d, r); r = r->obj_next)
		vm_object_visit();
	if (!r)
		return 0;
	vm_object_visit();
	d->lo = r->pgoff;
	d->hi = region_reach_end(r) > d->lo ? region_reach_end(r) : d->lo;	/* never less (vm_check) */
	for (r = r->obj_next; r && r->pgoff <= d->hi; r = r->obj_next) {
		vm_object_visit();
		if (on_side(d, r) && region_reach_end(r) > d->hi)
			d->hi = region_reach_end(r);
	}
	d->at = r;
	return 1;
}

/* A shared region's pages live in its object, which holds only pages
 * some region reaches (shared.c): a page s's regions on o reach that no
 * other space's region reaches goes with s, and counts alone; the others,
 * shared. s's runs against the others', each list walked once: the cost
 * is o's regions, whatever their number in s. */
static void object_footprint(const struct vm_space *s, const struct vm_object *o, int swapped,
			     uint64_t *alone, uint64_t *shared)
{
	struct side me = { o->regions, s, 1, 0, 0 }, others = { o->regions, s, 0, 0, 0 };
	uint64_t all = 0, both = 0;
	int more = side_next(&others);

	while (side_next(&me)) {
		all += vm_object_pages(o, me.lo, me.hi, swapped);
		for (; more && others.lo < me.hi; more = side_next(&others)) {
			uint64_t lo = others.lo > me.lo ? others.lo : me.lo;
			uint64_t hi = others.hi < me.hi ? others.hi : me.hi;
			if (lo < hi)
				both += vm_object_pages(o, lo, hi, swapped);
			if (others.hi > me.hi)
				break;	/* it runs on into my next run */
		}
	}
	*alone += all - both;
	*shared += both;
}

int vm_walk_meets(struct vm_object *o, uint64_t walk)
{
	if (o->met == walk)
		return 0;
	o->met = walk;
	return 1;
}

uint64_t vm_walk_new(void)
{
	static uint64_t walks;

	return ++walks;
}

void vm_space_footprint(const struct vm_space *s, int swapped, uint64_t *alone, uint64_t *shared)
{
	uint64_t walk = vm_walk_new();

	*alone = *shared = 0;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		if (r->obj) {
			if (vm_walk_meets(r->obj, walk))
				object_footprint(s, r->obj, swapped, alone, shared);
			continue;
		}
		for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
			uint64_t pa = region_frame(r, i);
			uint32_t slot = region_slot(r, i);
			int mine = pa ? vm_frame_alone(pa) : slot && vm_slot_alone(slot);
			if (!pa && (!slot || !swapped))
				continue;
			if (mine)
				++*alone;
			else
				++*shared;
		}
	}
}

/* Whether s's regions hold every reference to o (o->refs counts
 * regions, not spaces): then s's death frees the object, its page array
 * with it. */
static int object_goes_with(const struct vm_space *s, const struct vm_object *o)
{
	for (const struct vm_region *q = o->regions; q; q = q->obj_next) {
		vm_object_visit();
		if (q->space != s)
			return 0;
	}
	return 1;
}

/* The pager's own memory s's death frees: the records and page arrays of
 * its regions, those of the objects only s refers to, and its reverse-map
 * entries, as Linux counts a process's page-table pages. A sparse
 * toucher's arrays are 1.3 KiB per page it touches (a chunk's share of a
 * page of chunks), held by the pager whether its pages are resident or
 * swapped; 1,024 regions never touched are 178 KiB of records; a page
 * shared by n forked children is 16 bytes of rmap entry in each. The walk is of s's regions (at most
 * VM_REGIONS_MAX), the entries counted as they come and go (rmap.c). */
uint64_t vm_space_meta_pages(const struct vm_space *s)
{
	uint64_t walk = vm_walk_new();
	uint64_t bytes = s->nregions * vm_region_record_bytes() +
			 s->rmaps * sizeof(struct rmap_entry);

	for (const struct vm_region *r = s->regions; r; r = r->next) {
		bytes += pv_bytes(&r->pages);
		if (r->obj && vm_walk_meets(r->obj, walk) && object_goes_with(s, r->obj))
			bytes += pv_bytes(&r->obj->pages) + sizeof(struct vm_object);
	}
	return (bytes + VM_PAGE - 1) / VM_PAGE;
}
