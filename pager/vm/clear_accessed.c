/*
 * The insertion rule's clearing of new frames' accessed bits (vm.h,
 * vm_frames_clear_accessed), in runs: a fault-around run's pages go as one
 * harvest entry, through the harvest every look uses (harvest.c).
 */
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/filecopy.h"
#include "vm/harvest_batch.h"
#include "vm/rmap_pool.h"

/*
 * The clearing's batch is harvest_batch.h's, each run entry's frame 0 (its
 * dirty bits no news: vm_frame_may_hold_copy). It is not emptied with
 * vm_harvest_batch_flush, which takes a dirty bit it does not clear as no
 * news: the clearing clears none, yet one seen on a frame holding a copy
 * gives the copy up here, as it always has.
 */
VM_HARVEST_BATCH_SPACE(clearing);

/* Pages b's last entry can still take if (as, va) continues it, a run of
 * frames that hold no copy; 0 if it does not. */
static uint32_t clearing_room(const struct vm_harvest_batch *b, int as, uint64_t va)
{
	const struct harvest_entry *last = &b->e[b->n - 1];
	uint32_t pages = harvest_run_pages(last->bits);

	if (b->pa[b->n - 1] != 0 || last->proc != (uint32_t)as ||
	    last->va + pages * VM_PAGE != va)
		return 0;
	return HARVEST_RUN_MAX - pages;
}

/* A new entry for (as, va) of frame pa (0: a run's first page). A full
 * batch is cleared first, so no mapping of a frame mapped many times
 * keeps its fault's bit. */
static struct harvest_entry *clearing_new(struct vm_harvest_batch *b, int as, uint64_t va,
					  uint64_t pa)
{
	if (b->n == VM_HARVEST_BATCH) {
		(void)vm_harvest(b->e, b->pa, b->n);
		b->n = 0;
	}
	b->pa[b->n] = pa;
	b->e[b->n] = (struct harvest_entry){ (uint32_t)as, HARVEST_ACCESSED, va };
	return &b->e[b->n++];
}

/* Add pages (as, va) and the pages after it, mapping frames that can
 * share run entries (frames_run): the last entry grows while it can,
 * then new ones of at most HARVEST_RUN_MAX pages each. */
static void clearing_add_run(struct vm_harvest_batch *b, int as, uint64_t va, size_t pages)
{
	while (pages) {
		uint32_t room = b->n ? clearing_room(b, as, va) : 0;
		uint32_t take;

		if (room) {
			take = pages < room ? (uint32_t)pages : room;
			b->e[b->n - 1].bits += take << HARVEST_RUN_SHIFT;
		} else {
			take = pages < HARVEST_RUN_MAX ? (uint32_t)pages : HARVEST_RUN_MAX;
			clearing_new(b, as, va, 0)->bits += (take - 1) << HARVEST_RUN_SHIFT;
		}
		va += (uint64_t)take * VM_PAGE;
		pages -= take;
	}
}

/* pa's mapping if one run entry can stand for it: its only mapping, and
 * its dirty bit no news (it holds no copy); NULL otherwise. */
static inline const struct rmap_entry *run_mapping(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f && !vm_frame_may_hold_copy(f) ? vm_rmap_single(f) : NULL;
}

/* How many frames of pa[0..n), from pa[0], run entries can stand for:
 * each mapped once, holding no copy, in pa[0]'s space at the page after
 * the one before. 0 if pa[0] is not such a frame; else *s, *va is its
 * mapping. One loop and no call a frame (was an out-of-line look-up each). */
static size_t frames_run(const uint64_t *pa, size_t n, struct vm_space **s, uint64_t *va)
{
	const struct rmap_entry *first = run_mapping(pa[0]);
	size_t k = 1;

	if (!first)
		return 0;
	for (; k < n; k++) {
		const struct rmap_entry *e = run_mapping(pa[k]);
		if (!e || e->space != first->space || e->vpn != first->vpn + k)
			break;
	}
	*s = first->space;
	*va = pfn_pa(first->vpn);
	return k;
}

/* vm_rmap_walk's step: an entry of its own for each mapping of frame pa. */
struct clearing_frame {
	struct vm_harvest_batch *b;
	uint64_t pa;
};

static void clear_mapping(void *ctx, struct vm_space *s, uint64_t va)
{
	struct clearing_frame *f = ctx;

	clearing_new(f->b, s->as, va, f->pa);
}

void vm_frames_clear_accessed(const uint64_t *pa, size_t n)
{
	struct vm_harvest_batch *b = vm_harvest_batch_start(clearing, HARVEST_ACCESSED);

	for (size_t k = 0; k < n;) {
		struct vm_space *s;
		uint64_t va;
		size_t run = frames_run(pa + k, n - k, &s, &va);

		if (run) {
			clearing_add_run(b, s->as, va, run);
			k += run;
			continue;
		}
		/* Mapped many times, or once holding a copy (its dirty bit is
		 * news: an entry of its own), or not at all (a page read ahead
		 * and not mapped yet, or freed since it was noted: no walk). */
		struct clearing_frame f = { b, pa[k++] };
		const struct frame *d = frame_desc(f.pa);

		if (d && d->mapcount)
			vm_rmap_walk(f.pa, clear_mapping, &f);
	}
	(void)vm_harvest(b->e, b->pa, b->n);
}
