/*
 * Shared anonymous memory (mmap MAP_SHARED): the frames belong to a
 * reference-counted object that every sharer's region points at, each
 * region reaching the object's pages [pgoff, pgoff + its pages), so a
 * write in one is seen by all. The object holds only pages some region
 * reaches: a page whose last such region goes (munmap, a shrink, exit)
 * goes with it, so no memory stays behind that nobody can use or the OOM
 * killer could not see. Which regions reach a page is learnt from the
 * object's own list of its regions, sorted by pgoff, never from every
 * space's. An evicted page is swapped in the object (one entry, one slot
 * reference), and the first sharer to touch it again brings it back for
 * all.
 */
#include <stdlib.h>
#include <string.h>
#include "base/heap_alloc.h"
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/array_budget.h"
#include "vm/swapcache.h"

static struct vm_object **objects;	/* by id; slot 0 unused (frame.obj 0 = none) */
static uint32_t nslots;

void vm_objects_reset(void)
{
	for (uint32_t i = 1; i < nslots; i++)
		if (objects[i]) {
			pv_free(&objects[i]->pages);
			vm_budget_put(objects[i]->pages.budget);
			free(objects[i]);
		}
	free(objects);
	objects = NULL;
	nslots = 0;
}

/* A free id, growing the table if needed; 0 if memory is short. */
static uint32_t free_id(void)
{
	uint32_t old = nslots, n = nslots ? nslots * 2 : 16;
	struct vm_object **t;

	for (uint32_t i = 1; i < nslots; i++)
		if (!objects[i])
			return i;
	if (nslots >= UINT32_MAX / 2 || !(t = heap_realloc(objects, n * sizeof(*t))))
		return 0;
	memset(t + nslots, 0, (n - nslots) * sizeof(*t));
	objects = t;
	nslots = n;
	return old ? old : 1;
}

struct vm_object *vm_object_new(uint64_t npages, struct pv_budget *budget)
{
	uint32_t id = free_id();
	struct vm_object *o = id ? heap_calloc(1, sizeof(*o)) : NULL;

	if (!o)
		return NULL;
	*o = (struct vm_object){ .id = id, .refs = 1, .npages = npages,
				 .pages = { .budget = vm_budget_hold(budget) } };
	objects[id] = o;
	return o;
}

struct vm_object *vm_object_by_id(uint32_t id)
{
	return id < nslots ? objects[id] : NULL;
}

uint32_t vm_object_count(void)
{
	return nslots;
}

#ifdef VM_COUNT_VISITS
uint64_t vm_object_visits;
#endif

void vm_object_join(struct vm_region *r, struct vm_region *from)
{
	struct vm_object *o = r->obj;
	struct vm_region *prev = from;

	o->cursor.o = NULL;	/* a region the walk never met may lie behind it */
	if (!prev || prev->pgoff > r->pgoff)
		prev = o->regions && o->regions->pgoff < r->pgoff ? o->regions : NULL;
	while (prev && prev->obj_next && prev->obj_next->pgoff < r->pgoff)
		prev = prev->obj_next;
	r->obj_prev = prev;
	r->obj_next = prev ? prev->obj_next : o->regions;
	if (r->obj_next)
		r->obj_next->obj_prev = r;
	if (prev)
		prev->obj_next = r;
	else
		o->regions = r;
}

/* r leaves its object's list (its release). The last release's walk
 * stays true if it has not passed r (r's reach is not in its end); if r
 * is where it stands, it goes on from r's next. */
static void object_leave(struct vm_region *r)
{
	struct object_reach *c = &r->obj->cursor;

	if (c->o && (!c->at || r->pgoff < c->at->pgoff))
		c->o = NULL;	/* passed: its reach may be in c->end (a twin that
				 * covers it, or its own walk from the head, mends
				 * that today; the rule does not hang on either) */
	else if (c->at == r)
		c->at = r->obj_next;
	if (r->obj_prev)
		r->obj_prev->obj_next = r->obj_next;
	else
		r->obj->regions = r->obj_next;
	if (r->obj_next)
		r->obj_next->obj_prev = r->obj_prev;
	r->obj_prev = r->obj_next = NULL;
}

void vm_object_reach_begin(struct object_reach *w, const struct vm_object *o,
			   const struct vm_region *skip)
{
	*w = (struct object_reach){ o, o->regions, skip, 0, 0 };
}

/* o's list is sorted by pgoff: the regions starting at or below j are
 * passed, once for the walk, and it stops at the first starting above j
 * (looked at, not passed), where the answer may change if nothing reaches
 * j. */
int vm_object_reached(struct object_reach *w, uint64_t j, uint64_t *next)
{
	w->asked = j + 1;
	for (; w->at && w->at->pgoff <= j; w->at = w->at->obj_next) {
		vm_object_visit();
		if (w->at != w->skip && region_reach_end(w->at) > w->end)
			w->end = region_reach_end(w->at);
	}
	if (w->end > j) {
		*next = w->end;
		return 1;
	}
	if (w->at)
		vm_object_visit();
	*next = w->at ? w->at->pgoff : w->o->npages;
	return 0;
}

/* o's page j goes: its frame leaves the object and is released (parked
 * instead while a write-out's tie holds it, and freed at the write's end,
 * as a private page let go during its write is), and its slot reference
 * goes (a read of it still in flight finds the slot untied and frees its
 * frame: swapcache_read_end). No mapping is left: every region that
 * reached the page dropped its own first. */
static void object_drop(struct vm_object *o, uint64_t j)
{
	uint32_t e = pv_get(&o->pages, j);
	uint64_t pa = entry_frame(e);
	struct frame *f = pa ? frame_desc(pa) : NULL;

	pv_set(&o->pages, j, 0);	/* to 0: cannot fail */
	if (entry_slot(e))
		swapcache_slot_put(entry_slot(e));
	if (!f)
		return;
	if (f->mapcount)
		vm_note_bug("a shared object's page left it while mapped");
	f->obj = f->obj_page = 0;
	vm_frame_release(pa);
}

int vm_object_let_go(uint64_t pa, uint32_t slot)
{
	struct frame *f = frame_desc(pa);
	struct vm_object *o = vm_object_by_id(f->obj);
	int named = 0;

	if (o && f->obj_page < o->npages && pv_get(&o->pages, f->obj_page) == pa_pfn(pa)) {
		pv_set(&o->pages, f->obj_page, slot ? PAGE_SWAP | slot : 0);	/* present */
		named = slot != 0;
	} else {
		vm_note_bug("frame's shared object does not hold it");
	}
	f->obj = f->obj_page = 0;
	return named;
}

/* Drop o's pages in [from, to) (within o) that no region reaches but
 * walk w's skip, a run at a time, with w (begun, and asked about no page
 * at or past from: dropping a page changes no list). */
static void object_drop_unreached(struct vm_object *o, uint64_t from, uint64_t to,
				  struct object_reach *w)
{
	uint64_t j = pv_next(&o->pages, from, to), next;

	while (j < to) {
		int reached = vm_object_reached(w, j, &next);
		if (next > to)
			next = to;
		for (; !reached && j < next; j = pv_next(&o->pages, j + 1, next))
			object_drop(o, j);
		j = pv_next(&o->pages, next, to);
	}
}

/* Drop one reference; the last frees the object's pages and gives up its
 * slots. */
static void object_put(struct vm_object *o)
{
	if (--o->refs > 0)
		return;
	for (uint64_t j = pv_next(&o->pages, 0, o->npages); j < o->npages;
	     j = pv_next(&o->pages, j + 1, o->npages))
		object_drop(o, j);
	objects[o->id] = NULL;
	pv_free(&o->pages);
	vm_budget_put(o->pages.budget);
	free(o);
}

/* o's page j is frame pa from now on (its entry is reserved). */
static void object_hold(struct vm_object *o, uint64_t j, uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	f->obj = o->id;
	f->obj_page = (uint32_t)j;
	pv_set(&o->pages, j, pa_pfn(pa));
}

/* o's page j names a slot: bring it back into the object, for every sharer. */
static int object_swap_in(struct vm_object *o, uint64_t j, uint64_t *out)
{
	uint32_t slot = entry_slot(pv_get(&o->pages, j));
	uint64_t pa;
	int cached, res = vm_swap_frame(slot, &pa, &cached);

	if (res < 0)
		return res;
	if (frame_desc(pa)->mapcount || frame_desc(pa)->obj) {
		vm_note_bug("the swap cache gave a shared object a frame in use");
		return VM_FAULT_IO;
	}
	object_hold(o, j, pa);
	vm_swap_claimed(slot, pa, cached ? VM_SWAP_CACHED : VM_SWAP_READ, 0);
	*out = pa;
	return 0;
}

/* How page_in answers for the object's frame pa: VM_PAGE_IN_UNMAPPED if
 * a write-out holds it and no fault has kept it yet, so the fault keeps
 * it: unmapped; or, its write in flight, with no mapping (its last went
 * meanwhile, which unmarks it: frame_mapping_going) or with mappings a
 * refused fault brought back (vm_frame_fault_map) and kept nothing for;
 * else 0. */
static int object_frame_in(uint64_t pa)
{
	if (vm_frame_unmapped(pa))
		return VM_PAGE_IN_UNMAPPED;
	if (swapcache_write_in_flight(pa) && (!vm_mapcount(pa) || !vm_frame_kept(pa)))
		return VM_PAGE_IN_UNMAPPED;
	return 0;
}

/* The slot the object's page names, or 0. */
static uint32_t shared_page_slot(const struct vm_region *r, uint64_t i)
{
	return entry_slot(pv_get(&r->obj->pages, r->pgoff + i));
}

/* The object's page names a slot whose frame is not in memory, or is
 * still being read: bringing it lets the lock go (vm_swap_frame). */
static int shared_page_in_unlocks(const struct vm_region *r, uint64_t i)
{
	uint32_t slot = shared_page_slot(r, i);
	uint64_t pa = slot ? swapcache_lookup(slot) : 0;

	return slot && (!pa || swapcache_reading(pa));
}

/* The object's frame for page i: made (zeroed) on first touch, read back
 * if it was swapped. */
static int shared_page_in(struct vm_region *r, uint64_t i, uint64_t *out)
{
	struct vm_object *o = r->obj;
	uint64_t j = r->pgoff + i, pa;
	uint32_t e = pv_get(&o->pages, j);
	int err;

	if (entry_slot(e))
		return object_swap_in(o, j, out);	/* its entry exists: no memory needed */
	if (e) {
		*out = entry_frame(e);
		return object_frame_in(*out);
	}
	if ((err = pv_reserve(&o->pages, j)) < 0)
		return vm_arrays_fault(err);
	if (!(pa = vm_frame_alloc())) {
		pv_unreserve(&o->pages, j);	/* no empty chunk left behind */
		return VM_FAULT_NOMEM;
	}
	vmstat_count(VMSTAT_FAULTS_ZERO);
	object_hold(o, j, pa);
	*out = pa;
	return 0;
}

/* The object's frame at page j that a fork maps in the child: none for
 * a swapped page, or for a frame a write-out holds that no fault has kept
 * (object_frame_in). */
static uint64_t fork_frame(const struct vm_object *o, uint64_t j)
{
	uint64_t pa = entry_frame(pv_get(&o->pages, j));

	return pa && !object_frame_in(pa) ? pa : 0;
}

/* The child refers to the same object and maps every page it has in
 * memory (a swapped one comes back on the first sharer's fault), but for
 * a frame a write-out holds that no fault has kept (fork_frame): the
 * child's first access finds it as a new sharer's does (shared_page_in),
 * brings back any mapping still out and keeps it. So no failure partway
 * can leave one mapping of an unmapped frame in the page tables, and a
 * frame the child uses is not evicted by a write-out that never saw the
 * use. What a mapping takes (its reverse-map entry, the child's chunk) is
 * made before the page is looked at, as private_fork's fork_chunk does:
 * making it may reclaim (base/heap_alloc.h), which may evict the page
 * (its frame freed, the object's entry a slot). A chunk reserved for a
 * page that is then not mapped goes (pv_unreserve). */
static int shared_fork(struct vm_space *ps, struct vm_region *p, struct vm_space *cs,
		       struct vm_region *c)
{
	struct vm_object *o = p->obj;

	(void)ps;
	c->space = cs;
	o->refs++;	/* first: c already points at o */
	vm_object_join(c, p);
	uint64_t end = region_reach_end(c), pa;

	if (rmap_reserve(pv_count(&o->pages, c->pgoff, end)) < 0)
		return VM_FAULT_NOMEM;
	for (uint64_t j = pv_next(&o->pages, c->pgoff, end); j < end;
	     j = pv_next(&o->pages, j + 1, end)) {
		uint64_t i = j - c->pgoff;

		if (!fork_frame(o, j))
			continue;
		if (pv_reserve(&c->pages, i) < 0)
			return VM_FAULT_NOMEM;
		if (!(pa = fork_frame(o, j)))	/* making the chunk reclaimed it */
			pv_unreserve(&c->pages, i);
		else if (vm_page_map(cs, c, i, pa, VM_MAP_RESERVED) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}

static void shared_split(struct vm_region *r, struct vm_region *t, uint64_t at)
{
	t->pgoff = r->pgoff + at;
	r->obj->refs++;
	vm_object_join(t, r);
}

/* Grow the object if the region now reaches past it; a shrink drops the
 * pages it left behind that no other region reaches. */
static int shared_resize(struct vm_region *r, uint64_t npages)
{
	struct vm_object *o = r->obj;
	uint64_t need = r->pgoff + npages;
	struct object_reach w;

	o->cursor.o = NULL;	/* reaches change: its end is no longer true */
	if (need > o->npages)
		o->npages = need;	/* the new pages are absent: nothing to allocate */
	if (npages < region_pages(r)) {
		vm_object_reach_begin(&w, o, r);
		object_drop_unreached(o, need, region_reach_end(r), &w);
	}
	return 0;
}

/* Whether a neighbour of r on its object's list reaches every page r
 * reaches: fork's copies sit side by side, so an exit's region mostly
 * has one, and then its going drops nothing without a walk to say so. */
static int twin_covers(const struct vm_region *r)
{
	const struct vm_region *q[2] = { r->obj_prev, r->obj_next };

	for (int k = 0; k < 2; k++)
		if (q[k] && q[k]->pgoff <= r->pgoff &&
		    q[k]->pgoff + region_pages(q[k]) >= r->pgoff + region_pages(r))
			return 1;
	return 0;
}

/* The walk for the release of r, off its object's list already: the
 * last release's, gone on with, if it is still true (object.cursor) and
 * was asked about no page at or past r's first; else one from the head.
 * Kept in the object: an exit releasing an object's regions one after
 * another walks its list once, not from its head for each (quadratic). */
static struct object_reach *release_walk(struct vm_region *r)
{
	struct object_reach *w = &r->obj->cursor;

	if (!w->o || w->asked > r->pgoff)
		vm_object_reach_begin(w, r->obj, NULL);	/* r is off the list: no skip */
	return w;
}

/* r is out of its space's list: out of its object's too, the pages only
 * it reached go, then its reference. */
static void shared_release(struct vm_region *r)
{
	int covered = twin_covers(r);

	object_leave(r);
	if (r->obj->refs > 1 && !covered)
		object_drop_unreached(r->obj, r->pgoff, region_reach_end(r), release_walk(r));
	object_put(r->obj);
}

/* A page whose mapping goes stays in the object while another region
 * reaches it, and goes with the last (release, resize: no page_gone);
 * its entries never name a slot, the object's do (no swap_in); a write
 * needs nothing (no write). */
const struct region_ops vm_shared_ops = {
	.name = "shared", .priv = 0, .faultaround = 0, .guard = 0,
	.page_in = shared_page_in, .page_in_unlocks = shared_page_in_unlocks,
	.page_slot = shared_page_slot,
	.fork = shared_fork, .split = shared_split,
	.resize = shared_resize, .release = shared_release,
};
