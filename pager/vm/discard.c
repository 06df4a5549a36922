/*
 * Discardable memory: a private anonymous region its owner has unlocked.
 * Reclaim walks the unlocked regions first and drops their pages without
 * any I/O (a dropped page is absent: it reads as zeros if touched); the
 * owner locks the region again and learns whether anything went.
 */
#include "base/vmstat.h"
#include "vm/internal.h"
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

static size_t drop_from(struct vm_space *s, struct vm_region *r, size_t want)
{
	size_t freed = 0;

	for (uint64_t i = region_next(r, 0); i < region_pages(r) && freed < want;
	     i = region_next(r, i + 1)) {
		uint64_t before = frames_free();
		if (!droppable(r, i))
			continue;
		vm_page_drop(s, r, i);
		r->discarded = 1;
		vmstat_count(VMSTAT_PGLAZYFREED);
		freed += frames_free() > before;
	}
	return freed;
}

size_t vm_discard_some(size_t want)
{
	size_t freed = 0;

	for (struct vm_space *s = vm.spaces; s && freed < want; s = s->next) {
		if (s->pinned)
			continue;
		for (struct vm_region *r = s->regions; r && freed < want; r = r->next)
			if (r->discardable)
				freed += drop_from(s, r, want - freed);
	}
	return freed;
}
