/*
 * Taking a frame out of its mappings for the swap code: unmap it
 * everywhere, or evict it (every entry naming it names a slot instead), or
 * drop a program-image page still as the file has it (the file fills it
 * again); whether it may be evicted; and the end of its write state (a
 * write-out's or a seal's): its mappings back with their permissions when a
 * write comes or the write is over (unmapped.c takes a write-out's victim
 * out of the page tables, and puts it back for this end); and what a fault
 * or fork on such a victim does: its mappings back while its write is in
 * flight, its write state ended after (vm_frame_back).
 */
#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/rmap.h"
#include "vm/evict.h"
#include "vm/harvest_batch.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

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
	if (!f->unmapped)
		vm.mmu.unmap(vm.mmu.ctx, s->as, va);
	rmap_remove(pa, s, va);
	if (named)
		swapcache_slot_dup(slot);
	return named;
}

/* The shared object holding f lets go of it; its entry names slot or
 * becomes absent. 1 if it names slot. */
static int object_forget(uint64_t pa, struct frame *f, uint32_t slot)
{
	struct vm_object *o = vm_object_by_id(f->obj);
	int named = 0;

	if (o && f->obj_page < o->npages && pv_get(&o->pages, f->obj_page) == pa_pfn(pa)) {
		pv_set(&o->pages, f->obj_page, slot ? PAGE_SWAP | slot : 0);	/* present */
		named = slot != 0;
	} else {
		vm_note_bug("frame's shared object does not hold it");
	}
	f->obj = f->obj_page = 0;
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
	if (f->obj)
		n += object_forget(pa, f, slot);
	swapcache_detach(pa);
	vm_frame_unmapped_clear(pa);	/* no mapping left to bring back */
	return n;
}

/* The hold does not nest, and cannot be made to count: an inner holder
 * frees its frames after its own off, while the outer hold would still
 * keep their unmaps back. So a second on (or an off without an on) is a
 * caller's bug, noted, and changes nothing. */
void vm_unmaps_hold(int on)
{
	if (!on == !vm.unmaps_held) {
		vm_note_bug(on ? "unmap hold taken twice (it does not nest)" :
			    "unmap hold ended without one");
		return;
	}
	vm.unmaps_held = on != 0;
	if (vm.mmu.hold_unmaps)
		vm.mmu.hold_unmaps(vm.mmu.ctx, on);
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
 * holds the file's copy for (no write seen since it was filled: dirty.c).
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

/* Give mapping (s, va) the permission its entry and the frame's write-out
 * state say; pages read-only anyway (COW, or a read-only region) are left. */
static int reprotect(struct vm_space *s, uint64_t va)
{
	const struct vm_region *r;
	uint32_t e;
	int w = writable_entry(s, va, &r, &e);

	if (w <= 0)
		return w;
	return vm.mmu.protect(vm.mmu.ctx, s->as, va, vm_entry_perm(r, e));
}

static void reprotect_one(void *ctx, struct vm_space *s, uint64_t va)
{
	if (reprotect(s, va) < 0)
		*(int *)ctx = -1;
}

/* Every mapping of pa its permission again; -1 if the mmu refused one. */
static int reprotect_all(uint64_t pa)
{
	int res = 0;

	vm_rmap_walk(pa, reprotect_one, &res);
	return res;
}

int vm_frame_write_end(uint64_t pa)
{
	struct frame *f = frame_desc(pa);
	int back;

	if (!f || f->state != FRAME_ANON)
		return -1;
	swapcache_set_writing(pa, 0);
	/* Unmapped for its write-out: each mapping back as it should be;
	 * else each given its permission again (a seal took W away). */
	back = vm_frame_write_out_over(pa);
	if (back > 0 || (back == 0 && reprotect_all(pa) == 0))
		return 0;
	/* Some mapping kept its old permission (or stayed out): marked again,
	 * so a write fault on a page left read-only (or a fault on one left
	 * out) tries again. */
	swapcache_set_writing(pa, 1);
	return -1;
}

/* The fault's and the fork's question, asked here above the unmapping
 * (unmapped.c brings mappings back; whether to, or to end the write
 * instead, is the write state's). */
int vm_frame_back(uint64_t pa)
{
	if (!swapcache_write_in_flight(pa))	/* over: its mark and write state end */
		return vm_frame_write_end(pa) < 0 ? -1 : 0;
	return vm_frame_map_back(pa) < 0 ? -1 : 1;
}

int vm_frame_fault_back(uint64_t pa)
{
	int back = vm_frame_back(pa);

	if (back < 0)
		return VM_FAULT_NOMEM;
	if (back > 0)	/* used while it is written: kept */
		vm_frame_keep(pa);
	return VM_FAULT_MAPPED;
}

int vm_frame_write_resume(uint64_t pa)
{
	if (vm_frame_write_end(pa) < 0)
		return -1;
	swapcache_written(pa);	/* no longer the copy of any slot */
	vm_frame_dirtied(pa);	/* nor of its program file */
	return 0;
}

