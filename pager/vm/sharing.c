/*
 * Which processes together reach each page none of them holds alone, for
 * the OOM killer's groups (vm_spaces_sharing): a shared object's pages
 * from its region list, a private page from its frame's reverse map and
 * the page arrays naming its slot.
 */
#include <string.h>
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/swapcache.h"

/* Each page belongs to the set of listed spaces that reach it, a bit each
 * by its index in the list (SHARE_OUTSIDE: a space not listed, whose death
 * no one can cause). */
#define SHARE_OUTSIDE (1ull << 63)
/* The list's spaces by address, probed from a hash (open addressing, at
 * most half full): a space's bit costs a probe or two, not a scan of the
 * list, once per mapping a frame's reverse map names. */
#define SHARE_HASH 128
_Static_assert(SHARE_HASH >= 2 * VM_SHARE_SPACES_MAX, "the hash stays at most half full");

struct share_walk {
	const struct vm_space *const *spaces;
	size_t n;
	int swapped;
	struct vm_share *out;
	size_t max, used;
	const struct vm_space *key[SHARE_HASH];	/* NULL: free */
	uint8_t index[SHARE_HASH];
};

#ifdef VM_COUNT_VISITS
uint64_t vm_share_steps;
#endif
static inline void share_step(void)
{
#ifdef VM_COUNT_VISITS
	vm_share_steps++;
#endif
}

static size_t share_hash(const struct vm_space *s)
{
	return (size_t)(((uintptr_t)s * 0x9e3779b97f4a7c15ull) >> 32) & (SHARE_HASH - 1);
}

/* Enter the list's spaces, a space listed twice by its first index. */
static void share_index(struct share_walk *w)
{
	for (size_t k = 0; k < w->n; k++) {
		size_t h = share_hash(w->spaces[k]);
		while (w->key[h] && w->key[h] != w->spaces[k])
			h = (h + 1) & (SHARE_HASH - 1);
		if (!w->key[h]) {
			w->key[h] = w->spaces[k];
			w->index[h] = (uint8_t)k;
		}
	}
}

/* s's bit in the list, or SHARE_OUTSIDE. */
static uint64_t share_bit(const struct share_walk *w, const struct vm_space *s)
{
	size_t h = share_hash(s);

	while (w->key[h] && w->key[h] != s)
		h = (h + 1) & (SHARE_HASH - 1);
	return w->key[h] ? 1ull << w->index[h] : SHARE_OUTSIDE;
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
	share_step();
	p->who |= share_bit(p->w, s);
}

/* The slot behind private page j of q: its own, or its frame's tie. */
static uint32_t page_slot(const struct vm_region *q, uint64_t j)
{
	uint64_t pa = region_frame(q, j);

	return pa ? swapcache_slot(pa) : region_slot(q, j);
}

/* Whether listed space k's private page at va is slot, swapped or read
 * back into a frame tied to it: a slot is named by a second page array
 * only through fork, which keeps addresses. */
static int holds_slot(const struct share_walk *w, size_t k, uint64_t va, uint32_t slot)
{
	const struct vm_region *q = vm_region_find(w->spaces[k], va);

	share_step();
	return q && !q->obj && page_slot(q, (va - q->start) / VM_PAGE) == slot;
}

/* The listed spaces from k on that hold slot at va. */
static uint64_t slot_holders(const struct share_walk *w, size_t k, uint64_t va, uint32_t slot)
{
	uint64_t who = 0;

	for (; k < w->n; k++)
		if (holds_slot(w, k, va, slot))
			who |= 1ull << k;
	return who;
}

/* Whether a space listed before k holds slot at va: looked for downwards,
 * so each holder's look stops at the one before it, and a slot's looks
 * together cost the list once more. */
static int slot_held_before(const struct share_walk *w, size_t k, uint64_t va, uint32_t slot)
{
	while (k--)
		if (holds_slot(w, k, va, slot))
			return 1;
	return 0;
}

/* Private page i of r, frame pa mapped elsewhere too or tied to a slot
 * others name, as space k's walk meets it. Each page is counted at one
 * visit, whichever the list's order: a frame at its first mapping's
 * (every mapping's walk meets the frame, swapped pages counted or not,
 * and a first mapping not listed makes it no one's), so that the others'
 * visits cost a look at that mapping and the reverse map is walked once;
 * who then takes in the holders of its slot. A space listed twice is its
 * first index, as in share_bit. */
static void frame_sharing(struct share_walk *w, size_t k, const struct vm_region *r, uint64_t i,
			  uint64_t pa)
{
	struct page_sharers p = { w, 0 };
	uint64_t va = r->start + i * VM_PAGE;
	uint32_t slot = swapcache_slot(pa), vpn;
	struct vm_space *first;

	if (vm_rmap_first_of(frame_desc(pa), &first, &vpn) &&
	    (share_bit(w, first) != 1ull << k || (uint64_t)vpn * VM_PAGE != va))
		return;
	vm_rmap_each(pa, add_mapper, &p);
	if (slot)
		p.who |= slot_holders(w, 0, va, slot);
	share_add(w, p.who | 1ull << k, 1);
}

/* Swapped private page i of r, slot, named by others too: the frame tied
 * to it, if mapped, is counted with its mappings (frame_sharing); else
 * the page is counted at its lowest-listed holder's visit. */
static void slot_sharing(struct share_walk *w, size_t k, const struct vm_region *r, uint64_t i,
			 uint32_t slot)
{
	uint64_t va = r->start + i * VM_PAGE, pa = swapcache_lookup(slot);

	if ((pa && vm_mapcount(pa)) || slot_held_before(w, k, va, slot))
		return;
	share_add(w, slot_holders(w, k, va, slot) | 1ull << k, 1);
}

/* Space k's private pages that others reach too, each counted once. */
static void region_sharing(struct share_walk *w, size_t k, const struct vm_region *r)
{
	for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
		uint64_t pa = region_frame(r, i);
		uint32_t slot = region_slot(r, i);
		share_step();
		if (pa && !vm_frame_alone(pa))
			frame_sharing(w, k, r, i, pa);
		else if (!pa && slot && w->swapped && !vm_slot_alone(slot))
			slot_sharing(w, k, r, i, slot);
	}
}

size_t vm_spaces_sharing(const struct vm_space *const *spaces, size_t n, int swapped,
			 struct vm_share *out, size_t max)
{
	size_t listed = n < VM_SHARE_SPACES_MAX ? n : VM_SHARE_SPACES_MAX;
	/* Static: its hash is too big for a pager thread's stack, and the
	 * pager lock keeps walks one at a time. */
	static struct share_walk w;
	uint64_t walk = vm_walk_new();

	memset(&w, 0, sizeof(w));
	w.spaces = spaces;
	w.n = listed;
	w.swapped = swapped;
	w.out = out;
	w.max = max;
	share_index(&w);

	for (size_t k = 0; k < w.n; k++)
		for (const struct vm_region *r = spaces[k]->regions; r; r = r->next) {
			if (!r->obj)
				region_sharing(&w, k, r);
			else if (vm_walk_meets(r->obj, walk))
				object_sharing(&w, r->obj);
		}
	return w.used;
}
