/*
 * The reverse map: for every frame, a list of the (space, va) pairs that
 * map it, headed in the frame descriptor, so unmapping a victim never scans
 * page tables. Entries come from a pool grown with realloc (named by index).
 * What reclaim does to a whole frame goes through it: unmap it everywhere,
 * write-protect it for write-out, evict it to a swap slot.
 */
#include <stdlib.h>
#include "vm_impl.h"

/* One mapping of a frame. Free entries are chained through next. */
struct rmap_entry {
	struct vm_space *space;	/* NULL while free */
	uint32_t vpn;		/* va / VM_PAGE */
	uint32_t next;		/* next entry of the same frame (or free entry), 0 ends */
};

_Static_assert(sizeof(struct rmap_entry) == 16, "rmap entries stay small");

static struct rmap_entry *pool;	/* entry 0 is never used: 0 means none */
static uint32_t pool_size;	/* entries allocated, entry 0 included */
static uint32_t free_head, nfree;

void rmap_reset(void)
{
	free(pool);
	pool = NULL;
	pool_size = free_head = nfree = 0;
}

/* Double the pool (at least to 64 entries); -1 if memory is short. */
static int grow(void)
{
	uint32_t size = pool_size ? pool_size * 2 : 64;
	struct rmap_entry *p;

	if (pool_size >= UINT32_MAX / 2)
		return -1;
	p = realloc(pool, size * sizeof(*p));
	if (!p)
		return -1;
	pool = p;
	for (uint32_t i = size - 1; i >= (pool_size ? pool_size : 1); i--) {
		pool[i] = (struct rmap_entry){ NULL, 0, free_head };
		free_head = i;
		nfree++;
	}
	pool_size = size;
	return 0;
}

int rmap_reserve(uint64_t n)
{
	while (nfree < n)
		if (grow() < 0)
			return -1;
	return 0;
}

/* Count a frame's mapcount moving by one, for the global counters. */
static void count_map(uint32_t from, uint32_t to)
{
	struct vm_counters *c = &vm.cnt;

	c->frames_mapped += (to >= 1) - (from >= 1);
	c->frames_shared += (to >= 2) - (from >= 2);
	c->rmap_entries += to > from ? 1 : (uint64_t)-1;
}

void rmap_add(uint64_t pa, struct vm_space *s, uint64_t va)
{
	struct frame *f = frame_desc(pa);
	uint32_t e = free_head;

	if (!f || (!e && (rmap_reserve(1) < 0 || !(e = free_head)))) {
		vm_note_bug("rmap_add: no frame, or no entry although reserved");
		return;
	}
	free_head = pool[e].next;
	nfree--;
	pool[e] = (struct rmap_entry){ s, pa_pfn(va), f->rmap };
	f->rmap = e;
	count_map(f->mapcount, f->mapcount + 1);
	f->mapcount++;
}

int rmap_remove(uint64_t pa, struct vm_space *s, uint64_t va)
{
	struct frame *f = frame_desc(pa);

	for (uint32_t *link = f ? &f->rmap : NULL; link && *link; link = &pool[*link].next) {
		uint32_t e = *link;
		if (pool[e].space != s || pool[e].vpn != pa_pfn(va))
			continue;
		*link = pool[e].next;
		pool[e] = (struct rmap_entry){ NULL, 0, free_head };
		free_head = e;
		nfree++;
		count_map(f->mapcount, f->mapcount - 1);
		f->mapcount--;
		return 0;
	}
	vm_note_bug("rmap_remove: the mapping has no rmap entry");
	return -1;
}

int rmap_has(uint64_t pa, const struct vm_space *s, uint64_t va)
{
	const struct frame *f = frame_desc(pa);

	for (uint32_t e = f ? f->rmap : 0; e; e = pool[e].next)
		if (pool[e].space == s && pool[e].vpn == pa_pfn(va))
			return 1;
	return 0;
}

size_t vm_rmap_walk(uint64_t pa, vm_rmap_fn fn, void *ctx)
{
	const struct frame *f = frame_desc(pa);
	size_t n = 0;

	/* fn must not change the reverse map: the next link is read after it. */
	for (uint32_t e = f ? f->rmap : 0; e && e < pool_size; e = pool[e].next, n++)
		if (fn)
			fn(ctx, pool[e].space, pfn_pa(pool[e].vpn));
	return n;
}

unsigned vm_mapcount(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f ? f->mapcount : 0;
}

/* Unmap the mapping at the head of f's list; its page entry names slot (a
 * private page evicted) or becomes absent. 1 if it names slot. */
static int take_first(uint64_t pa, struct frame *f, uint32_t slot)
{
	struct rmap_entry e = pool[f->rmap];
	uint64_t va = pfn_pa(e.vpn);
	struct vm_region *r = vm_region_find(e.space, va);
	uint64_t i = r ? (va - r->start) / VM_PAGE : 0;
	int named = 0;

	if (!r || region_frame(r, i) != pa) {
		vm_note_bug("rmap entry without its page");
	} else {
		/* A shared region's page lives in its object, converted below. */
		named = slot && r->ops->priv;
		pv_set(&r->pages, i, named ? PAGE_SWAP | slot : 0);	/* present: cannot fail */
	}
	vm.mmu.unmap(vm.mmu.ctx, e.space->as, va);
	rmap_remove(pa, e.space, va);
	if (named)
		vm_slot_dup(slot);
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
		vm_slot_dup(slot);
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
	vm_frame_drop_hold(pa);	/* the entries hold the slot now, if any */
	f->flags = (uint8_t)((f->flags | FRAME_F_DETACHED) &
			     ~(FRAME_F_WRITE_PROTECT | FRAME_F_DIRTIED));
	return n;
}

int vm_unmap_frame_everywhere(uint64_t pa)
{
	struct frame *f = frame_desc(pa);
	int n;

	if (!f || (f->state != FRAME_ANON && f->state != FRAME_DISCARDABLE))
		return -1;
	n = (int)f->mapcount;
	detach(pa, 0);
	return n;
}

int vm_frame_evictable(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	if (!f || f->state != FRAME_ANON || (f->flags & FRAME_F_DETACHED) ||
	    (!f->mapcount && !f->obj))
		return 0;
	for (uint32_t e = f->rmap; e; e = pool[e].next)
		if (pool[e].space->pinned)
			return 0;
	return 1;
}

int vm_evict(uint64_t pa, uint32_t slot)
{
	int n;

	/* Written since its write-out began (FRAME_F_DIRTIED): slot is stale. */
	if (!vm.swap.slot_dup || !slot || slot > PAGE_NUM || !vm_frame_evictable(pa) ||
	    frame_flag(pa, FRAME_F_DIRTIED))
		return -1;
	n = detach(pa, slot);
	vm.cnt.evictions++;
	return n;
}

/* Give mapping (s, va) the permission its entry and the frame's write-out
 * state say; pages read-only anyway (COW, or a read-only region) are left. */
static int reprotect(struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);
	uint32_t e;

	if (!r || !(e = region_entry(r, (va - r->start) / VM_PAGE))) {
		vm_note_bug("rmap entry without its page");
		return -1;
	}
	if (!(r->perm & VM_W) || (e & PAGE_COW))
		return 0;
	return vm.mmu.protect(vm.mmu.ctx, s->as, va, vm_entry_perm(r, e));
}

static int reprotect_all(const struct frame *f)
{
	int res = 0;

	for (uint32_t e = f->rmap; e; e = pool[e].next)
		if (reprotect(pool[e].space, pfn_pa(pool[e].vpn)) < 0)
			res = -1;
	return res;
}

int vm_frame_write_protect(uint64_t pa, int on)
{
	struct frame *f = frame_desc(pa);

	if (!f || f->state != FRAME_ANON)
		return -1;
	f->flags &= (uint8_t)~(FRAME_F_WRITE_PROTECT | FRAME_F_DIRTIED);
	if (on)
		f->flags |= FRAME_F_WRITE_PROTECT;
	if (reprotect_all(f) == 0)
		return 0;
	/* Some mapping kept its old permission. Protecting: give up, so the
	 * page is not written out while writable. Unprotecting: stay marked,
	 * so a write fault on a page left read-only tries again. */
	if (on)
		vm_frame_write_protect(pa, 0);
	else
		f->flags |= FRAME_F_WRITE_PROTECT;
	return -1;
}

int vm_frame_write_resume(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	if (vm_frame_write_protect(pa, 0) < 0)
		return -1;
	vm_frame_drop_hold(pa);
	f->flags |= FRAME_F_DIRTIED;
	f->swap = 0;	/* no longer the copy of any slot */
	return 0;
}

uint64_t rmap_pool_used(void)
{
	return pool_size ? pool_size - 1 - nfree : 0;
}

uint64_t rmap_pool_free(void)
{
	return nfree;
}

uint64_t rmap_pool_size(void)
{
	return pool_size;
}
