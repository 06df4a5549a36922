/*
 * The fault path, the same for every kind of memory: find the region,
 * check the access, then let the region's kind fill an absent page (and
 * map a few after it), bring a swapped one back, map back a page unmapped
 * for its write-out (it is kept), or take a write; a page being written
 * out gets its write access back on a write.
 */
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

/* Whether a region with perm allows access (an unknown access is a read). */
static int access_ok(unsigned perm, unsigned access)
{
	unsigned need = access & (VM_R | VM_W | VM_X);

	return ((need ? need : VM_R) & ~perm) == 0;
}

/* page_fill_map's fill and mapping, once what the mapping takes is there
 * (how: VM_MAP_HELD if the page entry's chunk is held). A page_in that
 * let the lock go returns at once, touching nothing. Inline in both of
 * page_fill_map's calls: a call cost a faultaround=0 fault ~25
 * instructions. */
__attribute__((always_inline)) static inline int fill(struct vm_space *s, struct vm_region *r,
						  uint64_t i, unsigned how)
{
	uint64_t pa;
	int res = r->ops->page_in(r, i, &pa);

	if (res < 0)
		return res;
	/* A shared object's frame a write in flight holds and no fault has
	 * kept (unmapped, left with no mapping, or brought back by a fault
	 * whose own map was refused: object_frame_in): its other mappings
	 * back before one more is made, and kept once it is (the object holds
	 * it either way: nothing to give back). */
	if (res == VM_PAGE_IN_UNMAPPED)
		return vm_frame_fault_map(s, r, i, pa, how);
	if ((res = vm_page_map(s, r, i, pa, how)) < 0) {
		if (r->ops->page_gone)	/* frees it unless an object holds it */
			r->ops->page_gone(r, i, pa);
		return res;
	}
	return VM_FAULT_MAPPED;
}

/* Page i of r read back (page_in may let the lock go), mapped by the
 * fault run again: VM_FAULT_RETRY, or page_in's failure. */
static int read_then_retry(struct vm_region *r, uint64_t i)
{
	uint64_t pa;
	int res = r->ops->page_in(r, i, &pa);

	return res < 0 ? res : VM_FAULT_RETRY;
}

/* page_fill_map for a kind whose page_in may let the lock go (a shared
 * object's page read from swap), after which r may be gone, its chunks
 * freed: no chunk is held across such a read (pv_unhold would write a
 * freed one), and the fault runs again, finding the page in memory and
 * holding then. Asked again once the chunk is had: making it may have
 * reclaimed the frame page_in would have found (or the cached copy of its
 * slot), so that the page must be read after all. A read that kept the
 * lock (vm.h allows it) runs again too: the frame it left in the object,
 * unmapped, is evictable, and making the chunk the mapping needs may
 * reclaim it; the fault run again holds the chunk first.
 * Out of line: a private fault's path stays as short as it was (~3
 * instructions, faultaround=0). */
__attribute__((noinline)) static int fill_map_unlocking(struct vm_space *s, struct vm_region *r,
							uint64_t i, unsigned how)
{
	struct pv_chunk *c;
	int res;

	if (r->ops->page_in_unlocks(r, i))
		return read_then_retry(r, i);
	if (!(c = pv_hold(&r->pages, i, &res)))
		return vm_arrays_fault(res);
	if (r->ops->page_in_unlocks(r, i)) {
		pv_unhold(&r->pages, c);	/* if left empty, it goes */
		return read_then_retry(r, i);
	}
	res = fill(s, r, i, how | VM_MAP_HELD);
	pv_unhold(&r->pages, c);
	return res;
}

/* Fill absent page i of r and map it in s (how: vm_page_map's); 0,
 * VM_FAULT_NOMEM, VM_FAULT_ARRAYS (its chunk past its line's bound) or
 * VM_FAULT_IO (a shared object's page read back from swap).
 * What the mapping takes (a reverse-map entry, the page entry's chunk) is
 * made before the page is found, and the chunk held until the page is
 * mapped: making either may reclaim (a heap allocation reclaims when memory
 * is short: base/heap_alloc.h), which could evict a frame page_in found (a shared object's,
 * mapped elsewhere) before it is mapped here; and reclaim while page_in
 * works may clear the chunk's other entries, which without the hold would
 * free it and have the mapping make it again, reclaiming then. */
static int page_fill_map(struct vm_space *s, struct vm_region *r, uint64_t i, unsigned how)
{
	struct pv_chunk *c;
	int res;

	if (!(how & VM_MAP_RESERVED) && rmap_reserve(1) < 0)
		return VM_FAULT_NOMEM;
	how |= VM_MAP_RESERVED;
	if (r->ops->page_in_unlocks)
		return fill_map_unlocking(s, r, i, how);
	if (!(c = pv_hold(&r->pages, i, &res)))
		return vm_arrays_fault(res);
	res = fill(s, r, i, how | VM_MAP_HELD);
	pv_unhold(&r->pages, c);
	return res;
}

/* Fault-around's one rule: pages nobody asked for never reclaim. Pages
 * idx[0..k) of r (absent, rising; their rmap entries reserved) get frames
 * only while some are free above the reserve (page_in_run takes them
 * without reclaim) and are mapped as one run (one allocation call, one mmu
 * call, one pass over the page array); a frame that could not be mapped is
 * given back. How many were mapped, in order; *got: how many frames came;
 * *why: the fault's answer if page idx[0]'s chunk could not be had.
 * Inline: a call more cost each fault-around fault ~30 instructions. */
static inline __attribute__((always_inline)) unsigned
around_fill_map(struct vm_space *s, struct vm_region *r, const uint64_t *idx, unsigned k,
		unsigned *got, int *why)
{
	uint64_t pa[VM_RUN_MAX];
	unsigned m;

	*got = r->ops->page_in_run(r, idx, pa, k);	/* k >= 1: fill_run's */
	m = *got ? vm_pages_map_run(s, r, idx, pa, *got, why) : 0;
	if (!r->ops->fill)	/* zero fills, counted as mapped (page_in_run) */
		vmstat_count_n(VMSTAT_FAULTS_ZERO, m);
	for (unsigned x = m; x < *got; x++)
		r->ops->page_gone(r, idx[x], pa[x]);	/* unmapped: freed */
	return m;
}

/* Absent page i of r, whose kind faults around, and up to vm.faultaround
 * absent pages after it (swapped ones are left for their own faults), as
 * one run through around_fill_map. When no frame is free above the
 * reserve, page i alone reclaims, as any fault does (page_fill_map), and
 * the rest go through around_fill_map again: whatever that reclaim left
 * free above the reserve, and no more. A vm_fault result for page i.
 * Out of line: inlined, its arrays' frame is vm_fault's on every fault
 * (measured: 11 instructions more a faultaround=0 fault). */
__attribute__((noinline)) static int fill_run(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t end = i + 1 + vm.faultaround, n = region_pages(r);
	uint64_t idx[VM_RUN_MAX];
	unsigned k, from = 0, got, m;
	int res, why = VM_FAULT_NOMEM;	/* a run none of which was mapped */

	idx[0] = i;
	k = 1 + pv_absent(&r->pages, i + 1, end < n ? end : n, idx + 1, VM_RUN_MAX - 1);
	/* One page alone takes the shorter path: a run's set-up costs more
	 * than it saves for one (measured: ~80 instructions a fault). */
	if (k == 1 || !r->ops->page_in_run || rmap_reserve(k) < 0)
		return page_fill_map(s, r, i, 0);
	/* Twice at most: the run from page i, or, if no frame was free above
	 * the reserve, page i reclaiming and then the run from the next. One
	 * call site, so that around_fill_map's own calls stay inlined. */
	for (;;) {
		m = from + around_fill_map(s, r, idx + from, k - from, &got, &why);
		if (got || from)
			break;
		if ((res = page_fill_map(s, r, i, VM_MAP_RESERVED)) != VM_FAULT_MAPPED)
			return res;
		from = 1;
	}
	vmstat_count_n(VMSTAT_FAULTAROUND_PAGES, m > 1 ? m - 1 : 0);
	return m ? VM_FAULT_MAPPED : why;
}

/* Page i names a swap slot: its kind brings it back. Only a kind whose
 * entries may name slots (private) has the step. */
static int swapped_in(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	if (!r->ops->swap_in) {
		vm_note_bug("a page of a kind that is never swapped names a slot");
		return VM_FAULT_IO;
	}
	return r->ops->swap_in(s, r, i);
}

/* A write to present page i: to a copy-on-write page, the kind's step
 * first (breaking or taking back copy-on-write); a clean copy mapped
 * writable (just read back or filled from the file for this write) is
 * about to be written, so it gives its copies up now rather than at the
 * next harvest; then a frame being written out gets W back in every
 * mapping (the write-out is stale). */
static int write_fault(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint32_t e = region_entry(r, i);
	int res = VM_FAULT_MAPPED;

	if ((e & PAGE_COW) && r->ops->write) {
		res = r->ops->write(s, r, i);
		e = region_entry(r, i);
	}
	if (res != VM_FAULT_MAPPED || !entry_frame(e) || (e & PAGE_COW))
		return res;
	if (!swapcache_writing(entry_frame(e))) {
		vm_frame_dirtied(entry_frame(e));
		return res;
	}
	return vm_frame_write_resume(entry_frame(e)) < 0 ? VM_FAULT_NOMEM : VM_FAULT_MAPPED;
}

/* A fault on page i of r, present (entry e): mapped back if a write-out
 * unmapped its frame (it is kept); else mapped again as it is. Either
 * another thread's fault won (the mapping is in the tables by now: the
 * same one again), or the tables lost it (a map the kernel refused, which
 * mmu.c's flush can only report): without the mapping again the thread
 * would fault on it for ever. Out of line: inline, its registers cost
 * every fault 8 instructions (bench, faultaround=0). */
__attribute__((noinline)) static int present_fault(struct vm_space *s, const struct vm_region *r,
						   uint64_t i, uint32_t e)
{
	uint64_t pa = entry_frame(e);

	if (vm_frame_unmapped(pa))
		return vm_frame_fault_back(pa);
	/* Never clean: a write the tables saw since the last harvest would
	 * be forgotten, and a clean copy trusted. Dirty, the next harvest
	 * gives such a copy up at worst. */
	if (vm.mmu.map(vm.mmu.ctx, s->as, r->start + i * VM_PAGE, pa,
		       vm_entry_perm(r, e) & ~(unsigned)VM_CLEAN) < 0)
		return VM_FAULT_NOMEM;
	return VM_FAULT_MAPPED;
}

/* Whether a write to present page entry e of r is the kind's write step
 * alone: a copy-on-write page's step maps the page itself (its copy, or
 * the frame taken back writable), so present_fault's map of it as it is
 * would be undone in the same reply (a second entry in it, ~250
 * instructions a copy-on-write break: scripts/profile forkcow). A frame
 * unmapped for its write-out is first brought back in every mapping
 * (present_fault), as the step may map this one only. */
static int cow_step_maps(const struct vm_region *r, uint32_t e)
{
	return (e & PAGE_COW) && r->ops->write && !vm_frame_unmapped(entry_frame(e));
}

/* Whether an absent page of r is filled with a new zero frame (private
 * memory that no file fills). Mapped as the region allows, never
 * copy-on-write, holding no copy and in no write-out, such a page leaves
 * write_fault nothing to do: a write to it needs no step. */
static int fresh_zero_fill(const struct vm_region *r)
{
	return r->ops->priv && !r->ops->fill;
}

int vm_fault_again(struct vm_space *s, uint64_t va, unsigned access)
{
	struct vm_region *r = vm_region_find(s, va);
	uint64_t i;
	uint32_t e;
	int res;

	if (!r)
		return VM_FAULT_NOREGION;	/* a stack's guard page is in no region */
	if (!access_ok(r->perm, access))
		return VM_FAULT_PROT;
	i = (va - r->start) / VM_PAGE;
	e = region_entry(r, i);
	if (entry_slot(e)) {
		res = swapped_in(s, r, i);
	} else if (!entry_frame(e)) {
		/* Asked first: once a fill let the lock go, r may be gone. */
		int zero = fresh_zero_fill(r);

		/* Without fault-around, no run: fill_run's frame costs more
		 * than its check (faultaround=0 measures the round trip). */
		res = r->ops->faultaround && vm.faultaround ? fill_run(s, r, i)
							   : page_fill_map(s, r, i, 0);
		if (zero || res != VM_FAULT_MAPPED)
			return res;	/* no second look-up: ~35 instructions a fault */
	} else if ((access & VM_W) && cow_step_maps(r, e)) {
		res = VM_FAULT_MAPPED;	/* write_fault's step maps it, once */
	} else {
		res = present_fault(s, r, i, e);
	}
	if (res == VM_FAULT_MAPPED && (access & VM_W))
		res = write_fault(s, r, i);
	return res;
}

int vm_fault(struct vm_space *s, uint64_t va, unsigned access)
{
	vmstat_count(VMSTAT_PGFAULT);
	return vm_fault_again(s, va, access);
}

uint32_t vm_fault_failed_slot(void)
{
	uint32_t slot = vm.read_failed;

	vm.read_failed = 0;
	return slot;
}

/* The page names the slot in its own entry or its kind's (a shared
 * object's), absent. Not read again: the swap code does not read twice a
 * page whose own request failed (swap/in.c: retry_own). */
int vm_fault_after_failed_read(struct vm_space *s, uint64_t va, unsigned access, uint32_t failed)
{
	const struct vm_region *r = vm_region_find(s, va);

	if (r && access_ok(r->perm, access)) {
		uint64_t i = (va - r->start) / VM_PAGE;
		uint32_t e = region_entry(r, i), named = entry_slot(e);

		if (!e && r->ops->page_slot)
			named = r->ops->page_slot(r, i);
		if (named == failed && !swapcache_lookup(failed))
			return VM_FAULT_IO;
	}
	return vm_fault_again(s, va, access);
}

const char *vm_fault_reason(int result)
{
	switch (result) {
	case VM_FAULT_MAPPED:
		return "mapped";
	case VM_FAULT_NOREGION:
		return "no mapping at this address";
	case VM_FAULT_PROT:
		return "write to a read-only page, or an access its region forbids";
	case VM_FAULT_NOMEM:
		return "out of memory";
	case VM_FAULT_IO:
		return "the page could not be read back from swap";
	case VM_FAULT_ARRAYS:
		return "the page arrays of its line are at their bound";
	default:
		return "unknown fault result";
	}
}
