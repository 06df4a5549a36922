/*
 * How pages come and go private: a fault fills an absent page (and a few
 * after it), brings a swapped one back (and the few after it that follow
 * it on the disk), or breaks copy-on-write on a write; a fork makes a
 * space's private pages copy-on-write in parent and child.
 */
#include <stdlib.h>
#include <string.h>
#include "page.h"
#include "vm_impl.h"

/* Whether a region with perm allows access (an unknown access is a read). */
static int access_ok(unsigned perm, unsigned access)
{
	unsigned need = access & (VM_R | VM_W | VM_X);

	return ((need ? need : VM_R) & ~perm) == 0;
}

/* Fill absent page i of r and map it in s; 0, VM_FAULT_NOMEM or
 * VM_FAULT_IO (a shared object's page read back from swap). */
static int page_fill_map(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t pa;
	int res = r->ops->page_in(r, i, &pa);

	if (res < 0)
		return res;
	if (vm_page_map(s, r, i, pa, 0) < 0) {
		r->ops->page_gone(r, i, pa);	/* frees it unless an object holds it */
		return VM_FAULT_NOMEM;
	}
	return VM_FAULT_MAPPED;
}

/* Map up to vm.faultaround absent pages after page i, within r; the
 * fault itself is resolved, so it stops early rather than reclaim for
 * pages nobody asked for. Swapped pages are left for their own faults. */
static void fault_around(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t last = i + vm.faultaround, n = region_pages(r);

	for (uint64_t j = i + 1; j <= last && j < n; j++) {
		if (region_entry(r, j))
			continue;
		if (frames_free() == 0 || page_fill_map(s, r, j) < 0)
			return;
		vm.cnt.faultaround_pages++;
	}
}

/* Frames for the pages after private page i that can be read with its
 * slot in one request: up to vm.readahead pages in a row that name slot + 1,
 * slot + 2, ... and are not in the swap cache (a frame holds that slot
 * already: reading it again would part its sharers). frame_alloc, never
 * reclaim, for pages nobody asked for yet. How many, frames in pa[]. */
static unsigned readahead_window(const struct vm_region *r, uint64_t i, uint32_t slot,
				 uint64_t *pa)
{
	uint64_t n = region_pages(r);
	unsigned k = 0;

	if (!vm.swap.read_many)
		return 0;
	for (; k < vm.readahead && i + 1 + k < n; k++) {
		uint32_t next = slot + 1 + k;	/* past 2^30 no entry names it */
		if (region_slot(r, i + 1 + k) != next ||
		    (vm.swap.cached && vm.swap.cached(vm.swap.ctx, next)) || !(pa[k] = frame_alloc()))
			break;
	}
	return k;
}

/* What a read that returned res >= 0 means for the fault: go on (0), or
 * start over, or fail, having let the lock go (nothing may be touched). */
static int unlocked_result(int res)
{
	if (res == VM_SWAP_UNLOCKED)
		return VM_FAULT_RETRY;
	return res == VM_SWAP_UNLOCKED_IO ? VM_FAULT_IO : 0;
}

/* Read slot into a new frame, pa[0], with the readahead window after page
 * i of private region r (none without r) in the same request into pa[1..);
 * *n: the pages read. A window that fails to read is given up and the
 * page read alone: only its own error fails the fault. VM_FAULT_RETRY:
 * the swap code let the lock go and keeps what it read in its cache. */
static int swap_read(uint32_t slot, const struct vm_region *r, uint64_t i, uint64_t *pa,
		     unsigned *n)
{
	unsigned extra;
	int res;

	if (!(pa[0] = vm_frame_alloc()))
		return VM_FAULT_NOMEM;
	/* Chosen after that allocation: its reclaim may send more of r out. */
	extra = r ? readahead_window(r, i, slot, pa + 1) : 0;
	*n = 1;
	if (extra) {
		res = vm.swap.read_many(vm.swap.ctx, slot, pa, 1 + extra);
		if (res == 0)
			*n += extra;
		if (res >= 0)
			return unlocked_result(res);
		for (unsigned k = 1; k <= extra; k++)
			vm_frame_release(pa[k]);	/* freed, unless the swap code tied it anyway */
	}
	res = vm.swap.read(vm.swap.ctx, slot, pa[0]);
	if (res > 0)
		return unlocked_result(res);
	if (res < 0) {
		vm_frame_release(pa[0]);
		return VM_FAULT_IO;
	}
	return 0;
}

/* vm_swap_frame, and with r the readahead window after r's page i: pa[0]
 * holds slot's contents, pa[1..*n) the window's (none on a cache hit). */
static int swap_frames(uint32_t slot, const struct vm_region *r, uint64_t i, uint64_t *pa,
		       unsigned *n, int *cached)
{
	uint64_t hit = vm.swap.cached ? vm.swap.cached(vm.swap.ctx, slot) : 0;
	const struct frame *f = hit ? frame_desc(hit) : NULL;

	*cached = hit != 0;
	*n = 1;
	if (hit && (!f || f->state != FRAME_ANON)) {
		vm_note_bug("the swap cache holds a frame that is not a process page");
		return VM_FAULT_IO;
	}
	if (hit && (f->flags & FRAME_F_READING)) {
		if (!vm.swap.wait) {
			vm_note_bug("a frame is being read, but the swap code cannot wait for it");
			return VM_FAULT_IO;
		}
		vm.swap.wait(vm.swap.ctx, slot);	/* another fault's read */
		return VM_FAULT_RETRY;
	}
	if (hit) {
		pa[0] = hit;
		return 0;
	}
	if (!vm.swap.read) {
		vm_note_bug("a page names a swap slot, but there is no swap");
		return VM_FAULT_IO;
	}
	return swap_read(slot, r, i, pa, n);
}

int vm_swap_frame(uint32_t slot, uint64_t *pa, int *cached)
{
	unsigned n;

	return swap_frames(slot, NULL, 0, pa, &n, cached);
}

void vm_swap_claimed(uint32_t slot, uint64_t pa, enum vm_swap_from from, int hold)
{
	struct frame *f = frame_desc(pa);

	/* A fresh frame's first mapping is its read's, found in the cache only
	 * because the swap code let the lock go while reading. */
	if (from == VM_SWAP_CACHED && (f->flags & FRAME_F_FRESH))
		from = VM_SWAP_READ;
	f->flags &= (uint8_t)~(FRAME_F_DETACHED | FRAME_F_FRESH);	/* the VM core's again */
	if (hold && !(f->flags & FRAME_F_SLOT_HELD) && f->swap == slot && vm.swap.keep_copies &&
	    vm.swap.keep_copies(vm.swap.ctx)) {
		f->flags |= FRAME_F_SLOT_HELD;	/* the entry's reference is the frame's now */
		vm.cnt.swap_entries--;
		vm.cnt.swap_copies++;
	} else {
		vm_slot_put(slot);
	}
	if (from == VM_SWAP_CACHED)
		vm.cnt.swap_cache_hits++;
	else if (from == VM_SWAP_AHEAD)
		vm.cnt.swap_readahead++;
	else
		vm.cnt.swap_ins++;
}

/* Copy-on-write page i's frame is its own now: no mark, and W back unless
 * the frame is being written out (the write fault that follows ends that).
 * It may be written from now on, so it is no slot's copy any more. */
static int reuse(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa)
{
	uint64_t va = r->start + i * VM_PAGE;

	if (!frame_flag(pa, FRAME_F_WRITE_PROTECT) &&
	    vm.mmu.protect(vm.mmu.ctx, s->as, va, r->perm) < 0)
		return VM_FAULT_NOMEM;
	pv_set(&r->pages, i, region_entry(r, i) & ~PAGE_COW);	/* present: cannot fail */
	frame_desc(pa)->swap = 0;
	return VM_FAULT_MAPPED;
}

/* Map pa, holding the contents of the slot private page i names, at i.
 * Copy-on-write, as before it went out, while another space maps that
 * frame (found in the swap cache) or the slot's other entries will come
 * back to it (the cache still ties it once this entry lets go), or the
 * frame keeps the slot as its clean copy (FRAME_F_SLOT_HELD: a write must
 * be seen). A frame read for it is released if it cannot be mapped. */
static int swap_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa,
		    enum vm_swap_from from)
{
	uint32_t slot = region_slot(r, i);

	if (frame_desc(pa)->obj) {
		vm_note_bug("the swap cache gave a private page a shared object's frame");
		return VM_FAULT_IO;
	}
	/* Whether other entries name the slot shows only after this one's
	 * put, which cannot be undone: map it copy-on-write first if it might. */
	if (vm_page_map(s, r, i, pa, vm_mapcount(pa) > 0 || vm_frame_tied(pa)) < 0) {
		if (from != VM_SWAP_CACHED)
			vm_frame_release(pa);
		return VM_FAULT_NOMEM;
	}
	vm_swap_claimed(slot, pa, from, 1);
	if (region_page_cow(r, i) && vm_mapcount(pa) == 1 && !vm_frame_tied(pa))
		reuse(s, r, i, pa);	/* it was the slot's last entry; else stays COW */
	return VM_FAULT_MAPPED;
}

/* After page i came from the cache: the pages after it that wait there
 * unmapped (read with it by a read that let the lock go, or read ahead by
 * the swap-in thread) are mapped as a read's readahead would have. */
static void map_read_ahead(struct vm_space *s, struct vm_region *r, uint64_t i, uint32_t slot)
{
	uint64_t n = region_pages(r);

	for (unsigned k = 1; k <= vm.readahead && i + k < n; k++) {
		enum vm_swap_from from;
		uint64_t pa;
		if (region_slot(r, i + k) != slot + k)
			return;
		pa = vm.swap.cached(vm.swap.ctx, slot + k);
		if (!pa || !vm_frame_parked(pa))
			return;
		/* One the swap-in thread read counts as found in the cache. */
		from = frame_flag(pa, FRAME_F_FRESH) ? VM_SWAP_AHEAD : VM_SWAP_CACHED;
		if (swap_map(s, r, i + k, pa, from) != VM_FAULT_MAPPED)
			return;
	}
}

/* Private page i names a swap slot: map the frame holding its contents,
 * then the pages read ahead with it, each as its own fault would have
 * (one that cannot be mapped stays swapped, its frame released). */
static int swap_in(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t pa[1 + VM_READAHEAD_MAX];
	uint32_t slot = region_slot(r, i);
	unsigned n;
	int cached, res = swap_frames(slot, r, i, pa, &n, &cached);

	if (res < 0)
		return res;
	res = swap_map(s, r, i, pa[0], cached ? VM_SWAP_CACHED : VM_SWAP_READ);
	for (unsigned k = 1; k < n; k++)
		swap_map(s, r, i + k, pa[k], VM_SWAP_AHEAD);
	if (cached && res == VM_FAULT_MAPPED)
		map_read_ahead(s, r, i, slot);
	return res;
}

/* A write to private page i, mapped read-only since a fork or since it
 * came back from swap shared: the last user takes the frame back writable;
 * others get their own copy. A frame the swap cache ties to a slot that
 * other entries still name is theirs too: it is copied, and kept for them. */
static int cow(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa)
{
	uint64_t va = r->start + i * VM_PAGE, copy;

	if (vm_mapcount(pa) <= 1)
		vm_frame_drop_hold(pa);	/* the last user writes: its swap copy is stale */
	if (vm_mapcount(pa) <= 1 && !vm_frame_tied(pa)) {
		if (reuse(s, r, i, pa) < 0)
			return VM_FAULT_NOMEM;
		vm.cnt.cow_reuse++;
		return VM_FAULT_MAPPED;
	}
	if (rmap_reserve(1) < 0 || !(copy = vm_frame_alloc()))
		return VM_FAULT_NOMEM;
	if (region_entry(r, i) != (pa_pfn(pa) | PAGE_COW)) {
		frame_free(copy);	/* reclaim evicted pa: the retried write faults again */
		return VM_FAULT_MAPPED;
	}
	page_copy(frame_ptr(copy), frame_ptr(pa));
	if (vm.mmu.map(vm.mmu.ctx, s->as, va, copy, r->perm) < 0) {
		frame_free(copy);
		return VM_FAULT_NOMEM;
	}
	rmap_remove(pa, s, va);
	rmap_add(copy, s, va);
	pv_set(&r->pages, i, pa_pfn(copy));	/* present: cannot fail */
	if (vm_mapcount(pa) == 0)
		vm_frame_release(pa);	/* parked for the slot's entries */
	vm.cnt.cow_breaks++;
	return VM_FAULT_MAPPED;
}

/* A write to present page i: break or take back copy-on-write; a frame
 * being written out gets W back in every mapping (the write-out is stale). */
static int write_fault(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t pa;
	int res = VM_FAULT_MAPPED;

	if (region_page_cow(r, i))
		res = cow(s, r, i, region_frame(r, i));
	pa = region_frame(r, i);
	if (res == VM_FAULT_MAPPED && pa && !region_page_cow(r, i) &&
	    frame_flag(pa, FRAME_F_WRITE_PROTECT))
		res = vm_frame_write_resume(pa) < 0 ? VM_FAULT_NOMEM : VM_FAULT_MAPPED;
	return res;
}

int vm_fault(struct vm_space *s, uint64_t va, unsigned access)
{
	struct vm_region *r = vm_region_find(s, va);
	uint64_t i;
	int res = VM_FAULT_MAPPED;	/* present: another thread's fault won */

	vm.cnt.faults++;
	if (!r)
		return VM_FAULT_NOREGION;	/* a stack's guard page is in no region */
	if (!access_ok(r->perm, access))
		return VM_FAULT_PROT;
	i = (va - r->start) / VM_PAGE;
	if (region_slot(r, i)) {
		res = swap_in(s, r, i);
	} else if (!region_frame(r, i)) {
		res = page_fill_map(s, r, i);
		if (res == VM_FAULT_MAPPED && r->ops->faultaround)
			fault_around(s, r, i);
	}
	if (res == VM_FAULT_MAPPED && (access & VM_W))
		res = write_fault(s, r, i);
	return res;
}

int vm_fork(struct vm_space *parent, struct vm_space *child)
{
	struct vm_region **tail = &child->regions;

	if (child->regions || child == parent)
		return -1;
	for (struct vm_region *p = parent->regions; p; p = p->next) {
		struct vm_region *c = malloc(sizeof(*c));
		if (!c)
			return VM_FAULT_NOMEM;
		*c = *p;
		c->next = NULL;
		c->pages = (struct pagevec){ 0 };
		*tail = c;	/* linked first, so destroying a half-made child frees it */
		tail = &c->next;
		if (p->ops->fork(parent, p, child, c) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}
