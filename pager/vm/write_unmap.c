/*
 * Unmapping at choice: a victim about to be written out leaves the page
 * tables (one harvest call for a batch: HARVEST_UNMAP) but keeps its page
 * and reverse-map entries, so a fault on it finds the frame and maps it
 * back (the victim is kept), and its eviction has no mapping left to undo.
 * The first of a frame's write-state steps for a write-out (write_seal.c is
 * a drop's; write_end.c ends both).
 */
#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/harvest_batch.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

/* A frame's mappings on their way out of, or back into, the page tables:
 * pa, how many have gone (or come back: in the reverse map's order), and
 * whether the mmu refused one (none after it is asked); max bounds how many
 * come back (an undo: only those taken out). */
struct back {
	uint64_t pa;
	unsigned n;
	int refused;
	unsigned max;
};

static void map_back(void *ctx, struct vm_space *s, uint64_t va);

/* vm_rmap_fn: mapping (s, va) of the frame leaves the page tables, unless
 * one before it was refused. */
static void unmap_one(void *ctx, struct vm_space *s, uint64_t va)
{
	struct back *b = ctx;

	if (b->refused)
		return;
	if (vm.mmu.unmap(vm.mmu.ctx, s->as, va) < 0)
		b->refused = 1;
	else
		b->n++;
}

/* pa's mappings unmapped one kernel call each (the batch could not take
 * it, or its call failed), its dirty bits lost with them: a clean copy is
 * given up rather than trusted. Once: a frame's entries in a failed call
 * all come here, and the first does it for all (marked unmapped, or not
 * being written any more). If the mmu refuses one, that mapping stays as
 * it was, writable maybe, and a write through it faults on nothing: so
 * the frame is not marked unmapped (its write-out then would end with no
 * sign of that write and evict the page) but its write is made stale at
 * once, as a write fault's would be (vm_frame_write_resume): the write's
 * end keeps the page. Those taken out come back, as they were. */
static void unmap_each(uint64_t pa)
{
	struct frame *f = frame_desc(pa);
	struct back b = { pa, 0, 0, ~0u }, undo;

	if (f->unmapped || !swapcache_writing(pa))
		return;
	vm_rmap_walk(pa, unmap_one, &b);
	vm_frame_dirtied(pa);
	if (!b.refused) {
		frame_set_unmapped(f, 1);
		return;
	}
	swapcache_set_writing(pa, 0);	/* its mappings come back writable */
	swapcache_written(pa);
	undo = (struct back){ pa, 0, 0, b.n };
	vm_rmap_walk(pa, map_back, &undo);
}

/* One mapping's answer: gone from the page tables, or, if the call
 * failed, unmapped anew. Its bits are no business of this step: the
 * batch handed them to vm_harvest before this call (a dirty bit found gave
 * the clean copy up), and vm_harvest_done's other callers need them. */
static void unmap_done(uint64_t pa, unsigned bits, int failed)
{
	(void)bits;
	if (failed)
		unmap_each(pa);
	else
		frame_set_unmapped(frame_desc(pa), 1);
}

/* pa's descriptor (NULL if pa is no frame), no fault keeping it any more:
 * a write-out starts, ends, or its frame leaves every mapping. */
static struct frame *unkeep(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	if (f)
		f->fault_kept = 0;
	return f;
}

void vm_frames_unmap(const uint64_t *pa, size_t n)
{
	VM_HARVEST_BATCH_SPACE(space);
	struct vm_harvest_batch *b = vm_harvest_batch_start(space, HARVEST_UNMAP | HARVEST_DIRTY);

	for (size_t k = 0; k < n; k++) {
		struct frame *f = frame_desc(pa[k]);

		if (!f || f->state != FRAME_ANON)
			continue;
		/* Marked first: mapped again from now on, it is read-only. A
		 * new write-out: a fault before it (one that mapped back a frame
		 * a failed map-back left out) kept nothing in this one. */
		swapcache_set_writing(pa[k], 1);
		(void)unkeep(pa[k]);
		if (!f->mapcount || f->unmapped)
			continue;	/* nothing in the page tables */
		if (!vm.mmu.harvest ||
		    vm_harvest_batch_add(b, pa[k], unmap_done) < 0)
			unmap_each(pa[k]);
	}
	vm_harvest_batch_flush(b, unmap_done);
}

/* The permission mapping (s, va) of pa comes back with (its entry's:
 * read-only while the write is on), or -1 if its entry does not name pa
 * (the VM core's bug, noted; that mapping is left alone both ways). */
static int back_perm(struct vm_space *s, uint64_t va, uint64_t pa)
{
	const struct vm_region *r = vm_region_find(s, va);
	uint32_t e = r ? region_entry(r, (va - r->start) / VM_PAGE) : 0;

	if (entry_frame(e) != pa) {
		vm_note_bug("rmap entry without its page");
		return -1;
	}
	return (int)vm_entry_perm(r, e);
}

/* vm_rmap_fn: mapping (s, va) of frame ((struct back *)ctx)->pa back in
 * the page tables, unless one before it was refused or max are back. A
 * refusal in an undo leaves that mapping out of the tables, as a map the
 * kernel refused does: its fault maps it again (vm_fault's present page). */
static void map_back(void *ctx, struct vm_space *s, uint64_t va)
{
	struct back *b = ctx;
	int perm;

	if (b->refused || b->n == b->max || (perm = back_perm(s, va, b->pa)) < 0)
		return;
	if (vm.mmu.map(vm.mmu.ctx, s->as, va, b->pa, (unsigned)perm) < 0)
		b->refused = 1;
	else
		b->n++;
}

/* vm_rmap_fn: the first b->n mappings map_back brought back go out again,
 * and only those (the mmu is asked to unmap only what is mapped). */
static void unmap_back(void *ctx, struct vm_space *s, uint64_t va)
{
	struct back *b = ctx;

	if (!b->n || back_perm(s, va, b->pa) < 0)
		return;
	vm.mmu.unmap(vm.mmu.ctx, s->as, va);
	b->n--;
}

int vm_frame_map_back(uint64_t pa)
{
	struct frame *f = frame_desc(pa);
	struct back b = { pa, 0, 0, ~0u };

	if (!f || !f->unmapped)
		return 0;
	vm_rmap_walk(pa, map_back, &b);
	if (b.refused) {
		/* Some mapping is not back: all out again, still unmapped. */
		vm_rmap_walk(pa, unmap_back, &b);
		return -1;
	}
	frame_set_unmapped(f, 0);
	return 1;
}

void vm_frame_keep(uint64_t pa)
{
	frame_desc(pa)->fault_kept = 1;
	vmstat_count(VMSTAT_SWAPOUT_FAULT_KEPT);
}

int vm_frame_kept_by_fault(uint64_t pa)
{
	return vm_frame_kept(pa);
}

void vm_frame_unmapped_clear(uint64_t pa)
{
	struct frame *f = unkeep(pa);

	if (f)
		frame_set_unmapped(f, 0);
}

int vm_frame_write_out_over(uint64_t pa)
{
	return unkeep(pa) ? vm_frame_map_back(pa) : 0;
}
