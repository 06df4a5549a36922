/*
 * The VM core's global state, address spaces, and the page-level steps
 * (map a page with its back-link, drop it) that faults, forks and unmaps
 * are made of. Only these steps pair an mmu change with an rmap change.
 * Also where frames come from and go to, and the books kept for swap
 * slots (the swap code does the I/O).
 */
#include <stdlib.h>
#include <string.h>
#include "vm_impl.h"

struct vm_state vm;

void vm_init(const struct mmu_ops *mmu, unsigned faultaround)
{
	/* Starting over forgets any space left from before (host tests). */
	rmap_reset();
	vm_objects_reset();
	memset(&vm, 0, sizeof(vm));
	vm.mmu = *mmu;
	vm.faultaround = faultaround > 16 ? 16 : faultaround;
}

void vm_set_swap(const struct vm_swap_ops *ops)
{
	if (ops)
		vm.swap = *ops;
	else
		memset(&vm.swap, 0, sizeof(vm.swap));
}

void vm_set_readahead(unsigned pages)
{
	vm.readahead = pages > VM_READAHEAD_MAX ? VM_READAHEAD_MAX : pages;
}

void vm_note_bug(const char *why)
{
	if (!vm.bug)
		vm.bug = why;
}

const struct vm_counters *vm_counters(void)
{
	return &vm.cnt;
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
	default:
		return "unknown fault result";
	}
}

const struct region_ops *vm_ops_of(enum vm_region_kind kind)
{
	switch (kind) {
	case VM_ANON:
		return &vm_anon_ops;
	case VM_IMAGE:
		return &vm_image_ops;
	case VM_SHARED:
		return &vm_shared_ops;
	case VM_STACK:
		return &vm_stack_ops;
	}
	return NULL;
}

/* The permission present entry e of r is mapped with: the region's, less
 * W while the page is copy-on-write or its frame is being written out. */
unsigned vm_entry_perm(const struct vm_region *r, uint32_t e)
{
	if ((e & PAGE_COW) || frame_flag(entry_frame(e), FRAME_F_WRITE_PROTECT))
		return r->perm & ~(unsigned)VM_W;
	return r->perm;
}

/* Map pa at page i of r in s and record it (page array, rmap), copy-on-
 * write if cow and r is a writable private region; 0 or VM_FAULT_NOMEM,
 * with nothing changed on failure. */
int vm_page_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa, int cow)
{
	uint64_t va = r->start + i * VM_PAGE;
	uint32_t e = pa_pfn(pa) | (cow && r->ops->priv && (r->perm & VM_W) ? PAGE_COW : 0);

	if (pv_reserve(&r->pages, i) < 0 || rmap_reserve(1) < 0 ||
	    vm.mmu.map(vm.mmu.ctx, s->as, va, pa, vm_entry_perm(r, e)) < 0)
		return VM_FAULT_NOMEM;
	rmap_add(pa, s, va);
	pv_set(&r->pages, i, e);	/* reserved: cannot fail */
	return 0;
}

/* Unmap page i of r in s, drop its back-link, and let the kind decide
 * whether the frame goes; a swapped page gives up its slot reference. */
void vm_page_drop(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t pa = region_frame(r, i), va = r->start + i * VM_PAGE;
	uint32_t slot = region_slot(r, i);

	if (slot) {
		pv_set(&r->pages, i, 0);
		vm_slot_put(slot);
		return;
	}
	if (!pa)
		return;
	vm.mmu.unmap(vm.mmu.ctx, s->as, va);
	rmap_remove(pa, s, va);
	pv_set(&r->pages, i, 0);
	r->ops->page_gone(r, i, pa);
}

void vm_pages_drop(struct vm_space *s, struct vm_region *r, uint64_t from, uint64_t to)
{
	for (uint64_t i = pv_next(&r->pages, from, to); i < to; i = pv_next(&r->pages, i + 1, to))
		vm_page_drop(s, r, i);
}

/* Whether anything could be freed: unlocked pages first (no I/O), then
 * the swap code's reclaim. */
static int reclaim_some(void)
{
	return vm_discard_some(VM_RECLAIM_WANT) > 0 ||
	       (vm.swap.reclaim && vm.swap.reclaim(vm.swap.ctx, VM_RECLAIM_WANT) > 0);
}

/* A zeroed frame; if none is free, memory is reclaimed and allocation
 * tried again, until reclaim makes no progress. 0 if there is still none
 * (the caller's fault fails: out of memory). */
uint64_t vm_frame_alloc(void)
{
	uint64_t pa = frame_alloc();

	while (!pa && reclaim_some())
		pa = frame_alloc();
	return pa;
}

/* Whether the swap cache ties pa to a slot (frame.swap): the entries still
 * naming that slot will come back to this frame, so it is theirs too. The
 * swap code undoes the tie when the slot's last entry goes (slot_put). */
int vm_frame_tied(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f && f->swap && vm.swap.cached && vm.swap.cached(vm.swap.ctx, f->swap) == pa;
}

int vm_frame_parked(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f && f->state == FRAME_ANON && !f->mapcount && !f->obj &&
	       !(f->flags & FRAME_F_DETACHED);
}

/* The VM core's last hold on pa went (no mapping, no object). A frame the
 * swap cache still ties is parked: the slot's other entries will map it,
 * and vm_slot_put frees it when the tie goes. */
void vm_frame_release(uint64_t pa)
{
	vm_frame_drop_hold(pa);
	if (!vm_frame_tied(pa))
		frame_free(pa);
}

void vm_frame_drop_hold(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	if (!f || !(f->flags & FRAME_F_SLOT_HELD))
		return;
	f->flags &= (uint8_t)~FRAME_F_SLOT_HELD;
	vm.cnt.swap_copies--;
	if (!f->swap || !vm.swap.slot_put) {
		vm_note_bug("a frame holds a slot it is not tied to");
		return;
	}
	vm.swap.slot_put(vm.swap.ctx, f->swap);	/* may untie: f->swap is 0 then */
}

void vm_slot_dup(uint32_t slot)
{
	if (!vm.swap.slot_dup) {
		vm_note_bug("a page names a swap slot, but there is no swap");
		return;
	}
	vm.swap.slot_dup(vm.swap.ctx, slot);
	vm.cnt.swap_entries++;
}

/* One entry names slot no more. If that was the last, the swap code unties
 * the slot's frame, which goes if the VM core had only parked it. */
void vm_slot_put(uint32_t slot)
{
	uint64_t pa = vm.swap.cached ? vm.swap.cached(vm.swap.ctx, slot) : 0;

	if (!vm.swap.slot_put) {
		vm_note_bug("a page names a swap slot, but there is no swap");
		return;
	}
	vm.swap.slot_put(vm.swap.ctx, slot);
	vm.cnt.swap_entries--;
	if (pa && vm_frame_parked(pa) && !vm_frame_tied(pa))
		frame_free(pa);
}

struct vm_space *vm_space_create(int as, uint32_t pid)
{
	struct vm_space *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->as = as;
	s->pid = pid;
	s->next = vm.spaces;
	if (vm.spaces)
		vm.spaces->prev = s;
	vm.spaces = s;
	return s;
}

void vm_space_destroy(struct vm_space *s)
{
	if (!s)
		return;
	while (s->regions)
		vm_region_remove(s, s->regions);
	if (s->prev)
		s->prev->next = s->next;
	else
		vm.spaces = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

void vm_space_set_pinned(struct vm_space *s, int pinned)
{
	s->pinned = pinned != 0;
}

int vm_space_as(const struct vm_space *s)
{
	return s->as;
}

uint64_t vm_lookup(const struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);

	return r ? region_frame(r, (va - r->start) / VM_PAGE) : 0;
}

void vm_space_info(const struct vm_space *s, struct vm_space_info *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = s->pid;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		out->regions++;
		for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
			uint64_t pa = region_frame(r, i);
			out->resident += pa != 0;
			out->shared += pa && vm_mapcount(pa) > 1;
			out->swapped += region_slot(r, i) != 0;
		}
	}
}

/* Whether slot is named only once (the swap code knows; 1 without it). */
static int slot_alone(uint32_t slot)
{
	return !vm.swap.slot_refs || vm.swap.slot_refs(vm.swap.ctx, slot) <= 1;
}

/* Present or swapped pages of o in [from, to). */
static uint64_t object_pages(const struct vm_object *o, uint64_t from, uint64_t to)
{
	return pv_count(&o->pages, from, to < o->npages ? to : o->npages);
}

/* s's regions that refer to o: a hole punched in a shared region leaves
 * two, each holding its own reference. */
static uint32_t space_refs(const struct vm_space *s, const struct vm_object *o)
{
	uint32_t n = 0;

	for (const struct vm_region *r = s->regions; r; r = r->next)
		n += r->obj == o;
	return n;
}

/* Whether r is the first of s's regions on its object. */
static int first_on_object(const struct vm_space *s, const struct vm_region *r)
{
	const struct vm_region *q = s->regions;

	while (q != r && q->obj != r->obj)
		q = q->next;
	return q == r;
}

int vm_frame_alone(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);
	uint32_t held, refs;

	if (vm_mapcount(pa) > 1)
		return 0;
	if (!vm_frame_tied(pa) || !vm.swap.slot_refs)
		return 1;
	held = (f->flags & FRAME_F_SLOT_HELD) != 0;
	refs = vm.swap.slot_refs(vm.swap.ctx, f->swap);
	return refs <= held;
}

/* A shared region's pages live in its object. If s holds every reference
 * (o->refs counts regions, not spaces), s's exit frees the whole object,
 * pages outside s's regions too (a hole, a shrink's tail), so it counts
 * once, alone; otherwise the region's own pages are shared. */
static void object_footprint(const struct vm_space *s, const struct vm_region *r,
			     uint64_t *alone, uint64_t *shared)
{
	const struct vm_object *o = r->obj;

	if (o->refs == space_refs(s, o)) {
		if (first_on_object(s, r))
			*alone += object_pages(o, 0, o->npages);
		return;
	}
	*shared += object_pages(o, r->pgoff, r->pgoff + region_pages(r));
}

void vm_space_footprint(const struct vm_space *s, uint64_t *alone, uint64_t *shared)
{
	*alone = *shared = 0;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		if (r->obj) {
			object_footprint(s, r, alone, shared);
			continue;
		}
		for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
			uint64_t pa = region_frame(r, i);
			uint32_t slot = region_slot(r, i);
			int mine = pa ? vm_frame_alone(pa) : slot && slot_alone(slot);
			if (!pa && !slot)
				continue;
			if (mine)
				++*alone;
			else
				++*shared;
		}
	}
}
