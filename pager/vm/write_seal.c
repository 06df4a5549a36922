/*
 * Sealing a clean copy (vm.h): just before a frame whose slot or program
 * file holds its contents is dropped without a write, its write permission
 * goes and its dirty bits are read in one harvest, so a write since the
 * last look is caught and the copy given up rather than trusted. The
 * first of a frame's write-state steps for a drop (write_unmap.c is a
 * write-out's; write_end.c ends both).
 */
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/harvest_batch.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

/* A harvest of what was sealed (or every frame, if the call failed: nothing
 * can be trusted then): a frame found written gives its copies up and gets
 * W back. */
static void seal_done(uint64_t pa, unsigned bits, int failed)
{
	(void)bits;	/* a dirty bit found: vm_harvest gave the copy up */
	if (!swapcache_writing(pa))
		return;	/* one of its mappings came earlier */
	if (failed)
		vm_frame_dirtied(pa);
	if (!swapcache_held(pa) && !vm_frame_file_copy(pa))
		vm_frame_write_end(pa);
}

void vm_frames_seal(const uint64_t *pa, size_t n)
{
	VM_HARVEST_BATCH_SPACE(space);
	struct vm_harvest_batch *b = vm_harvest_batch_start(space, HARVEST_DIRTY | HARVEST_PROTECT);

	for (size_t k = 0; k < n; k++) {
		/* Being written out (tied): its write-out watches it, or it
		 * is left marked after one, holding its copy (not
		 * swapcache_write_in_flight's answer: either way there is no
		 * copy to seal). A file copy marked but untied is sealed
		 * again: one harvest more. */
		if (!(swapcache_held(pa[k]) || vm_frame_file_copy(pa[k])) ||
		    (swapcache_writing(pa[k]) && swapcache_tied(pa[k])))
			continue;
		/* Marked first: a write from now on faults, and the fault
		 * takes the copy away (vm_frame_write_resume). */
		swapcache_set_writing(pa[k], 1);
		if (vm_harvest_batch_add(b, pa[k], seal_done) < 0)
			seal_done(pa[k], 0, 1);	/* too many mappings to check: no copy */
	}
	vm_harvest_batch_flush(b, seal_done);
}

int vm_page_seal(struct vm_space *s, uint64_t va, uint64_t pa, unsigned ro)
{
	struct harvest_entry e = { (uint32_t)s->as, HARVEST_DIRTY | HARVEST_PROTECT, va };

	if (vm_harvest(&e, &pa, 1) == 0)
		return 0;
	vm_frame_dirtied(pa);	/* nothing seen: it may have been written */
	return vm.mmu.protect(vm.mmu.ctx, s->as, va, ro);
}
