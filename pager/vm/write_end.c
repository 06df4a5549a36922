/*
 * The end of a frame's write state (a write-out's or a seal's): its
 * mappings back with their permissions when a write comes or the write is
 * over, and what a fault or fork on a write-out's victim does: its mappings
 * back while its write is in flight, its write state ended after. Above
 * write_unmap.c, which takes a victim out of the page tables and brings its
 * mappings back when asked.
 */
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/rmap.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

/* The entry of mapping (s, va), through *r, if the mapping has write
 * permission to lose or give back (pages read-only anyway, COW or in a
 * read-only region, have none); 0 if not; -1 if it has no page (a bug). */
static int writable_entry(struct vm_space *s, uint64_t va, const struct vm_region **r,
			  uint32_t *e)
{
	*r = vm_region_find(s, va);
	if (!*r || !(*e = region_entry(*r, (va - (*r)->start) / VM_PAGE))) {
		vm_note_bug("rmap entry without its page");
		return -1;
	}
	return ((*r)->perm & VM_W) && !(*e & PAGE_COW);
}

/* A frame's mappings getting their permission back: how many have it (in
 * the reverse map's order), and whether the mmu refused one (or its entry
 * was missing: a bug), after which none is asked. On undo, n counts down
 * those to take it from again. The shape of write_unmap.c's struct back (all
 * or none of a frame's mappings back in the page tables); this is W. */
struct reprot {
	unsigned n;
	int refused;
};

/* vm_rmap_fn: mapping (s, va) of the frame gets the permission its entry
 * and the frame's write state say; pages read-only anyway (COW, or a
 * read-only region) are left. */
static void reprotect_one(void *ctx, struct vm_space *s, uint64_t va)
{
	struct reprot *p = ctx;
	const struct vm_region *r;
	uint32_t e;
	int w;

	if (p->refused || !(w = writable_entry(s, va, &r, &e)))
		return;
	if (w < 0 || vm.mmu.protect(vm.mmu.ctx, s->as, va, vm_entry_perm(r, e)) < 0)
		p->refused = 1;
	else
		p->n++;
}

/* vm_rmap_fn: the first p->n mappings reprotect_one gave W lose it again
 * (the frame is marked: vm_entry_perm says read-only). */
static void unprotect_one(void *ctx, struct vm_space *s, uint64_t va)
{
	struct reprot *p = ctx;
	const struct vm_region *r;
	uint32_t e;

	if (!p->n || writable_entry(s, va, &r, &e) <= 0)
		return;
	vm.mmu.protect(vm.mmu.ctx, s->as, va, vm_entry_perm(r, e));
	p->n--;
}

/* pa was, or may have been, written: no slot's copy any more (a write-out
 * in flight is stale, so its end does not evict it), nor its program
 * file's. */
static void written(uint64_t pa)
{
	swapcache_written(pa);
	vm_frame_dirtied(pa);
}

/* Every mapping of pa its permission again: 0; or -1 if the mmu refused
 * one, pa then marked being written again with no mapping writable (those
 * given W before the refusal lose it), so that a write faults and the
 * fault tries again, and the mark's promise holds meanwhile. Any clean
 * copy goes too, and a write-out in flight is made stale (dirtied, so
 * its end does not evict): a write through one of those while it had W
 * shows in no bit read here (and one the mmu would not take W from again
 * keeps it). */
static int reprotect_all(uint64_t pa)
{
	struct reprot p = { 0, 0 };

	vm_rmap_walk(pa, reprotect_one, &p);
	if (!p.refused)
		return 0;
	swapcache_set_writing(pa, 1);
	if (p.n) {
		vm_rmap_walk(pa, unprotect_one, &p);
		written(pa);
	}
	return -1;
}

int vm_frame_write_end(uint64_t pa)
{
	struct frame *f = frame_desc(pa);
	int stale, back, marked;

	if (!f || f->state != FRAME_ANON)
		return -1;
	/* Written during a write-out still in flight: the mark's end clears
	 * that, and a failure below must not forget it, or the write's end
	 * would evict the frame as clean. */
	stale = swapcache_dirtied(pa);
	marked = swapcache_writing(pa);
	swapcache_set_writing(pa, 0);
	/* Unmapped for its write-out: each mapping back as it should be;
	 * else each given its permission again (a seal took W away). Not
	 * marked (a write fault during the write ended the mark: write_resume),
	 * every mapping has its permission already: a protect refused then
	 * would mark the frame again with a writable mapping, which no fault
	 * would ever unmark. */
	back = vm_frame_write_out_over(pa);
	if (back > 0 || (back == 0 && (!marked || reprotect_all(pa) == 0)))
		return 0;
	/* Some mapping stayed out: marked again, so a fault on one tries
	 * again (reprotect_all marks it itself). */
	if (back < 0)
		swapcache_set_writing(pa, 1);
	if (stale && !swapcache_dirtied(pa))
		swapcache_written(pa);
	return -1;
}

/* The fault's and the fork's question, asked here above the unmapping
 * (write_unmap.c brings mappings back; whether to, or to end the write
 * instead, is the write state's). */
int vm_frame_back(uint64_t pa)
{
	if (!swapcache_write_in_flight(pa))	/* over: its mark and write state end */
		return vm_frame_write_end(pa) < 0 ? -1 : 0;
	return vm_frame_map_back(pa) < 0 ? -1 : 1;
}

/* A fault used pa, for which vm_frame_back answered back: kept if that
 * brought it back while its write is in flight. A VM_FAULT result. */
static int fault_used(uint64_t pa, int back)
{
	if (back < 0)
		return VM_FAULT_NOMEM;
	if (back > 0)	/* used while it is written: kept */
		vm_frame_keep(pa);
	return VM_FAULT_MAPPED;
}

int vm_frame_fault_back(uint64_t pa)
{
	return fault_used(pa, vm_frame_back(pa));
}

/* Kept only once the fault's mapping is made: a fault that maps nothing
 * used nothing, and the write-out may evict the frame as if it had not
 * come. The map cannot end the write in between: it may reclaim, but
 * with the lock held, and the frame, marked, is busy for reclaim. */
int vm_frame_fault_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa,
		       unsigned how)
{
	int back = vm_frame_back(pa), res;

	if (back >= 0 && (res = vm_page_map(s, r, i, pa, how)) < 0)
		return res;
	return fault_used(pa, back);
}

int vm_frame_write_resume(uint64_t pa)
{
	if (vm_frame_write_end(pa) < 0)
		return -1;
	written(pa);
	return 0;
}

