/*
 * Which processes together reach each page none of them holds alone, for
 * the OOM killer's groups (vm_spaces_sharing): a shared object's pages
 * from its region list, a private page from its frame's reverse map and
 * the page arrays naming its slot.
 */
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/swapcache.h"

/* Each page belongs to the set of listed spaces that reach it, a bit each
 * by its index in the list (SHARE_OUTSIDE: a space not listed, whose death
 * no one can cause). */
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
			share_add(w, who, vm_object_pages(o, x, y, w->swapped));
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
		if (pa ? vm_frame_alone(pa) : vm_slot_alone(slot))
			continue;
		who = private_sharers(w, r, i) | 1ull << k;
		if (__builtin_ctzll(who) == (int)k)
			share_add(w, who, 1);
	}
}

size_t vm_spaces_sharing(const struct vm_space *const *spaces, size_t n, int swapped,
			 struct vm_share *out, size_t max)
{
	size_t listed = n < VM_SHARE_SPACES_MAX ? n : VM_SHARE_SPACES_MAX;
	struct share_walk w = { spaces, listed, swapped, out, max, 0 };
	uint64_t walk = vm_walk_new();

	for (size_t k = 0; k < w.n; k++)
		for (const struct vm_region *r = spaces[k]->regions; r; r = r->next) {
			if (!r->obj)
				region_sharing(&w, k, r);
			else if (vm_walk_meets(r->obj, walk))
				object_sharing(&w, r->obj);
		}
	return w.used;
}
