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

/* Whether (as, va) continues c's last entry, a run of frames that hold no
 * copy, by one page. */
static int clearing_extends(const struct clearing *c, int as, uint64_t va)
{
	const struct harvest_entry *last = &c->e[c->n - 1];
	uint32_t pages = harvest_run_pages(last->bits);

	return c->pa[c->n - 1] == 0 && last->proc == (uint32_t)as &&
	       pages < HARVEST_RUN_MAX && last->va + pages * VM_PAGE == va;
}

/* Add mapping (as, va) of c->cur; in_run: the frame may join a run entry
 * (mapped once, no copy, so its answer is needed by no one). A full batch
 * is cleared first, so no mapping of a frame mapped many times keeps its
 * fault's bit. */
static void clearing_add(struct clearing *c, int as, uint64_t va, int in_run)
{
	if (in_run && c->n && clearing_extends(c, as, va)) {
		c->e[c->n - 1].bits += 1u << HARVEST_RUN_SHIFT;
		return;
	}
	if (c->n == CLEAR_BATCH) {
		(void)vm_harvest(c->e, c->pa, c->n);
		c->n = 0;
	}
	c->pa[c->n] = in_run ? 0 : c->cur;
	c->e[c->n++] = (struct harvest_entry){ (uint32_t)as, HARVEST_ACCESSED, va };
}

static void clear_mapping(void *ctx, struct vm_space *s, uint64_t va)
{
	clearing_add(ctx, s->as, va, 0);
}

void vm_frames_clear_accessed(const uint64_t *pa, size_t n)
{
	static struct clearing c;

	c.n = 0;
	for (size_t k = 0; k < n; k++) {
		struct vm_space *s;
		uint64_t va;
		unsigned maps = vm_rmap_one(pa[k], &s, &va);

		c.cur = pa[k];
		if (maps == 1)
			clearing_add(&c, s->as, va, !vm_frame_may_hold_copy(frame_desc(pa[k])));
		else if (maps)
			vm_rmap_walk(pa[k], clear_mapping, &c);
	}
	(void)vm_harvest(c.e, c.pa, c.n);
}
