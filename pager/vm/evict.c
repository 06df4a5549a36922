/*
 * Taking a frame out of its mappings for the swap code: unmap it
 * everywhere, or evict it (every entry naming it names a slot instead), or
 * drop a program-image page still as the file has it (the file fills it
 * again); and whether it may be evicted. The end of a frame's write state
 * is write_end.c's.
 */
#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/rmap.h"
#include "vm/rmap_pool.h"
#include "vm/evict.h"
#include "vm/harvest_batch.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

/* An unmap the mmu refused since the hold began (one not held: an mmu
 * with no hold): vm_unmaps_hold(0) says so. */
static int unmap_refused;

/* Unmap the first mapping of pa (descriptor f) in its reverse map; its
 * page entry names slot (a private page evicted) or becomes absent. 1 if
 * it names slot. */
static int take_first(uint64_t pa, const struct frame *f, uint32_t slot)
{
	struct vm_space *s;
	uint64_t va, i;
	uint32_t vpn;
	struct vm_region *r;
	int named = 0;

	if (!vm_rmap_first(f, &s, &vpn))
		return 0;
	va = pfn_pa(vpn);
	r = vm_region_find(s, va);
	i = r ? (va - r->start) / VM_PAGE : 0;

	if (!r || region_frame(r, i) != pa) {
		vm_note_bug("rmap entry without its page");
	} else {
		/* A shared region's page lives in its object, converted below. */
		named = slot && r->ops->priv;
		pv_set(&r->pages, i, named ? PAGE_SWAP | slot : 0);	/* present: cannot fail */
	}
	/* Unmapped at choice for its write-out: nothing left to unmap. */
	if (!f->unmapped && vm.mmu.unmap(vm.mmu.ctx, s->as, va) < 0)
		unmap_refused = 1;
	rmap_remove(pa, s, va);
	if (named)
		swapcache_slot_dup(slot);
	return named;
}

/* Take pa out of every mapping, page array and object, each entry naming
 * slot (0: absent); the frame is then the caller's. The entries naming slot. */
static int detach(uint64_t pa, uint32_t slot)
{
	struct frame *f = frame_desc(pa);
	int n = 0;

	while (f->rmap)
		n += take_first(pa, f, slot);
	if (f->obj && vm_object_let_go(pa, slot)) {
		swapcache_slot_dup(slot);
		n++;
	}
	swapcache_detach(pa);
	vm_frame_unmapped_clear(pa);	/* no mapping left to bring back */
	return n;
}

/* The hold does not nest, and cannot be made to count: an inner holder
 * frees its frames after its own off, while the outer hold would still
 * keep their unmaps back. So a second on (or an off without an on) is a
 * caller's bug, noted, and changes nothing. */
int vm_unmaps_hold(int on)
{
	int r = 0;

	if (!on == !frames_frees_held()) {
		vm_note_bug(on ? "unmap hold taken twice (it does not nest)" :
			    "unmap hold ended without one");
		return 0;
	}
	frames_hold_frees(on);	/* the hold's one record: frees wait with the unmaps */
	if (vm.mmu.hold_unmaps)
		r = vm.mmu.hold_unmaps(vm.mmu.ctx, on);
	if (unmap_refused && !on)
		r = -1;
	unmap_refused = 0;
	return r < 0 ? -1 : 0;
}

int vm_unmap_frame_everywhere(uint64_t pa)
{
	struct frame *f = frame_desc(pa);
	int n;

	if (!f || f->state != FRAME_ANON)
		return -1;
	n = (int)f->mapcount;
	detach(pa, 0);
	return n;
}

int vm_frame_evictable(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	if (!f || f->state != FRAME_ANON || swapcache_detached(pa) ||
	    (!f->mapcount && !f->obj))
		return 0;
	return !frame_pinned(f);
}

/* Mapping (s, va) of frame *ctx is of a program segment whose page the
 * file can fill again: one the process cannot write (no W: text, read-only
 * data; a region's permission never changes), or a writable one the frame
 * holds the file's copy for (no write seen since it was filled: harvest.c).
 * *ctx becomes 0 otherwise. */
static void image_unchanged(void *ctx, struct vm_space *s, uint64_t va)
{
	uint64_t *pa = ctx;
	const struct vm_region *r = vm_region_find(s, va);

	if (!r || !image_refills(r, vm_frame_file_copy(*pa)))
		*pa = 0;
}

/* In the swap code's hands: tied to a slot, detached, being read, or
 * queued; write-protected too, unless it is untied (sealed for a drop:
 * vm_frames_seal). */
static int swap_busy(uint64_t pa)
{
	return swapcache_tied(pa) || swapcache_detached(pa) || swapcache_reading(pa) ||
	       swapcache_queued(pa);
}

/* Whether every mapping of pa is such a page; most frames are mapped once,
 * which needs no walk of the reverse map (an indirect call a mapping). */
static int image_everywhere(uint64_t pa)
{
	uint64_t same = pa;

	vm_rmap_each(pa, image_unchanged, &same);
	return same != 0;
}

/* A mapped frame a program segment may map (frame.image_map; the inline
 * vm_frame_refillable answers every other from its descriptor): its
 * regions first, the swap cache's four looks and the pinned check (a walk
 * of the reverse map) last. */
int vm_image_refillable(uint64_t pa)
{
	return image_everywhere(pa) && !swap_busy(pa) && !frame_pinned(frame_desc(pa));
}

int vm_drop_refillable(uint64_t pa)
{
	if (!vm_frame_refillable(pa)) {
		if (vm_frame_file_copy(pa) && swapcache_writing(pa) && !swapcache_tied(pa))
			vm_frame_write_end(pa);	/* sealed for nothing */
		return -1;
	}
	detach(pa, 0);		/* absent entries: the next fault fills from the file */
	vmstat_count(VMSTAT_PGDROP_IMAGE);
	return 0;
}

int vm_evict(uint64_t pa, uint32_t slot)
{
	int n;

	/* Written since its write-out began (dirtied): slot is stale. */
	if (!vm.swap.slot_dup || !slot || slot > PAGE_NUM || !vm_frame_evictable(pa) ||
	    swapcache_dirtied(pa))
		return -1;
	n = detach(pa, slot);
	vmstat_count(VMSTAT_EVICTIONS);
	return n;
}
