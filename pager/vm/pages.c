/*
 * The page-level steps faults, forks and unmaps are made of: map a frame
 * at a page with its back-link, drop a page's mapping or slot. Only these
 * pair an mmu change with an rmap change. Also where the VM core's frames
 * come from (reclaiming through the hook when none is free) and go back.
 */
#include <stdlib.h>
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/swapcache.h"

/* The permission present entry e of r, whose frame is pa (descriptor f),
 * is mapped with:
 * the region's, less W while the page is copy-on-write or its frame is
 * being written out; writable, a frame holding a clean copy (its slot, or
 * its program file) is mapped clean, so that its first write shows in the
 * dirty bit (vm_harvest). Inline in vm_page_map, on every page a fault
 * maps; pa and f from the caller, who has them (first touch 1,145 ->
 * 1,138 a page, faultaround=0 1,976 -> 1,970). */
static inline unsigned entry_perm(const struct vm_region *r, uint32_t e, uint64_t pa,
				  const struct frame *f)
{
	/* Most frames have no swap state at all: no need to ask which. */
	int swap = f && swapcache_frame_flags(f);

	if ((e & PAGE_COW) || (swap && swapcache_writing(pa)))
		return r->perm & ~(unsigned)VM_W;
	if ((r->perm & VM_W) && ((swap && swapcache_held(pa)) || (f && f->file_copy)))
		return r->perm | VM_CLEAN;
	return r->perm;
}

unsigned vm_entry_perm(const struct vm_region *r, uint32_t e)
{
	uint64_t pa = entry_frame(e);

	return entry_perm(r, e, pa, frame_desc(pa));
}

/* The page entry and the permission pa (descriptor f) is mapped with in
 * r, as how says (vm_page_map's): copy-on-write with VM_MAP_COW if r is a
 * writable private region, its dirty bit clear with VM_MAP_CLEAN if
 * writable. Inline: how is a constant 0 for first touch's run, which then
 * pays for none of it. */
static inline uint32_t how_entry(const struct vm_region *r, uint64_t pa, const struct frame *f,
				 unsigned how, unsigned *perm)
{
	uint32_t e = pa_pfn(pa) | ((how & VM_MAP_COW) && r->ops->priv && (r->perm & VM_W) ? PAGE_COW : 0);

	*perm = entry_perm(r, e, pa, f);
	if ((how & VM_MAP_CLEAN) && (*perm & VM_W))
		*perm |= VM_CLEAN;
	return e;
}

/* Map pa at page i of r in s and record it (page array, rmap), as how
 * says (how_entry; VM_MAP_RESERVED: its rmap entry is reserved); 0,
 * VM_FAULT_NOMEM or VM_FAULT_ARRAYS (its chunk past its line's bound),
 * with nothing changed on failure. A frame unmapped for
 * its write-out has its mappings in the page tables all or none: the
 * callers that may map one more bring the others back first (a private
 * page's fork through vm_frame_back, a shared object's page through
 * vm_frame_fault_map (write_end.c), which maps it after; a shared
 * region's fork maps no frame a write-out holds, shared.c's
 * object_frame_in; here, the check cost a first touch up to 15
 * instructions: bench, faultaround=0). */
int vm_page_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa, unsigned how)
{
	uint64_t va = r->start + i * VM_PAGE;
	struct frame *f = frame_desc(pa);	/* looked up once, for both */
	unsigned perm;
	uint32_t e = how_entry(r, pa, f, how, &perm);
	int err;

	if (!(how & VM_MAP_HELD) && (err = pv_reserve(&r->pages, i)) < 0)
		return vm_arrays_fault(err);
	if ((!(how & VM_MAP_RESERVED) && rmap_reserve(1) < 0) ||
	    vm.mmu.map(vm.mmu.ctx, s->as, va, pa, perm) < 0) {
		pv_unreserve(&r->pages, i);	/* a chunk made for it alone goes */
		return VM_FAULT_NOMEM;
	}
	rmap_add_frame(f, s, va, r->kind == VM_IMAGE);
	pv_put(&r->pages, i, e);	/* reserved: cannot fail, no search */
	return 0;
}

/* mmu_ops.map_run, or map for each entry where there is none. */
static unsigned mmu_map_run(int as, const struct map_entry *e, unsigned n)
{
	unsigned k = 0;

	if (vm.mmu.map_run)
		return (unsigned)vm.mmu.map_run(vm.mmu.ctx, as, e, n);
	while (k < n && vm.mmu.map(vm.mmu.ctx, as, e[k].va, e[k].pa, (unsigned)e[k].perm) == 0)
		k++;
	return k;
}

/* A run mapped only its first k of n pages: a chunk made for its first or
 * last page alone goes (pv_unreserve), rather than stay empty. Out of
 * line, for when memory is short. */
__attribute__((noinline, cold)) static void unreserve_unmapped(struct vm_region *r,
							       const uint64_t *idx, unsigned k,
							       unsigned n)
{
	pv_unreserve(&r->pages, idx[n - 1]);
	if (k == 0)
		pv_unreserve(&r->pages, idx[0]);
}

/* How many of idx[0..n) share idx[0]'s chunk (idx[] rises). Out of line:
 * it is for when memory is short, and inline it cost a fault's run ~20
 * instructions (bench, first touch). */
__attribute__((noinline, cold)) static unsigned in_first_chunk(const uint64_t *idx, unsigned n)
{
	while (n > 1 && idx[n - 1] / PV_CHUNK != idx[0] / PV_CHUNK)
		n--;
	return n;
}

/* A run from idx[0]'s chunk (reserved) into the next: the next one
 * reserved, with the first held meanwhile and until the run's entries are
 * set (pv_hold: it exists, nothing to make). Making the next may reclaim,
 * which may clear the first's other entries (a program-text page dropped,
 * a discarded one) and so free it: setting the run's entries there would
 * make it again, after the frames are mapped, and an entry whose chunk
 * could not be had then would be lost. Without room for the next chunk
 * the run is cut to the first's pages. The hold. Out of line: runs
 * within one chunk are the most. */
__attribute__((noinline, cold)) static struct pv_chunk *reserve_next(struct pagevec *v,
								     const uint64_t *idx,
								     unsigned *n)
{
	int err;
	struct pv_chunk *c = pv_hold(v, idx[0], &err);	/* it exists: reserved */

	if (pv_reserve(v, idx[*n - 1]) < 0)
		*n = in_first_chunk(idx, *n);	/* short or at the bound: the run's pages after */
	return c;
}

/* idx[] rises and a run is shorter than a chunk: the chunks of its first
 * and last pages are all it touches (reserve_next). Without room for the
 * last page's chunk the run ends with the first's: idx[0] (the faulting
 * page) needs only its own, and the pages after it were only
 * fault-around's. Each
 * page as how[m] says (how_entry), or as how 0 without how[]: inline in
 * both callers, so that first touch's run (none) computes no how. When
 * idx[0]'s chunk cannot be had, none is mapped and *why (unless NULL)
 * says why, as a fault answers (vm_arrays_fault). */
static inline __attribute__((always_inline)) unsigned map_run(struct vm_space *s, struct vm_region *r,
							      const uint64_t *idx, const uint64_t *pa,
							      const unsigned *how, unsigned n, int mmu,
							      int *why)
{
	struct map_entry e[VM_RUN_MAX];
	struct frame *f[VM_RUN_MAX];	/* looked up once, for both */
	uint32_t ent[VM_RUN_MAX];
	struct pv_chunk *held = NULL;
	unsigned k, perm;
	int err;

	_Static_assert(VM_RUN_MAX <= PV_CHUNK, "a run spans two chunks at most");
	/* A fault's run is never longer: its caller's bug, noted, and the run
	 * cut (refusing it would make the fault look like lack of memory and
	 * send the OOM killer after processes for a pager bug). */
	if (n > VM_RUN_MAX) {
		vm_note_bug("a run longer than VM_RUN_MAX");
		n = VM_RUN_MAX;
	}
	if (n == 0)
		return 0;
	if ((err = pv_reserve(&r->pages, idx[0])) < 0) {
		if (why)
			*why = vm_arrays_fault(err);
		return 0;
	}
	if (idx[n - 1] / PV_CHUNK != idx[0] / PV_CHUNK)
		held = reserve_next(&r->pages, idx, &n);
	for (k = 0; k < n; k++) {
		f[k] = frame_desc(pa[k]);
		ent[k] = how_entry(r, pa[k], f[k], how ? how[k] : 0, &perm);
		e[k] = (struct map_entry){ r->start + idx[k] * VM_PAGE, pa[k], perm };
	}
	k = mmu ? mmu_map_run(s->as, e, n) : n;
	rmap_add_run(s, e, f, k, r->kind == VM_IMAGE);
	pv_set_run(&r->pages, idx, ent, k);
	if (held)
		pv_unhold(&r->pages, held);
	if (k < n)
		unreserve_unmapped(r, idx, k, n);
	return k;
}

/* Flattened, both: with two runs, the calls map_run makes (the mmu's, the
 * page array's, the reverse map's) have two callers each and were left out
 * of line, which cost first touch's fault ~50 instructions (bench). */
__attribute__((flatten)) unsigned vm_pages_map_run(struct vm_space *s, struct vm_region *r,
						   const uint64_t *idx, const uint64_t *pa, unsigned n,
						   int *why)
{
	return map_run(s, r, idx, pa, NULL, n, 1, why);
}

__attribute__((flatten)) unsigned vm_pages_map_run_how(struct vm_space *s, struct vm_region *r,
						       const uint64_t *idx, const uint64_t *pa,
						       const unsigned *how, unsigned n)
{
	return map_run(s, r, idx, pa, how, n, 1, NULL);
}

__attribute__((flatten)) unsigned vm_pages_adopt_run(struct vm_space *s, struct vm_region *r,
						     const uint64_t *idx, const uint64_t *pa,
						     const unsigned *how, unsigned n)
{
	return map_run(s, r, idx, pa, how, n, 0, NULL);
}

/* Clear page i's entry of r: with pv_set, or, walk: in place in chunk k of
 * a walk (pv_walk_clear). */
static inline __attribute__((always_inline)) void entry_clear(struct vm_region *r, uint64_t i,
							      int walk, uint32_t k)
{
	if (walk)
		pv_walk_clear(&r->pages, k, i);
	else
		pv_set(&r->pages, i, 0);
}

/* Drop page i of r in s, entry e (out of the page tables already if out:
 * its range was unmapped whole), its back-link, and let the kind decide
 * whether the frame goes; a swapped page gives up its slot reference. The
 * entry is cleared as entry_clear says. Inline in both callers, so the walk's pays no call a
 * page. */
static inline __attribute__((always_inline)) void drop_entry(struct vm_space *s,
							     struct vm_region *r, uint64_t i,
							     uint32_t e, int out, int walk,
							     uint32_t k)
{
	uint32_t slot = entry_slot(e);
	uint64_t pa = entry_frame(e), va = r->start + i * VM_PAGE;

	if (slot) {
		entry_clear(r, i, walk, k);
		swapcache_slot_put(slot);
		return;
	}
	if (!pa)
		return;
	if (vm_frame_unmapped(pa))	/* out of the page tables already, for its write-out */
		frame_mapping_going(frame_desc(pa));
	else if (!out)
		vm.mmu.unmap(vm.mmu.ctx, s->as, va);
	rmap_remove(pa, s, va);
	entry_clear(r, i, walk, k);
	if (r->ops->page_gone)
		r->ops->page_gone(r, i, pa);
}

void vm_page_drop(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	drop_entry(s, r, i, region_entry(r, i), 0, 0, 0);
}

/* 1 if pages [from, to) of r left the page tables in one call; 0 if
 * they are still there, to go page by page (a refusal is noted). */
static int span_out(struct vm_space *s, struct vm_region *r, uint64_t from, uint64_t to)
{
	if (!vm.mmu.unmap_range)
		return 0;
	if (vm.mmu.unmap_range(vm.mmu.ctx, s->as, r->start + from * VM_PAGE, to - from) == 0)
		return 1;
	vm_note_bug("unmap_range failed: its pages were unmapped one by one");
	return 0;
}

/* The whole range leaves the page tables in one call before any frame
 * goes: a program's munmap of a large buffer was a system call a resident
 * page (shift's wl_unmap at 128 MiB: ~24,000). Whole, not only from its
 * first page entry: a page out for its write-out (HARVEST_UNMAP) kept its
 * page table, and a shared region's page written out, or a program
 * page dropped clean, has no entry left to find it by, so a range of
 * such pages (or a span of them before the first entry or after the last
 * chunk) would keep its tables until the process's limit or exit. The
 * kernel's walk skips a 2 MiB with no table in a step (1 GiB with no
 * table above it: arch_pt_unmap), and a process gone answers at once
 * (base/mmu.c). The pages are met by one walk of the page array, each
 * entry read and cleared where it lies (a search for the next entry and
 * one to clear it cost ~50 instructions a page: the children's exits of
 * scripts/profile forkcow). Nothing here allocates, so nothing reclaims
 * under the walk. */
void vm_pages_drop(struct vm_space *s, struct vm_region *r, uint64_t from, uint64_t to)
{
	struct pagevec *v = &r->pages;
	const uint32_t *e;
	uint64_t first;
	int out = span_out(s, r, from, to);

	for (uint32_t k = pv_walk_begin(v, from); pv_walk_chunk(v, k, &first, &e) && first < to;
	     k++) {
		for (uint64_t i = first > from ? first : from; i < first + PV_CHUNK && i < to; i++) {
			uint32_t x = e[i - first];

			if (x)
				drop_entry(s, r, i, x, out, 1, k);
		}
	}
	pv_walk_end(v);
}

/* A frame from alloc; if none is free, memory is reclaimed and allocation
 * tried again, until reclaim makes no progress. 0 if there is still none
 * (the caller's fault fails: out of memory). Inline: each caller's alloc
 * is a direct call, as every first touch's was before there were two. */
static inline __attribute__((always_inline)) uint64_t alloc_reclaiming(uint64_t (*alloc)(void))
{
	uint64_t pa = alloc();

	while (!pa && vm.reclaim && vm.reclaim(VM_RECLAIM_WANT) > 0)
		pa = alloc();
	return pa;
}

uint64_t vm_frame_alloc(void)
{
	return alloc_reclaiming(frame_alloc);
}

uint64_t vm_frame_alloc_unzeroed(void)
{
	return alloc_reclaiming(frame_alloc_unzeroed);
}

/* The VM core's last hold on pa went (no mapping, no object). A frame the
 * swap cache still ties is parked: the slot's other entries will map it,
 * and swapcache_slot_put frees it when the tie goes. */
/* One look at the descriptor for the usual frame, neither holding a slot
 * nor tied to one (swapcache_drop_hold, then swapcache_tied, looked it up
 * twice more: ~1 M instructions of forkcow's children's exits). */
void vm_frame_release(uint64_t pa)
{
	const struct frame *f = swapcache_anon(pa);

	if (f && (f->flags & FRAME_F_SLOT_HELD))
		swapcache_drop_hold(pa);
	if (!f || !swapcache_desc_tied(f, pa))
		frame_free(pa);
}
