/*
 * Discardable memory: a private anonymous region its owner has unlocked.
 * Reclaim walks the unlocked regions first and drops their pages without
 * any I/O (a dropped page is absent: it reads as zeros if touched); the
 * owner locks the region again and learns whether anything went.
 */
#include <stdint.h>
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/swapcache.h"

/* The region that is exactly [start, end), if it may be discardable. */
static struct vm_region *exact_anon(struct vm_space *s, uint64_t start, uint64_t end)
{
	struct vm_region *r = vm_region_find(s, start);

	if (!r || r->start != start || r->end != end || r->kind != VM_ANON)
		return NULL;
	return r;
}

int vm_discard_unlock(struct vm_space *s, uint64_t start, uint64_t end)
{
	struct vm_region *r = exact_anon(s, start, end);

	if (!r)
		return -1;
	vm.discardable += !r->discardable;
	r->discardable = 1;
	/* A copy in swap would cost a read to keep: it goes now. */
	for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
		if (!region_slot(r, i))
			continue;
		vm_page_drop(s, r, i);
		r->discarded = 1;
		vmstat_count(VMSTAT_PGLAZYFREED);
	}
	return 0;
}

int vm_discard_lock(struct vm_space *s, uint64_t start, uint64_t end)
{
	struct vm_region *r = exact_anon(s, start, end);
	int lost;

	if (!r)
		return -1;
	lost = r->discarded;
	vm.discardable -= r->discardable != 0;
	r->discardable = r->discarded = 0;
	return lost;
}

/* Whether page i's frame can go by dropping this one mapping: this
 * space's alone (not shared after fork, not kept by the swap cache for a
 * swapped entry elsewhere: dropping it would lose it and free nothing)
 * and not in the swap code's hands. */
static int droppable(const struct vm_region *r, uint64_t i)
{
	uint64_t pa = region_frame(r, i);

	return pa && !swapcache_busy(pa) && vm_frame_alone(pa);
}

#ifdef VM_COUNT_VISITS
uint64_t vm_discard_visits;
#endif

/*
 * One call's walk: it looks at no more than `looks` pages and regions it
 * cannot discard (reclaim's budget, reclaim/look_budget.h; a walk over
 * pages that can all go looks at exactly as many as it frees), and the
 * next call resumes where it stopped (vm.discard_at): pages that cannot go (shared
 * after fork, in the swap code's hands) and regions not unlocked or with
 * no page left (up to
 * VM_REGIONS_MAX a process) would otherwise be looked at again on every
 * reclaim call, all of them, before a single victim is asked for.
 */
struct discard_walk {
	size_t want, freed, looks;
};

static int walk_done(const struct discard_walk *w)
{
	return w->freed >= w->want || w->looks == 0;
}

/* Region r of s was looked at as a whole, none of its pages: one look,
 * and the next call resumes after it. */
static void region_looked(struct vm_space *s, const struct vm_region *r, struct discard_walk *w)
{
	w->looks--;
	vm.discard_at = (struct vm_cursor){ s, r->next, r->end };
}

/* Drop what may go of s's unlocked pages at addresses [from, to), from
 * its region r on, until the walk is done; the resume point follows the
 * last page or region looked at. Every region visited costs a look, of
 * a page of it or of itself (but the resume point's, looked at to its
 * end by the call before), so a call visits at most its looks and one. */
static void drop_in(struct vm_space *s, struct vm_region *r, uint64_t from, uint64_t to,
		    struct discard_walk *w)
{
	for (; r && r->start < to && !walk_done(w); r = r->next) {
		uint64_t i, n;
		size_t looks;
#ifdef VM_COUNT_VISITS
		vm_discard_visits++;
#endif
		if (r->end <= from)
			continue;	/* the resume point's region, looked at to its end */
		if (!r->discardable) {
			region_looked(s, r, w);
			continue;
		}
		i = from > r->start ? (from - r->start) / VM_PAGE : 0;
		n = ((to < r->end ? to : r->end) - r->start) / VM_PAGE;
		looks = w->looks;
		for (i = region_next(r, i); i < n && !walk_done(w); i = region_next(r, i + 1)) {
			uint64_t before = frames_free();
			vmstat_count(VMSTAT_DISCARD_LOOKS);
			w->looks--;
			vm.discard_at = (struct vm_cursor){ s, r, r->start + (i + 1) * VM_PAGE };
			if (!droppable(r, i))
				continue;
			vm_page_drop(s, r, i);
			r->discarded = 1;
			vmstat_count(VMSTAT_PGLAZYFREED);
			w->freed += frames_free() > before;
		}
		/* An unlocked region with no page left to look at (a cache's
		 * slabs all dropped) costs a look as a locked one does: else
		 * a thousand of them were a thousand visits every call. */
		if (w->looks == looks)
			region_looked(s, r, w);
	}
}

/* The space after s on the list, the first after the last. */
static struct vm_space *next_space(const struct vm_space *s)
{
	return s->next ? s->next : vm.spaces;
}

/* Every unpinned space's unlocked pages once round from the resume point:
 * the rest of its space, the spaces after it, then its space up to it. */
size_t vm_discard_some(size_t want, size_t looks)
{
	struct discard_walk w = { want, 0, looks };
	struct vm_cursor from = vm.discard_at.space ? vm.discard_at :
			       (struct vm_cursor){ vm.spaces, vm.spaces ? vm.spaces->regions : NULL, 0 };
	struct vm_space *first = from.space, *s = first;

	if (!first || want == 0 || vm.discardable == 0)
		return 0;
	do {
		if (!s->pinned)
			drop_in(s, s == first ? from.region : s->regions, s == first ? from.va : 0,
				UINT64_MAX, &w);
		s = next_space(s);
	} while (s != first && !walk_done(&w));
	if (from.va > 0 && !first->pinned && !walk_done(&w))
		drop_in(first, first->regions, 0, from.va, &w);
	return w.freed;
}

void vm_discard_forget(const struct vm_space *s)
{
	if (vm.discard_at.space == s)
		vm.discard_at = (struct vm_cursor){ NULL, NULL, 0 };
}
