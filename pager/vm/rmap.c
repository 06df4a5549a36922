/*
 * The reverse map: for every frame, a list of the (space, va) pairs that
 * map it, headed in the frame descriptor, so unmapping a victim never scans
 * page tables. Entries come from a pool grown with realloc (named by index).
 */
#include <stdlib.h>
#include "base/vmstat.h"
#include "vm/internal.h"

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

/* Grow until n entries are free. Out of line: its saved registers stay
 * off rmap_reserve's usual path, taken on every fault. */
__attribute__((noinline)) static int reserve_more(uint64_t n)
{
	while (nfree < n)
		if (grow() < 0)
			return -1;
	return 0;
}

int rmap_reserve(uint64_t n)
{
	return nfree >= n ? 0 : reserve_more(n);
}

/* Count a frame's mapcount moving by one, for the global counters. */
static void count_map(uint32_t from, uint32_t to)
{
	vmstat_count_n(VMSTAT_FRAMES_MAPPED, (to >= 1) - (from >= 1));
	vmstat_count_n(VMSTAT_FRAMES_SHARED, (to >= 2) - (from >= 2));
	vmstat_count_n(VMSTAT_RMAP_ENTRIES, to > from ? 1 : -1);
}

/* rmap_add for a frame that is not one, or with no entry reserved (both
 * bugs): an entry is grown for if it can be. Out of line: rmap_add's
 * usual path saves no registers. */
__attribute__((noinline)) static void add_unreserved(uint64_t pa, struct vm_space *s, uint64_t va)
{
	if (!frame_desc(pa) || rmap_reserve(1) < 0 || !free_head) {
		vm_note_bug("rmap_add: no frame, or no entry although reserved");
		return;
	}
	rmap_add(pa, s, va);
}

void rmap_add(uint64_t pa, struct vm_space *s, uint64_t va)
{
	struct frame *f = frame_desc(pa);
	uint32_t e = free_head;

	if (!f || !e) {
		add_unreserved(pa, s, va);
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

int rmap_pinned(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	for (uint32_t e = f ? f->rmap : 0; e; e = pool[e].next)
		if (pool[e].space->pinned)
			return 1;
	return 0;
}

unsigned vm_rmap_one(uint64_t pa, struct vm_space **s, uint64_t *va)
{
	const struct frame *f = frame_desc(pa);

	if (!f || !f->rmap)
		return 0;
	*s = pool[f->rmap].space;
	*va = pfn_pa(pool[f->rmap].vpn);
	return f->mapcount;
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
