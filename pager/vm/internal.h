/*
 * Inside the VM core: spaces, regions, shared objects, the table of
 * operations per kind of memory, and the helpers the vm_*.c files share.
 * Not for the rest of the pager, which uses vm.h.
 */
#ifndef PAGER_VM_IMPL_H
#define PAGER_VM_IMPL_H

#include "vm/vm.h"
#include "vm/frames.h"
#include "vm/pagevec.h"
#include "vm/readahead.h"

/*
 * A page entry (a region's or a shared object's sparse page array,
 * pagevec.h) is 32 bits:
 *   0                  absent: never touched, or dropped
 *   pfn [| PAGE_COW]   present: frame number pfn (pa / VM_PAGE); in a
 *                      region, mapped there with its rmap entry, PAGE_COW
 *                      if read-only until a write (shared after fork)
 *   PAGE_SWAP | slot   swapped: the contents are in swap slot `slot`; not
 *                      mapped, no rmap entry, one slot reference (slot_dup)
 * Frame numbers fit 30 bits (FRAMES_RAM_LIMIT), slots are below 2^30
 * (vm.h), and neither is ever 0.
 */
#define VM_MAX_VA (1ULL << 44)	/* rmap entries keep va / VM_PAGE in 32 bits */
#define PAGE_COW 0x80000000u	/* mapped without W in a W region: shared after fork */
#define PAGE_SWAP 0x40000000u	/* the entry names a swap slot, not a frame */
#define PAGE_NUM 0x3fffffffu	/* the frame number or the slot */
#define VM_RECLAIM_WANT 4	/* frames asked of the reclaim hook when none is free */

static inline uint64_t pfn_pa(uint32_t pfn)
{
	return (uint64_t)pfn * VM_PAGE;
}

static inline uint32_t pa_pfn(uint64_t pa)
{
	return (uint32_t)(pa / VM_PAGE);
}

/* The frame a page entry names, or 0 (absent or swapped). */
static inline uint64_t entry_frame(uint32_t e)
{
	return e & PAGE_SWAP ? 0 : pfn_pa(e & PAGE_NUM);
}

/* The swap slot a page entry names, or 0 (absent or present). */
static inline uint32_t entry_slot(uint32_t e)
{
	return e & PAGE_SWAP ? e & PAGE_NUM : 0;
}

struct vm_object;
struct vm_region;

/* A walk of o's list for vm_object_reached, from its head, leaving out
 * region skip (or none: NULL). Its pages are asked about rising, so it
 * goes on from where the last question left it: one walk visits each
 * region once, and a release over many present pages and many regions
 * costs their sum, not their product. The list must not change meanwhile,
 * but through object_leave (shared.c), which keeps a kept walk true. */
struct object_reach {
	const struct vm_object *o;
	const struct vm_region *at;	/* the first region not passed yet */
	const struct vm_region *skip;
	uint64_t end;			/* the furthest reach of those passed */
	uint64_t asked;			/* past the last page asked about (0: none) */
};

/* Anonymous memory several spaces map at once (VM_SHARED): it owns its
 * pages, each of which goes when the last region reaching it does
 * (shared.c). */
struct vm_object {
	uint32_t id;		/* frame.obj of its frames; its slot in shared.c's table */
	uint32_t refs;		/* regions pointing at it, in any space */
	uint64_t npages;	/* pages it covers */
	/* Page entries: absent, a frame (never PAGE_COW; frame.obj = id and
	 * frame.obj_page = index) or a slot. */
	struct pagevec pages;
	/* The regions on it (refs of them), linked through their obj_prev
	 * and obj_next, sorted by pgoff: what reaches a page is learnt from
	 * them alone, not from every space's regions (shared.c). */
	struct vm_region *regions;
	/* The last release's walk of that list (`o` NULL: none), which the
	 * next release goes on with when its region lies past every page the
	 * walk was asked about (an exit's pieces of one object, one after
	 * another): true while the list lost only regions the walk had not
	 * passed (shared.c's object_leave moves `at` past one), and dropped
	 * when a region joins or an object's reach changes (a resize). */
	struct object_reach cursor;
	uint64_t met;		/* footprint.c's: the last walk that counted it */
};

struct vm_space;

/* What differs between kinds of memory (MINIX's mem_type): every step of
 * the fault path, fork, split, resize and release goes through it. A step
 * a kind does not need is NULL: nothing to do. */
/* region_ops.page_in's answer for a frame unmapped for its write-out. */
#define VM_PAGE_IN_UNMAPPED 1

struct region_ops {
	const char *name;
	int priv;		/* private: copy-on-write after fork; else shared */
	int faultaround;	/* a not-present fault may fill the pages after it */
	uint64_t guard;		/* pages below start kept free of regions (the stack's guard) */
	/* Fill a fresh zeroed page for va; returns the bytes taken from a file.
	 * NULL: the page stays zero (no call on anonymous memory's first touch). */
	uint64_t (*fill)(const struct vm_region *r, uint64_t va, uint8_t *page);
	/* The frame for absent page i on a fault, in *pa: a new filled one, or
	 * the shared object's (read back from swap if it names a slot). 0,
	 * VM_PAGE_IN_UNMAPPED (that frame is in a write-out, its mappings out
	 * of the page tables or none left: the caller brings any back before
	 * it maps one more, and keeps the frame), VM_FAULT_NOMEM,
	 * VM_FAULT_ARRAYS (the object's chunk past its line's bound) or
	 * VM_FAULT_IO. */
	int (*page_in)(struct vm_region *r, uint64_t i, uint64_t *pa);
	/* Whether page_in for page i may let the pager lock go (a read from
	 * swap, or a wait for one): then r may be gone when it returns
	 * (VM_FAULT_RETRY, or VM_FAULT_IO), and nothing of it may be touched
	 * after. NULL: never. */
	int (*page_in_unlocks)(const struct vm_region *r, uint64_t i);
	/* The slot absent page i's contents are in when the kind keeps them
	 * elsewhere than r's entries (a shared object's entry names it), or
	 * 0. NULL: only r's own entries name slots. */
	uint32_t (*page_slot)(const struct vm_region *r, uint64_t i);
	/* page_in for a fault's run (the page and those it maps around it):
	 * frames for pages idx[0..n) into pa[], in order, taken only while
	 * frames are free without reclaim; how many. NULL: page by page. */
	unsigned (*page_in_run)(struct vm_region *r, const uint64_t *idx, uint64_t *pa,
				unsigned n);
	/* Page i's entry names a swap slot: bring its contents back and map
	 * them in s (a vm_fault result). NULL: its entries never name one. */
	int (*swap_in)(struct vm_space *s, struct vm_region *r, uint64_t i);
	/* A write to present page i, whose entry is marked copy-on-write
	 * (PAGE_COW: only a kind that marks its entries has the step); a
	 * vm_fault result. */
	int (*write)(struct vm_space *s, struct vm_region *r, uint64_t i);
	/* Page i's mapping here is gone: free frame pa if nothing holds it. */
	void (*page_gone)(struct vm_region *r, uint64_t i, uint64_t pa);
	/* Child region c (a copy of p's fields, no pages yet) gets its pages. */
	int (*fork)(struct vm_space *ps, struct vm_region *p, struct vm_space *cs,
		    struct vm_region *c);
	/* Region tail t was cut from r at page `at` (t's fields copied from r). */
	void (*split)(struct vm_region *r, struct vm_region *t, uint64_t at);
	/* r now has npages pages (its pages beyond were already dropped). */
	int (*resize)(struct vm_region *r, uint64_t npages);
	/* r goes away; its pages are already unmapped. */
	void (*release)(struct vm_region *r);
};

/* A range of one space with one kind of memory. Owned by its space. */
struct vm_region {
	struct vm_region *next;	/* the space's list, sorted by start, not overlapping */
	uint64_t start, end;	/* page aligned, start < end */
	unsigned perm;		/* VM_R/W/X; W implies R */
	enum vm_region_kind kind;
	const struct region_ops *ops;	/* chosen by kind, never changes */
	/* Page entries, one per page: a present page is mapped here and has
	 * its rmap entry (space, va); only a private region has PAGE_COW or
	 * swapped entries (a shared region's pages are swapped in its object,
	 * and its own entries for them become absent). Chunks exist only
	 * around pages that are there. */
	struct pagevec pages;
	struct vm_object *obj;	/* VM_SHARED: holds one reference */
	/* VM_SHARED: obj's page at start; r reaches obj's pages [pgoff,
	 * pgoff + its pages), which no other region of its space reaches. */
	uint64_t pgoff;
	/* VM_SHARED: r's neighbours on obj's list of its regions, and the
	 * space r is in, which tells that list's regions of one space from
	 * the others'. */
	struct vm_region *obj_prev, *obj_next;
	const struct vm_space *space;
	struct vm_image img;	/* VM_IMAGE: what pages are filled from */
	/* Private anonymous memory its owner unlocked (discard.c): reclaim
	 * drops its pages before swapping anything, and `discarded` records
	 * that it did, until the owner locks it again. */
	int discardable, discarded;
	/* Private: the swap readahead window, judged at its swap-in faults
	 * (readahead.h). A split copies it: a guess either way. */
	struct vm_readahead ra;
};

/* One process's memory. */
struct vm_space {
	struct vm_space *next, *prev;	/* every live space, for vm_check */
	struct vm_region *regions;	/* sorted by start */
	/* The region vm_region_find found last, or NULL: a cache, checked
	 * on every use and dropped with its region (vm_region_remove). */
	struct vm_region *hint;
	int as;				/* mmu_ops handle */
	uint32_t pid;
	int pinned;			/* its frames are never evicted (vm_space_set_pinned) */
	/* Kept as they change (vm_check holds them to a walk), so that the
	 * OOM score and the statistics read them without a walk of every
	 * page: up to VM_REGIONS_MAX regions, and its rmap entries, are the
	 * pager's heap too (footprint.c). */
	uint32_t nregions;		/* regions on its list (region.c, fork.c) */
	uint64_t rmaps;			/* rmap entries naming it: its present pages (rmap.c) */
	uint64_t shared_maps;		/* those whose frame another mapping shares (mapcount > 1) */
	/* What its regions' page arrays, and those of the shared objects it
	 * made, may take of the pager's heap, shared with the spaces the
	 * server groups with it (a line); NULL: no bound (space.c). */
	struct pv_budget *budget;
};

/* The VM core's state (state.c). */
struct vm_state {
	struct mmu_ops mmu;
	unsigned faultaround;
	unsigned readahead;		/* vm_set_readahead; used only with swap.read_many */
	/* What became of the pages read ahead (readahead.h): hits counted by
	 * the fault that finds one (private.c), misses by the swap cache when
	 * reclaim unties one unused (swapcache.c). */
	struct readahead_outcomes ra_seen;
	/* All NULL: no swap (vm_set_swap). What the VM core relies on: read,
	 * slot_dup and slot_put come together (read_many is optional); slot_put
	 * says when a slot's last reference went, and the VM core then unties
	 * it in its swap cache; read and read_many may evict frames but never
	 * destroy a space or change its regions (they run in the middle of a
	 * fault). */
	struct vm_swap_ops swap;
	vm_reclaim_fn *reclaim;		/* vm_set_reclaim */
	struct vm_space *spaces;	/* every live space */
	/* Where vm_discard_some's next walk starts (discard.c): a space on
	 * the list (forgotten as it goes), the region of it to look at next
	 * (NULL: none is left after the address; its successor takes over
	 * as it goes) and an address in it, or none. */
	struct vm_cursor {
		struct vm_space *space;
		struct vm_region *region;
		uint64_t va;
	} discard_at;
	/* Regions whose owner unlocked them (discard.c), in every space:
	 * with none, reclaim's discard step walks nothing. */
	uint64_t discardable;
	const char *bug;		/* first internal inconsistency met, reported by vm_check */
	uint32_t read_failed;		/* the slot of a fault's page whose read
					 * failed, until asked (vm_fault_failed_slot) */
};
extern struct vm_state vm;

/* Whether the program file can fill r's page again in place of frame f:
 * a program segment the process cannot write (a region's permission never
 * changes), or a writable one whose frame holds the file's copy (no write
 * seen since it was filled: harvest.c). */
static inline int image_refills(const struct vm_region *r, int file_copy)
{
	return r->kind == VM_IMAGE && (!(r->perm & VM_W) || file_copy);
}

static inline uint64_t region_pages(const struct vm_region *r)
{
	return (r->end - r->start) / VM_PAGE;
}

/* VM_SHARED: the end of r's reach in its object, within the object. */
static inline uint64_t region_reach_end(const struct vm_region *r)
{
	uint64_t end = r->pgoff + region_pages(r);

	return end < r->obj->npages ? end : r->obj->npages;
}

static inline uint32_t region_entry(const struct vm_region *r, uint64_t i)
{
	return pv_get(&r->pages, i);
}

static inline uint64_t region_frame(const struct vm_region *r, uint64_t i)
{
	return entry_frame(region_entry(r, i));
}

static inline uint32_t region_slot(const struct vm_region *r, uint64_t i)
{
	return entry_slot(region_entry(r, i));
}

static inline int region_page_cow(const struct vm_region *r, uint64_t i)
{
	return (region_entry(r, i) & PAGE_COW) != 0;
}

/* The first page at or after i of r that is present or swapped, or the
 * region's page count: `for (i = region_next(r, 0); i < n; i = region_next(r, i + 1))`
 * visits exactly those. */
static inline uint64_t region_next(const struct vm_region *r, uint64_t i)
{
	return pv_next(&r->pages, i, region_pages(r));
}

/* state.c */
void vm_note_bug(const char *why);

/* discard.c: s is going; the next walk must not start there. */
void vm_discard_forget(const struct vm_space *s);
/* discard.c: region r joins or leaves its space's list (vm.discardable);
 * leaving, the walk's resume point moves on from it (r->next still its
 * successor). */
static inline void vm_discard_count(const struct vm_region *r, int joins)
{
	if (r->discardable)
		vm.discardable += joins ? 1 : (uint64_t)-1;
	if (!joins && vm.discard_at.region == r)
		vm.discard_at.region = r->next;
}
/* Regions vm_discard_some visited, counted only with VM_COUNT_VISITS
 * (the host tests), which show the walk skipped when none is unlocked. */
#ifdef VM_COUNT_VISITS
extern uint64_t vm_discard_visits;
#endif

/* pages.c: page-level changes shared by fault, fork and unmap, and the VM
 * core's frames. vm_frame_alloc reclaims (through the hook) while none is
 * free; vm_frame_alloc_unzeroed likewise, its frame not zeroed (for a copy
 * that overwrites it whole); vm_frame_release is for a frame the VM core holds no more (no
 * mapping, no object): it is freed, or kept while the swap cache ties it to
 * a slot other entries still name (swapcache_tied). */
unsigned vm_entry_perm(const struct vm_region *r, uint32_t e);
/* vm_page_map's how; VM_MAP_RESERVED: the caller reserved the rmap entry
 * (one rmap_reserve for a run of pages: fault-around, fork); VM_MAP_HELD:
 * it holds the page entry's chunk (pv_hold: page_fill_map). */
enum { VM_MAP_COW = 1, VM_MAP_CLEAN = 2, VM_MAP_RESERVED = 4, VM_MAP_HELD = 8 };
int vm_page_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa, unsigned how);
/* vm_page_map(how 0, rmap entries reserved) for a run of frames just
 * filled by the kind (no mapping, no swap state): pa[m] at page idx[m], m <
 * n <= VM_RUN_MAX (a fault's page and those around it), in one mmu call. How many were mapped, in order; the frames after those are
 * still the caller's. If idx[0]'s chunk could not be had (none mapped),
 * *why is the fault's answer for it (vm_arrays_fault). */
unsigned vm_pages_map_run(struct vm_space *s, struct vm_region *r, const uint64_t *idx,
			  const uint64_t *pa, unsigned n, int *why);
/* The same, each page as its how[m] says (vm_page_map's, less
 * VM_MAP_RESERVED: the caller reserved every rmap entry): a swap-in's
 * pages read ahead, each mapped as its own fault would map it. */
unsigned vm_pages_map_run_how(struct vm_space *s, struct vm_region *r, const uint64_t *idx,
			      const uint64_t *pa, const unsigned *how, unsigned n);
/* vm_pages_map_run_how's page entries and reverse map alone, no mmu
 * call: the pages are mapped by the caller's copy of another space's
 * tables (mmu_ops.copy_range, fork's) before anything may reclaim. n. */
unsigned vm_pages_adopt_run(struct vm_space *s, struct vm_region *r, const uint64_t *idx,
			    const uint64_t *pa, const unsigned *how, unsigned n);
void vm_page_drop(struct vm_space *s, struct vm_region *r, uint64_t i);
/* Pages [from, to) of r dropped, the whole span unmapped in one call
 * (pages.c says why whole). */
void vm_pages_drop(struct vm_space *s, struct vm_region *r, uint64_t from, uint64_t to);
uint64_t vm_frame_alloc(void);
uint64_t vm_frame_alloc_unzeroed(void);
void vm_frame_release(uint64_t pa);

/* filecopy.c: a frame's program-file copy (frame.file_copy). A page of a
 * writable program segment filled from the file holds what the file holds
 * (vm_frame_filled_from_file) until a write is seen: a dirty bit in a
 * harvest, a write fault, or a harvest that failed (vm_frame_dirtied in
 * vm/filecopy.h, which gives up its slot's clean copy too). Mapped writable,
 * such a frame is mapped clean (vm_entry_perm), so its first write shows in
 * the dirty bit. */
void vm_frame_filled_from_file(uint64_t pa);
int vm_frame_file_copy(uint64_t pa);

/* write_unmap.c (vm_frames_unmap): whether pa's mappings are out of the
 * page tables for its write-out (frame.unmapped). Inline: the fault path
 * asks it of every present page it finds, and eviction of every victim. */
static inline int vm_frame_unmapped(uint64_t pa)
{
	const struct frame *f;

	if (!frames_at.unmapped)	/* no write-out in flight */
		return 0;
	f = frame_desc(pa);
	return f && f->unmapped;
}

/* write_unmap.c (vm_frame_keep): whether a fault kept pa during its
 * write-out (frame.fault_kept), read where the descriptor is, as
 * vm_frame_unmapped is, so that shared.c's page-in needs no call up into
 * write_unmap.c (which calls region.c, which calls shared.c: a circle);
 * vm_frame_kept_by_fault is the swap code's. */
static inline int vm_frame_kept(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f && f->fault_kept;
}
/* pa's write-out is over or given up (its writing mark just cleared): not
 * kept any more, and every mapping back in the page tables with the
 * permission its entry says if it was unmapped: 1 if it was and is back,
 * 0 if it was not unmapped, -1 if the mmu refused one (it stays
 * unmapped). */
int vm_frame_write_out_over(uint64_t pa);
/* Every mapping of unmapped pa back in the page tables, each with the
 * permission its entry says: 1 if it was unmapped and is back, 0 if it was
 * not unmapped, -1 if the mmu refused one (it stays unmapped, none back).
 * Whether to bring them back is vm_frame_back's (write_end.c). */
int vm_frame_map_back(uint64_t pa);
/* pa, mapped back by a fault while its write is in flight, is kept: its
 * write-out's end will not evict it (counted in swapout_fault_kept). */
void vm_frame_keep(uint64_t pa);
/* pa left every mapping (detached): neither unmapped nor kept any more. */
void vm_frame_unmapped_clear(uint64_t pa);

/* write_end.c, above the unmapping: what a fault or fork does with unmapped
 * pa. Its mappings back in the page tables (a frame with none, a
 * shared object's, has none to bring): while its write is in flight,
 * read-only, 1; its write over (a map-back refused at its end left it
 * out), with its write state ended too (vm_frame_write_end(pa)),
 * 0; -1 if the mmu refused one (it stays unmapped). For a fork, which must
 * share it, and a fault (vm_frame_fault_back). */
int vm_frame_back(uint64_t pa);
/* A fault found unmapped pa: back (vm_frame_back), and kept (counted in
 * swapout_fault_kept) if its write is in flight. VM_FAULT_MAPPED or
 * VM_FAULT_NOMEM. */
int vm_frame_fault_back(uint64_t pa);
/* A fault on page i of r in s found the shared object's pa held by a
 * write-out (unmapped, or with no mapping during its write): its other
 * mappings back (vm_frame_back), then mapped at i (vm_page_map's how),
 * then kept as vm_frame_fault_back keeps it; a map refused keeps
 * nothing. VM_FAULT_MAPPED or VM_FAULT_NOMEM. */
int vm_frame_fault_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa,
		       unsigned how);

/* write_seal.c: vm_page_seal takes W from mapping (s, va) of pa and reads its
 * dirty bit in the same step (ro: the permission left, if the harvest fails
 * and protect must do); 0, or -1 if the mmu refused. */
int vm_page_seal(struct vm_space *s, uint64_t va, uint64_t pa, unsigned ro);

/* footprint.c: whether pa's frame is one space's alone: mapped once, and
 * no swapped entry elsewhere will come back to it through the swap cache's
 * tie (its own held reference aside). Freed if that mapping goes. */
int vm_frame_alone(uint64_t pa);

/* swapped_page.c: the frame holding slots[0]'s contents, from the swap cache or
 * read into a new frame (*cached says which), in pa[0]; with r, the
 * readahead window after r's page i read with it into pa[1..*n), the
 * slots they were read from in slots[1..*n) (slots and pa have room for
 * 1 + VM_READAHEAD_MAX; r's window judged and sized, readahead.h). 0, VM_FAULT_NOMEM,
 * VM_FAULT_IO or VM_FAULT_RETRY. vm_swap_frame: the one page, no window.
 * vm_swap_claimed: an entry that named slot now names pa, which came
 * `from` there (the counter it adds to); with hold, and if the swap code
 * keeps copies, pa takes over the entry's slot reference (swapcache_hold)
 * instead of letting it go: a private page mapped read-only, so that a
 * write is seen. */
enum vm_swap_from {
	VM_SWAP_READ,		/* read for this entry's fault: pgmajfault */
	VM_SWAP_CACHED,		/* found in the swap cache: swap_cache_hits */
	VM_SWAP_AHEAD		/* read with another page's fault: swap_ra_mapped */
};
int vm_swap_frames(struct vm_region *r, uint64_t i, uint32_t *slots, uint64_t *pa,
		   unsigned *n, int *cached);
int vm_swap_frame(uint32_t slot, uint64_t *pa, int *cached);
void vm_swap_claimed(uint32_t slot, uint64_t pa, enum vm_swap_from from, int hold);

/* region.c, with the table of kinds. */
const struct region_ops *vm_ops_of(enum vm_region_kind kind);
void vm_region_remove(struct vm_space *s, struct vm_region *r);
/* r was just linked into s's list: s's and the discard step's counts. */
void vm_region_counted(struct vm_space *s, const struct vm_region *r);
/* A zeroed region record, from pages of records (base/slab.h: freed, they
 * go back to the frame pool, not to malloc's heap), or NULL; making it may
 * reclaim (base/heap_alloc.h). Freed with vm_region_record_free. */
struct vm_region *vm_region_record(void);
void vm_region_record_free(struct vm_region *r);
/* What one region record takes of the pager's memory. */
uint64_t vm_region_record_bytes(void);

/* private.c and shared.c: the tables of operations, and shared objects. */
extern const struct region_ops vm_anon_ops, vm_stack_ops, vm_image_ops, vm_shared_ops;
/* A new object of npages pages, its page array charged to budget (NULL:
 * none), which it holds until it goes. */
struct vm_object *vm_object_new(uint64_t npages, struct pv_budget *budget);
/* A fault's answer when a page array's chunk could not be made (err,
 * enum pv_short): its line's bound is no shortage of memory an OOM kill
 * could mend. */
static inline int vm_arrays_fault(int err)
{
	return err == PV_AT_BOUND ? VM_FAULT_ARRAYS : VM_FAULT_NOMEM;
}
struct vm_object *vm_object_by_id(uint32_t id);
/* r (pointing at its object, pgoff and space set) joins the object's
 * list of its regions in pgoff order, its place sought from member `from`
 * on (from's pgoff at most r's; NULL: from the first): a new region right
 * after its object, fork's copy after its parent's, a split's tail after
 * its head. It leaves in its release (the kind's, shared.c). */
void vm_object_join(struct vm_region *r, struct vm_region *from);
void vm_object_reach_begin(struct object_reach *w, const struct vm_object *o,
			   const struct vm_region *skip);
/* Whether some region on w's object but w's skip reaches its page j
 * (pgoff <= j < pgoff + its pages), j at least the last asked; in
 * *next, the first page after j where the answer may change (at most
 * o->npages), so that a caller walks o a run at a time. An object holds
 * no page that no region reaches (vm_check holds to it). */
int vm_object_reached(struct object_reach *w, uint64_t j, uint64_t *next);
/* The regions the walks of objects' lists visited (shared.c, footprint.c):
 * counted only where VM_COUNT_VISITS is defined (the host tests), which
 * show the walks' cost bounded. */
#ifdef VM_COUNT_VISITS
extern uint64_t vm_object_visits;
/* Calls of vm_mapcount (rmap.c): a walk that asks it of every page shows
 * in them (vm_space_info asks none). */
extern uint64_t vm_mapcount_asks;
/* The steps of vm_spaces_sharing's walk of private pages (sharing.c): each
 * page visited, each mapping of a frame's reverse map and each region
 * looked up for a slot's holders. */
extern uint64_t vm_share_steps;
#endif
static inline void vm_object_visit(void)
{
#ifdef VM_COUNT_VISITS
	vm_object_visits++;
#endif
}
/* The shared object holding pa (frame.obj, which only shared.c sets and
 * clears) lets go of it, for its eviction: its entry names slot, or is
 * absent if slot is 0. 1 if it names slot: the caller takes the slot
 * reference the entry holds. */
int vm_object_let_go(uint64_t pa, uint32_t slot);
uint32_t vm_object_count(void);	/* one past the highest id */
void vm_objects_reset(void);

/* rmap.c. rmap_reserve(n) makes the next n adds succeed. */
int rmap_reserve(uint64_t n);
/* (s, va) joins frame f's reverse map (f from frame_desc, which the
 * caller has: one lookup), its entry reserved; image: mapped in a program
 * segment, the frame is marked so (frame.image_map). */
void rmap_add_frame(struct frame *f, struct vm_space *s, uint64_t va, int image);
/* rmap_add_frame(f[m], s, e[m].va, image) for each of e[0..n)
 * (kernel/abi/vm.h's struct map_entry: a run just mapped; f[m] the
 * descriptor of frame e[m].pa). */
struct map_entry;
void rmap_add_run(struct vm_space *s, const struct map_entry *e, struct frame *const *f,
		  unsigned n, int image);
int rmap_remove(uint64_t pa, struct vm_space *s, uint64_t va);
int rmap_has(uint64_t pa, const struct vm_space *s, uint64_t va);
void rmap_reset(void);
uint64_t rmap_pool_used(void);
uint64_t rmap_pool_free(void);
uint64_t rmap_pool_size(void);

/* write_end.c: a write fault on pa while it is being written out (or
 * sealed): every mapping gets its permission back and the write-out is stale
 * (swapcache_written); 0, or -1 if the mmu refused. */
int vm_frame_write_resume(uint64_t pa);

/* footprint.c, for sharing.c: whether slot is named only once (the swap
 * code knows; 1 without it); o's present or (swapped) swapped pages in
 * [from, to); a new walk's number (never 0, an object's first mark); and
 * whether that walk meets o for the first time (marking it met), so that
 * a walk of many regions takes each object once. */
int vm_slot_alone(uint32_t slot);
uint64_t vm_object_pages(const struct vm_object *o, uint64_t from, uint64_t to, int swapped);
uint64_t vm_walk_new(void);
int vm_walk_meets(struct vm_object *o, uint64_t walk);

#endif
