/*
 * Accessed and dirty bits (vm.h): every harvest goes through here, so that
 * a dirty bit read off a frame that holds a clean copy elsewhere (its slot,
 * or its program file: filecopy.c) gives the copy up. The ABI's struct
 * harvest_entry is the currency (plain C, kernel/abi/vm.h). Also the
 * insertion rule's clearing of new frames' accessed bits, in runs.
 */
#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/filecopy.h"

int vm_harvest(struct harvest_entry *e, const uint64_t *pa, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	if (!vm.mmu.harvest)
		return -1;
	vmstat_count(VMSTAT_HARVEST_CALLS);
	if ((r = vm.mmu.harvest(vm.mmu.ctx, e, n)) < 0)
		return r;
	for (size_t k = 0; k < n; k++)
		if ((e[k].bits & HARVEST_DIRTY) && pa && pa[k])
			vm_frame_dirtied(pa[k]);
	return 0;
}

/* A clearing's batch: entries and the frame each names (0: a run of
 * frames whose dirty bits are no news, vm_frame_may_hold_copy). */
#define CLEAR_BATCH 64
struct clearing {
	struct harvest_entry e[CLEAR_BATCH];
	uint64_t pa[CLEAR_BATCH];
	size_t n;
	uint64_t cur;		/* the frame being added (clear_mapping's) */
};

/* Pages c's last entry can still take if (as, va) continues it, a run of
 * frames that hold no copy; 0 if it does not. */
static uint32_t clearing_room(const struct clearing *c, int as, uint64_t va)
{
	const struct harvest_entry *last = &c->e[c->n - 1];
	uint32_t pages = harvest_run_pages(last->bits);

	if (c->pa[c->n - 1] != 0 || last->proc != (uint32_t)as ||
	    last->va + pages * VM_PAGE != va)
		return 0;
	return HARVEST_RUN_MAX - pages;
}

/* A new entry for (as, va) of frame pa (0: a run's first page). A full
 * batch is cleared first, so no mapping of a frame mapped many times
 * keeps its fault's bit. */
static struct harvest_entry *clearing_new(struct clearing *c, int as, uint64_t va, uint64_t pa)
{
	if (c->n == CLEAR_BATCH) {
		(void)vm_harvest(c->e, c->pa, c->n);
		c->n = 0;
	}
	c->pa[c->n] = pa;
	c->e[c->n] = (struct harvest_entry){ (uint32_t)as, HARVEST_ACCESSED, va };
	return &c->e[c->n++];
}

/* Add pages (as, va) and the pages after it, mapping frames that can
 * share run entries (vm_rmap_run): the last entry grows while it can,
 * then new ones of at most HARVEST_RUN_MAX pages each. */
static void clearing_add_run(struct clearing *c, int as, uint64_t va, size_t pages)
{
	while (pages) {
		uint32_t room = c->n ? clearing_room(c, as, va) : 0;
		uint32_t take;

		if (room) {
			take = pages < room ? (uint32_t)pages : room;
			c->e[c->n - 1].bits += take << HARVEST_RUN_SHIFT;
		} else {
			take = pages < HARVEST_RUN_MAX ? (uint32_t)pages : HARVEST_RUN_MAX;
			clearing_new(c, as, va, 0)->bits += (take - 1) << HARVEST_RUN_SHIFT;
		}
		va += (uint64_t)take * VM_PAGE;
		pages -= take;
	}
}

static void clear_mapping(void *ctx, struct vm_space *s, uint64_t va)
{
	struct clearing *c = ctx;

	clearing_new(c, s->as, va, c->cur);
}

void vm_frames_clear_accessed(const uint64_t *pa, size_t n)
{
	static struct clearing c;

	c.n = 0;
	for (size_t k = 0; k < n;) {
		struct vm_space *s;
		uint64_t va;
		size_t run = vm_rmap_run(pa + k, n - k, &s, &va);

		if (run) {
			clearing_add_run(&c, s->as, va, run);
			k += run;
			continue;
		}
		/* Mapped many times, or once holding a copy (its dirty bit is
		 * news: an entry of its own), or not yet (a frame of the fault
		 * being served, when the note filled mid-run: no walk). */
		const struct frame *f = frame_desc(pa[k]);

		c.cur = pa[k++];
		if (f && f->mapcount)
			vm_rmap_walk(c.cur, clear_mapping, &c);
	}
	(void)vm_harvest(c.e, c.pa, c.n);
}
