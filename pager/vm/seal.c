/*
 * Sealing a clean copy (vm.h): just before a frame whose slot or program
 * file holds its contents is dropped without a write, its write permission
 * goes and its dirty bits are read in one harvest, so a write since the
 * last look is caught and the copy given up rather than trusted.
 */
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

#define SEAL_MAX 64	/* mappings checked in one harvest */

struct seal {
	struct harvest_entry e[SEAL_MAX];
	uint64_t pa[SEAL_MAX];
	size_t n;
	uint64_t current;
};

static void seal_one(void *ctx, struct vm_space *s, uint64_t va)
{
	struct seal *b = ctx;

	if (b->n == SEAL_MAX) {
		vm_note_bug("a clean copy has more mappings than one seal checks");
		return;
	}
	b->pa[b->n] = b->current;
	b->e[b->n++] = (struct harvest_entry){ (uint32_t)s->as,
					       HARVEST_DIRTY | HARVEST_PROTECT, va };
}

/* Harvest what b holds: write permission goes, dirty bits are read. A frame
 * found written (or every frame, if the harvest failed: nothing can be
 * trusted then) gives its copies up and gets W back. */
static void seal_flush(struct seal *b)
{
	int failed = vm_harvest(b->e, b->pa, b->n) < 0;

	for (size_t k = 0; k < b->n; k++) {
		uint64_t pa = b->pa[k];
		if (!swapcache_writing(pa))
			continue;	/* one of its mappings came earlier */
		if (failed)
			vm_frame_dirtied(pa);
		if (!swapcache_held(pa) && !vm_frame_file_copy(pa))
			vm_frame_write_protect(pa, 0);
	}
	b->n = 0;
}

void vm_frames_seal(const uint64_t *pa, size_t n)
{
	static struct seal b;

	b.n = 0;
	for (size_t k = 0; k < n; k++) {
		/* Being written out (tied): its write-out watches it. A file
		 * copy marked but untied is sealed again: one harvest more. */
		if (!(swapcache_held(pa[k]) || vm_frame_file_copy(pa[k])) ||
		    (swapcache_writing(pa[k]) && swapcache_tied(pa[k])))
			continue;
		if (b.n + vm_mapcount(pa[k]) > SEAL_MAX)
			seal_flush(&b);
		/* Marked first: a write from now on faults, and the fault
		 * takes the copy away (vm_frame_write_resume). */
		swapcache_set_writing(pa[k], 1);
		b.current = pa[k];
		vm_rmap_walk(pa[k], seal_one, &b);
	}
	seal_flush(&b);
}

int vm_page_seal(struct vm_space *s, uint64_t va, uint64_t pa, unsigned ro)
{
	struct harvest_entry e = { (uint32_t)s->as, HARVEST_DIRTY | HARVEST_PROTECT, va };

	if (vm_harvest(&e, &pa, 1) == 0)
		return 0;
	vm_frame_dirtied(pa);	/* nothing seen: it may have been written */
	return vm.mmu.protect(vm.mmu.ctx, s->as, va, ro);
}
