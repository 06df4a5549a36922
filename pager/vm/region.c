/*
 * A space's regions: a list sorted by start. Adding, placing, splitting,
 * unmapping part of and resizing regions; what a kind of memory does with
 * its pages on each change is in its table of operations.
 */
#include <stdlib.h>
#include <string.h>
#include "base/heap_alloc.h"
#include "base/slab.h"
#include "vm/internal.h"
#include "vm/region_find.h"

static struct slab_cache records = SLAB_CACHE(struct vm_region);
_Static_assert(sizeof(struct vm_region) <= SLAB_OBJECT_MAX, "a region record fits a slab page");

struct vm_region *vm_region_record(void)
{
	return heap_slab_alloc(&records);
}

void vm_region_record_free(struct vm_region *r)
{
	slab_free(&records, r);
}

uint64_t vm_region_record_bytes(void)
{
	return slab_object_bytes(&records);
}

const struct region_ops *vm_ops_of(enum vm_region_kind kind)
{
	switch (kind) {
	case VM_ANON:
		return &vm_anon_ops;
	case VM_IMAGE:
		return &vm_image_ops;
	case VM_SHARED:
		return &vm_shared_ops;
	case VM_STACK:
		return &vm_stack_ops;
	}
	return NULL;
}

/* The lowest address r keeps free of other regions: its start, or its
 * guard page's for a stack. */
static uint64_t floor_of(const struct vm_region *r)
{
	return r->start - r->ops->guard * VM_PAGE;
}

/* Whether [lo, hi) meets no region (nor a region's guard) but `except`. */
static int range_free(const struct vm_space *s, uint64_t lo, uint64_t hi,
		      const struct vm_region *except)
{
	for (const struct vm_region *r = s->regions; r && floor_of(r) < hi; r = r->next)
		if (r != except && lo < r->end)
			return 0;
	return 1;
}

/* Whether s may hold one more region (VM_REGIONS_MAX). */
static int room_for_region(const struct vm_space *s)
{
	return s->nregions < VM_REGIONS_MAX;
}

/* r joins s's list, and the counts that follow it (internal.h). */
void vm_region_counted(struct vm_space *s, const struct vm_region *r)
{
	s->nregions++;
	vm_discard_count(r, 1);
}

static void link_region(struct vm_space *s, struct vm_region *r)
{
	struct vm_region **p = &s->regions;

	while (*p && (*p)->start < r->start)
		p = &(*p)->next;
	r->next = *p;
	*p = r;
	vm_region_counted(s, r);
}

static struct vm_region *region_new(const struct vm_space *s, uint64_t start, uint64_t end,
				    unsigned perm, enum vm_region_kind kind,
				    const struct vm_image *img)
{
	struct vm_region *r = vm_region_record();

	if (!r)
		return NULL;
	*r = (struct vm_region){ .start = start, .end = end, .perm = perm, .kind = kind,
				 .ops = vm_ops_of(kind), .pages = { .budget = s->budget } };
	if (img)
		r->img = *img;
	if (kind != VM_SHARED)
		return r;
	if (!(r->obj = vm_object_new(region_pages(r), s->budget))) {
		vm_region_record_free(r);
		return NULL;
	}
	r->space = s;
	vm_object_join(r, NULL);
	return r;
}

/* W implies R (RISC-V has no write-only pages); 0 if perm has other bits. */
static unsigned perm_of(unsigned perm)
{
	if (perm & ~(unsigned)(VM_R | VM_W | VM_X))
		return 0;
	return perm & VM_W ? perm | VM_R : perm;
}

int vm_region_add(struct vm_space *s, uint64_t start, uint64_t end, unsigned perm,
		  enum vm_region_kind kind, const struct vm_image *img)
{
	const struct region_ops *ops = vm_ops_of(kind);
	struct vm_region *r;

	if (!ops || ((start | end) & (VM_PAGE - 1)) || start >= end || end > VM_MAX_VA ||
	    start < ops->guard * VM_PAGE || (perm && !perm_of(perm)) ||
	    (kind == VM_IMAGE && !img))
		return -1;
	if (!range_free(s, start - ops->guard * VM_PAGE, end, NULL))
		return -1;
	if (!room_for_region(s) || !(r = region_new(s, start, end, perm_of(perm), kind, img)))
		return VM_FAULT_NOMEM;
	link_region(s, r);
	return 0;
}

/* The highest start for len bytes (plus guard below them) in the free gap
 * [lo, hi) cut at below, or best if they do not fit there. */
static uint64_t fit(uint64_t lo, uint64_t hi, uint64_t len, uint64_t guard, uint64_t below,
		    uint64_t best)
{
	if (hi > below)
		hi = below;
	if (hi <= lo || hi - lo < len + guard)
		return best;
	return hi - len;
}

/* The highest start for len bytes (plus guard below them) within [lo,
 * hi), in the gaps between s's regions (their guards included); 0 if
 * there is no room. One pass up the sorted list: each gap that fits is
 * higher than the last. */
static uint64_t find_room(const struct vm_space *s, uint64_t len, uint64_t guard, uint64_t lo,
			  uint64_t hi)
{
	uint64_t gap_lo = lo, best = 0;

	for (const struct vm_region *r = s->regions; r; r = r->next) {
		best = fit(gap_lo, floor_of(r), len, guard, hi, best);
		if (r->end > gap_lo)
			gap_lo = r->end;
	}
	return fit(gap_lo, hi, len, guard, hi, best);
}

uint64_t vm_region_place(struct vm_space *s, uint64_t len, uint64_t above, uint64_t below,
			 unsigned perm, enum vm_region_kind kind)
{
	const struct region_ops *ops = vm_ops_of(kind);
	uint64_t start;

	if (!ops || len == 0 || len > VM_MAX_VA || above > VM_MAX_VA)
		return 0;
	len = (len + VM_PAGE - 1) & ~(VM_PAGE - 1);
	above = (above + VM_PAGE - 1) & ~(VM_PAGE - 1);
	if (above < VM_PAGE)
		above = VM_PAGE;
	below &= ~(VM_PAGE - 1);
	if (below > VM_MAX_VA)
		below = VM_MAX_VA;
	start = find_room(s, len, ops->guard * VM_PAGE, above, below);
	if (!start || vm_region_add(s, start, start + len, perm, kind, NULL) < 0)
		return 0;
	return start;
}

/* Unmap and drop every page of r, then r itself. */
void vm_region_remove(struct vm_space *s, struct vm_region *r)
{
	struct vm_region **p = &s->regions;

	vm_pages_drop(s, r, 0, region_pages(r));
	while (*p && *p != r)
		p = &(*p)->next;
	if (*p) {
		*p = r->next;
		s->nregions--;
		vm_discard_count(r, 0);
	}
	if (s->hint == r)
		s->hint = NULL;
	if (r->ops->release)
		r->ops->release(r);
	pv_free(&r->pages);
	vm_region_record_free(r);
}

/* Cut r (of s) in two at page `at` (0 < at < pages): r keeps the head, a
 * new region after it the tail and its pages. 0 or VM_FAULT_NOMEM. The
 * tail's memory may reclaim (base/heap_alloc.h) while r, still whole and
 * in s's list, is the only holder of its pages: pv_split moves them only
 * once the tail's page array has all it needs. */
static int region_split(struct vm_space *s, struct vm_region *r, uint64_t at)
{
	struct vm_region *t = room_for_region(s) ? vm_region_record() : NULL;

	if (!t)
		return VM_FAULT_NOMEM;
	*t = *r;
	t->start = r->start + at * VM_PAGE;
	t->pages = (struct pagevec){ .budget = r->pages.budget };
	if (pv_split(&r->pages, at, &t->pages) < 0) {
		vm_region_record_free(t);
		return VM_FAULT_NOMEM;
	}
	if (r->ops->split)
		r->ops->split(r, t, at);
	r->end = t->start;
	r->next = t;
	vm_region_counted(s, t);
	return 0;
}

/* The region with page-aligned va strictly inside it, if any, cut in two
 * there; 0 or VM_FAULT_NOMEM. */
static int cut_at(struct vm_space *s, uint64_t va)
{
	struct vm_region *r = vm_region_find(s, va);

	if (!r || r->start == va)
		return 0;
	return region_split(s, r, (va - r->start) / VM_PAGE);
}

/* Both ends are cut before any region goes: a cut refused (memory short)
 * then fails the call with every page still there, not part of the range
 * unmapped (the first cut, if made, stays: the same pages in two regions). */
int vm_unmap_range(struct vm_space *s, uint64_t start, uint64_t end)
{
	struct vm_region *r, *next;

	start &= ~(VM_PAGE - 1);
	end = (end + VM_PAGE - 1) & ~(VM_PAGE - 1);
	if (end < start)
		return -1;
	if (start == end)
		return 0;
	if (cut_at(s, start) < 0 || cut_at(s, end) < 0)
		return VM_FAULT_NOMEM;
	for (r = s->regions; r && r->start < end; r = next) {
		next = r->next;
		if (r->start >= start)	/* and so r->end <= end: cut above */
			vm_region_remove(s, r);
	}
	return 0;
}

/* The last region ending at end, or NULL. */
static struct vm_region *region_ending_at(const struct vm_space *s, uint64_t end)
{
	struct vm_region *found = NULL;

	for (struct vm_region *r = s->regions; r && r->start < end; r = r->next)
		if (r->end == end)
			found = r;
	return found;
}

uint64_t vm_regions_end(const struct vm_space *s, uint64_t from, uint64_t to)
{
	uint64_t end = from;

	for (const struct vm_region *r = s->regions; r && r->start < to; r = r->next)
		if (r->start >= from && r->end <= to)
			end = r->end;	/* in order: the last is the highest */
	return end;
}

uint64_t vm_region_end_across(const struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);

	return r && r->start < va ? r->end : 0;
}

int vm_region_resize(struct vm_space *s, uint64_t old_end, uint64_t new_end)
{
	struct vm_region *r = region_ending_at(s, old_end);
	uint64_t n;

	new_end = (new_end + VM_PAGE - 1) & ~(VM_PAGE - 1);
	if (!r || new_end < r->start || new_end > VM_MAX_VA)
		return -1;
	if (new_end == r->start) {
		vm_region_remove(s, r);
		return 0;
	}
	n = (new_end - r->start) / VM_PAGE;
	if (new_end > old_end && !range_free(s, old_end, new_end, r))
		return -1;
	if (new_end < old_end)
		vm_pages_drop(s, r, n, region_pages(r));
	if (r->ops->resize && r->ops->resize(r, n) < 0)
		return VM_FAULT_NOMEM;
	pv_truncate(&r->pages, n);	/* its pages beyond were dropped just above */
	r->end = new_end;
	return 0;
}
