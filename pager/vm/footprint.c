/*
 * What a process's death would give back, for the OOM killer: each page it
 * holds, resident or (while swap can take writes) swapped, counted as its alone or shared with others,
 * through the reverse map, the swap cache's ties and the slots' references; and
 * for the pages shared, which processes together reach them.
 */
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/rmap_pool.h"
#include "vm/swapcache.h"

/* Whether slot is named only once (the swap code knows; 1 without it). */
static int slot_alone(uint32_t slot)
{
	return !vm.swap.slot_refs || vm.swap.slot_refs(vm.swap.ctx, slot) <= 1;
}

static int count_present(void *ctx, uint64_t i, uint32_t e)
{
	(void)i;
	*(uint64_t *)ctx += entry_frame(e) != 0;
	return 0;
}

/* Present or (swapped) swapped pages of o in [from, to). */
static uint64_t object_pages(const struct vm_object *o, uint64_t from, uint64_t to, int swapped)
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
		all += object_pages(o, me.lo, me.hi, swapped);
		for (; more && others.lo < me.hi; more = side_next(&others)) {
			uint64_t lo = others.lo > me.lo ? others.lo : me.lo;
			uint64_t hi = others.hi < me.hi ? others.hi : me.hi;
			if (lo < hi)
				both += object_pages(o, lo, hi, swapped);
			if (others.hi > me.hi)
				break;	/* it runs on into my next run */
		}
	}
	*alone += all - both;
	*shared += both;
}

/* Whether walk `walk` meets o for the first time (and marks it met): a
 * space's walk of its regions takes each object once. */
static int first_meeting(struct vm_object *o, uint64_t walk)
{
	if (o->met == walk)
		return 0;
	o->met = walk;
	return 1;
}

/* Numbers the walks that meet objects (never 0, an object's first mark). */
static uint64_t new_walk(void)
{
	static uint64_t walks;

	return ++walks;
}

void vm_space_footprint(const struct vm_space *s, int swapped, uint64_t *alone, uint64_t *shared)
{
	uint64_t walk = new_walk();

	*alone = *shared = 0;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		if (r->obj) {
			if (first_meeting(r->obj, walk))
				object_footprint(s, r->obj, swapped, alone, shared);
			continue;
		}
		for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
			uint64_t pa = region_frame(r, i);
			uint32_t slot = region_slot(r, i);
			int mine = pa ? vm_frame_alone(pa) : slot && slot_alone(slot);
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
	uint64_t walk = new_walk();
	uint64_t bytes = s->nregions * vm_region_record_bytes() +
			 s->rmaps * sizeof(struct rmap_entry);

	for (const struct vm_region *r = s->regions; r; r = r->next) {
		bytes += pv_bytes(&r->pages);
		if (r->obj && first_meeting(r->obj, walk) && object_goes_with(s, r->obj))
			bytes += pv_bytes(&r->obj->pages) + sizeof(struct vm_object);
	}
	return (bytes + VM_PAGE - 1) / VM_PAGE;
}

/*
 * Who reaches the pages that are not one space's alone, for the OOM
 * killer's groups (vm_spaces_sharing): each such page belongs to the set
 * of listed spaces that reach it, a bit each by its index in the list
 * (SHARE_OUTSIDE: a space not listed, whose death no one can cause).
 */
#define SHARE_OUTSIDE (1ull << 63)

struct share_walk {
	const struct vm_space *const *spaces;
	size_t n;
	int swapped;
	struct vm_share *out;
	size_t max, used;
};

/* s's bit in the list, or SHARE_OUTSIDE. */
static uint64_t share_bit(const struct share_walk *w, const struct vm_space *s)
{
	for (size_t k = 0; k < w->n; k++)
		if (w->spaces[k] == s)
			return 1ull << k;
	return SHARE_OUTSIDE;
}

/* pages more for the set who, if two or more listed spaces and no other
 * reach them. A set the table has no room for counts for none: its pages
 * are given back by nobody's choice, as a page shared was before. */
static void share_add(struct share_walk *w, uint64_t who, uint64_t pages)
{
	size_t k;

	if (!pages || (who & SHARE_OUTSIDE) || !(who & (who - 1)))
		return;
	for (k = 0; k < w->used && w->out[k].who != who; k++)
		;
	if (k == w->used) {
		if (w->used == w->max)
			return;
		w->out[w->used++] = (struct vm_share){ who, 0 };
	}
	w->out[k].pages += pages;
}

/* An object's pages by the set whose regions reach them: one sweep of its
 * list, sorted by pgoff, keeping each listed space's current run (hi[k]: its
 * end, 0 none) as side_next joins them; each step ends at the next region's
 * start or the first run's end, found among at most 64 runs. */
static void object_sharing(struct share_walk *w, const struct vm_object *o)
{
	uint64_t hi[VM_SHARE_SPACES_MAX + 1] = { 0 }, x = 0;
	const struct vm_region *r = o->regions;

	for (;;) {
		uint64_t who = 0, y = r ? r->pgoff : UINT64_MAX;
		for (size_t k = 0; k <= w->n; k++)
			if (hi[k] > x) {
				who |= k < w->n ? 1ull << k : SHARE_OUTSIDE;
				y = hi[k] < y ? hi[k] : y;
			}
		if (!who && !r)
			return;
		if (who)
			share_add(w, who, object_pages(o, x, y, w->swapped));
		x = y;
		for (; r && r->pgoff <= x; r = r->obj_next) {
			uint64_t bit = share_bit(w, r->space);
			size_t k = bit == SHARE_OUTSIDE ? w->n : (size_t)__builtin_ctzll(bit);
			vm_object_visit();
			if (region_reach_end(r) > hi[k])
				hi[k] = region_reach_end(r);
		}
	}
}

struct page_sharers {
	const struct share_walk *w;
	uint64_t who;
};

static void add_mapper(void *ctx, struct vm_space *s, uint64_t va)
{
	struct page_sharers *p = ctx;

	(void)va;
	p->who |= share_bit(p->w, s);
}

/* The slot behind private page j of q: its own, or its frame's tie. */
static uint32_t page_slot(const struct vm_region *q, uint64_t j)
{
	uint64_t pa = region_frame(q, j);

	return pa ? swapcache_slot(pa) : region_slot(q, j);
}

/* The listed spaces whose private page at va is slot, swapped or read
 * back into a frame tied to it: a slot is named by a second page array
 * only through fork, which keeps addresses. */
static uint64_t slot_holders(const struct share_walk *w, uint64_t va, uint32_t slot)
{
	uint64_t who = 0;

	for (size_t k = 0; k < w->n; k++) {
		const struct vm_region *q = vm_region_find(w->spaces[k], va);
		if (q && !q->obj && page_slot(q, (va - q->start) / VM_PAGE) == slot)
			who |= 1ull << k;
	}
	return who;
}

/* Who reaches private page i of r, not r's alone (a frame, or a slot):
 * the frame's mappings through the reverse map, and the holders of its
 * slot (a frame read back for one sharer, the slot still named by
 * another). */
static uint64_t private_sharers(const struct share_walk *w, const struct vm_region *r, uint64_t i)
{
	struct page_sharers p = { w, 0 };
	uint64_t pa = region_frame(r, i), va = r->start + i * VM_PAGE;
	uint32_t slot = page_slot(r, i);

	if (pa)
		vm_rmap_each(pa, add_mapper, &p);
	if (slot)
		p.who |= slot_holders(w, va, slot);
	return p.who;
}

/* Space k's private pages that others reach too, each counted by the
 * lowest-listed space that reaches it. */
static void region_sharing(struct share_walk *w, size_t k, const struct vm_region *r)
{
	for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
		uint64_t pa = region_frame(r, i), who;
		uint32_t slot = region_slot(r, i);
		if (!pa && (!slot || !w->swapped))
			continue;
		if (pa ? vm_frame_alone(pa) : slot_alone(slot))
			continue;
		who = private_sharers(w, r, i) | 1ull << k;
		if (__builtin_ctzll(who) == (int)k)
			share_add(w, who, 1);
	}
}

size_t vm_spaces_sharing(const struct vm_space *const *spaces, size_t n, int swapped,
			 struct vm_share *out, size_t max)
{
	struct share_walk w = { spaces, n < VM_SHARE_SPACES_MAX ? n : VM_SHARE_SPACES_MAX, swapped, out, max,
				0 };
	uint64_t walk = new_walk();

	for (size_t k = 0; k < w.n; k++)
		for (const struct vm_region *r = spaces[k]->regions; r; r = r->next) {
			if (!r->obj)
				region_sharing(&w, k, r);
			else if (first_meeting(r->obj, walk))
				object_sharing(&w, r->obj);
		}
	return w.used;
}
