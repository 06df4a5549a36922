/*
 * The reverse map: for every frame, a list of the (space, va) pairs that
 * map it, headed in the frame descriptor, so unmapping a victim never scans
 * page tables. Entries come from a pool grown a segment at a time (named by
 * index), so growing copies and clears nothing.
 */
#include <stdlib.h>
#include "base/heap_alloc.h"
#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/rmap.h"
#include "vm/rmap_pool.h"

_Static_assert(sizeof(struct rmap_entry) == 16, "rmap entries stay small");

struct rmap_entry **rmap_segs;
static uint32_t nsegs, segs_cap;
static uint32_t pool_size;	/* entries in the segments, entry 0 included */
/* Entry 0 is never used: 0 means none. Entries from `fresh` on have never
 * been handed out (no chain to build when a segment comes); the others
 * free are chained from free_head. nfree counts both. */
static uint32_t fresh, free_head, nfree;

/* Entry e, to write: only this file changes entries, so only it drops
 * the const rmap_pool.h gives everyone (the entries themselves are not
 * const: malloc'd here). */
static inline struct rmap_entry *rmap_ent(uint32_t e)
{
	return (struct rmap_entry *)rmap_ent_ro(e);
}

void rmap_reset(void)
{
	for (uint32_t k = 0; k < nsegs; k++)
		free(rmap_segs[k]);
	free(rmap_segs);
	rmap_segs = NULL;
	nsegs = segs_cap = pool_size = fresh = free_head = nfree = 0;
}

/* One segment more; -1 if memory is short. */
static int grow(void)
{
	uint32_t cap = segs_cap ? segs_cap * 2 : 8;
	struct rmap_entry *seg;

	if (pool_size > UINT32_MAX - RMAP_SEG_SIZE)
		return -1;
	if (nsegs == segs_cap) {
		struct rmap_entry **p = heap_realloc(rmap_segs, cap * sizeof(*p));
		if (!p)
			return -1;
		rmap_segs = p;
		segs_cap = cap;
	}
	if (!(seg = heap_malloc(RMAP_SEG_SIZE * sizeof(*seg))))
		return -1;
	rmap_segs[nsegs++] = seg;
	nfree += pool_size ? RMAP_SEG_SIZE : RMAP_SEG_SIZE - 1;
	fresh = pool_size ? fresh : 1;
	pool_size += RMAP_SEG_SIZE;
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

/* Count a frame's mapcount moving down by one from `from`, for the global
 * counters: mapped from 1 to 0, shared from 2 to 1. */
static void count_removed(uint32_t from)
{
	vmstat_count_n(VMSTAT_FRAMES_MAPPED, -(int64_t)(from == 1));
	vmstat_count_n(VMSTAT_FRAMES_SHARED, -(int64_t)(from == 2));
	vmstat_count_n(VMSTAT_RMAP_ENTRIES, -1);
}

/* The pool's free chain and the counters a run moves, held in registers
 * while a run takes its entries: stores to entries and descriptors might
 * alias the globals, and an entry at a time loads and stores each of them. */
struct run_state {
	uint32_t head, fresh;
	uint64_t mapped, shared;
};

/* f, mapped already, gets a mapping in s: that one is shared, and so is
 * the one f had if it had one only (vm_space.shared_maps). */
static inline void shared_one_more(struct rmap_entry *const *sg, const struct frame *f,
				   struct vm_space *s)
{
	if (f->mapcount == 1)
		sg[f->rmap >> RMAP_SEG_SHIFT][f->rmap & (RMAP_SEG_SIZE - 1)].space->shared_maps++;
	s->shared_maps++;
}

/* (s, va) heads frame f's list (an entry is free), its entry taken from
 * r: off the free chain, else the first never used; image: a program segment maps f (frame.image_map),
 * said here, where f is at hand. The chain's branch is laid out of line:
 * while the pool grows (a program's first touch) the chain is empty. */
static inline __attribute__((always_inline)) void add_in_run(struct rmap_entry *const *sg,
							     struct run_state *r, struct frame *f,
							     struct vm_space *s, uint64_t va,
							     int pinned, int image)
{
	uint32_t e = r->head;
	struct rmap_entry *x;

	if (__builtin_expect(e != 0, 0)) {
		x = &sg[e >> RMAP_SEG_SHIFT][e & (RMAP_SEG_SIZE - 1)];
		r->head = x->next;
	} else {
		e = r->fresh++;
		x = &sg[e >> RMAP_SEG_SHIFT][e & (RMAP_SEG_SIZE - 1)];
	}
	if (__builtin_expect(f->mapcount != 0, 0))
		shared_one_more(sg, f, s);
	x->space = s;
	x->vpn = pa_pfn(va);
	x->next = f->rmap;
	f->rmap = e;
	if (pinned)
		f->pinned_map = 1;
	if (image)
		f->image_map = 1;
	r->mapped += f->mapcount == 0;
	r->shared += f->mapcount == 1;
	f->mapcount++;
}

/* Hand r back: the pool's state, m entries fewer free, and the counters
 * the adds (all naming s) moved. */
static inline __attribute__((always_inline)) void run_end(const struct run_state *r,
							  struct vm_space *s, size_t m)
{
	s->rmaps += m;
	free_head = r->head;
	fresh = r->fresh;
	nfree -= (uint32_t)m;
	vmstat_count_n(VMSTAT_FRAMES_MAPPED, (int64_t)r->mapped);
	vmstat_count_n(VMSTAT_FRAMES_SHARED, (int64_t)r->shared);
	vmstat_count_n(VMSTAT_RMAP_ENTRIES, (int64_t)m);
}

/* An add whose entry was not reserved, or whose frame is none (both bugs,
 * noted): made if an entry can be grown for it. Out of line: the usual
 * path saves no registers for it. */
__attribute__((noinline, cold)) static void add_unreserved(struct frame *f, struct vm_space *s,
							   uint64_t va, int image)
{
	if (!f || rmap_reserve(1) < 0) {
		vm_note_bug("rmap_add_frame: no frame, or no entry although reserved");
		return;
	}
	struct run_state r = { free_head, fresh, 0, 0 };

	add_in_run(rmap_segs, &r, f, s, va, s->pinned, image);
	run_end(&r, s, 1);
}

void rmap_add_frame(struct frame *f, struct vm_space *s, uint64_t va, int image)
{
	struct run_state r = { free_head, fresh, 0, 0 };

	if (__builtin_expect(!f || !nfree, 0)) {
		add_unreserved(f, s, va, image);
		return;
	}
	add_in_run(rmap_segs, &r, f, s, va, s->pinned, image);
	run_end(&r, s, 1);
}

/* add_in_run for (f[m], e[m].va) for m in [0, n) in order, n entries
 * being free, up to the first frame that is none (a bug): how many were
 * added. The pool's state and
 * the counters stay in registers (measured: ~59 -> ~41 instructions a
 * page; first touch 1,119 -> 1,101). Inline, once for each value of image,
 * so no page of a run tests it. */
static inline __attribute__((always_inline)) size_t add_reserved(struct vm_space *s,
								 const struct map_entry *e,
								 struct frame *const *f,
								 size_t n, int image)
{
	struct run_state r = { free_head, fresh, 0, 0 };
	struct rmap_entry *const *sg = rmap_segs;
	int pinned = s->pinned;
	size_t m;

	for (m = 0; m < n && f[m]; m++)
		add_in_run(sg, &r, f[m], s, e[m].va, pinned, image);
	run_end(&r, s, m);
	return m;
}

void rmap_add_run(struct vm_space *s, const struct map_entry *e, struct frame *const *f,
		  unsigned n, int image)
{
	size_t m = 0;

	if (nfree >= n)
		m = image ? add_reserved(s, e, f, n, 1) : add_reserved(s, e, f, n, 0);
	for (; m < n; m++)
		add_unreserved(f[m], s, e[m].va, image);
}

/* s's mapping of f just left f's list, its mapcount not yet lowered:
 * shared_one_more undone. */
static void shared_one_less(const struct frame *f, struct vm_space *s)
{
	if (f->mapcount < 2)
		return;
	s->shared_maps--;
	if (f->mapcount == 2)
		rmap_ent(f->rmap)->space->shared_maps--;
}

int rmap_remove(uint64_t pa, struct vm_space *s, uint64_t va)
{
	struct frame *f = frame_desc(pa);

	for (uint32_t *link = f ? &f->rmap : NULL; link && *link; link = &rmap_ent(*link)->next) {
		uint32_t e = *link;
		if (rmap_ent(e)->space != s || rmap_ent(e)->vpn != pa_pfn(va))
			continue;
		*link = rmap_ent(e)->next;
		*rmap_ent(e) = (struct rmap_entry){ NULL, 0, free_head };
		free_head = e;
		nfree++;
		s->rmaps--;
		shared_one_less(f, s);
		count_removed(f->mapcount--);
		return 0;
	}
	vm_note_bug("rmap_remove: the mapping has no rmap entry");
	return -1;
}

int rmap_has(uint64_t pa, const struct vm_space *s, uint64_t va)
{
	const struct frame *f = frame_desc(pa);

	for (uint32_t e = f ? f->rmap : 0; e; e = rmap_ent(e)->next)
		if (rmap_ent(e)->space == s && rmap_ent(e)->vpn == pa_pfn(va))
			return 1;
	return 0;
}

size_t vm_rmap_walk(uint64_t pa, vm_rmap_fn fn, void *ctx)
{
	const struct frame *f = frame_desc(pa);
	size_t n = 0;

	/* fn must not change the reverse map: the next link is read after it. */
	for (uint32_t e = f ? f->rmap : 0; e && e < pool_size; e = rmap_ent(e)->next, n++)
		if (fn)
			fn(ctx, rmap_ent(e)->space, pfn_pa(rmap_ent(e)->vpn));
	return n;
}

#ifdef VM_COUNT_VISITS
uint64_t vm_mapcount_asks;
#endif

unsigned vm_mapcount(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

#ifdef VM_COUNT_VISITS
	vm_mapcount_asks++;
#endif
	return f ? f->mapcount : 0;
}

unsigned vm_rmap_first_of(const struct frame *f, struct vm_space **s, uint32_t *vpn)
{
	return vm_rmap_first(f, s, vpn);
}

void rmap_mark_pinned(struct frame *f)
{
	f->pinned_map = 1;
}

int rmap_pinned_walk(const struct frame *f)
{
	for (uint32_t e = f->rmap; e; e = rmap_ent(e)->next)
		if (rmap_ent(e)->space->pinned)
			return 1;
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
