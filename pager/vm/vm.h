/*
 * The pager's virtual-memory core: per-process regions, the pages in them,
 * the reverse map from frames to mappings, and what a fault, a fork, an
 * mmap or an exit does to them. Plain C with no kernel headers: address
 * spaces are changed only through struct mmu_ops, which the pager backs with
 * system calls and the host tests with a fake that records every mapping.
 */
#ifndef PAGER_VM_H
#define PAGER_VM_H

#include <stddef.h>
#include <stdint.h>
#include "base/mmu.h"
#include "pager/protocol.h"	/* PAGER_READAHEAD_MAX, which programs see too */
#include "vm/frames.h"

#define VM_PAGE 4096UL

/* Access kinds and permissions use the kernel's bits (abi/vm.h, abi/msg.h):
 * read 1, write 2, exec 4. VM_CLEAN is for mmu_ops only, never a region's:
 * writable with the dirty bit clear (MAP_CLEAN), so a write shows in a
 * harvest rather than as a fault. */
enum vm_perm {
	VM_R = 1,
	VM_W = 2,
	VM_X = 4,
	VM_CLEAN = 8
};

struct vm_space;	/* one per process: its regions */

enum vm_region_kind {
	VM_ANON,		/* zero-filled on first touch, private (COW on fork) */
	VM_IMAGE,		/* a program segment: filled from the file, then private */
	VM_SHARED,		/* anonymous, the same frames in every sharer */
	VM_STACK		/* anonymous, with an unmapped guard page below */
};

/* What a program segment is filled from (VM_IMAGE). */
struct vm_image {
	const uint8_t *file;	/* the segment's bytes start at file + offset */
	uint64_t offset;
	uint64_t vaddr;		/* where byte 0 of the segment goes */
	uint64_t filesz;	/* bytes from the file; the rest is zero */
};

/* Frames come from frames.h (frames_init first); faultaround is how many
 * pages a fault may map beyond the one asked for (0..VM_FAULTAROUND_MAX). */
#define VM_FAULTAROUND_MAX 16
/* The longest run of frames a fault maps (and takes with frame_alloc_run):
 * its own page and those around it. */
#define VM_RUN_MAX (1 + VM_FAULTAROUND_MAX)
void vm_init(const struct mmu_ops *mmu, unsigned faultaround);

struct vm_space *vm_space_create(int as, uint32_t pid);
/* Unmap and release everything (process exit). */
void vm_space_destroy(struct vm_space *s);
/* s, new and with no region yet, charges its page arrays (and those of
 * the shared objects it makes) to a budget of its own of at most max
 * bytes of the pager's heap (0: none), or to from's, shared with every
 * space charged to it. A chunk past the bound is refused: a fork fails
 * with VM_FAULT_NOMEM, as for memory short, and a fault with
 * VM_FAULT_ARRAYS. 0, or -1 if memory is short (s is then charged to
 * none). */
int vm_space_budget_new(struct vm_space *s, uint64_t max);
void vm_space_budget_share(struct vm_space *s, const struct vm_space *from);
/* Bytes s's budget is charged with (0: none). */
uint64_t vm_space_budget_bytes(const struct vm_space *s);
/* The bytes of page arrays a process needs at most to describe `pages`
 * pages densely in VM_REGIONS_MAX regions: a chunk (PV_CHUNK entries)
 * for each PV_CHUNK of them and one more for each region, with their
 * pointer arrays. */
uint64_t vm_arrays_dense(uint64_t pages);

/* Regions one space may hold: a split (munmap in the middle of a region)
 * or a new region past this fails with VM_FAULT_NOMEM, so no program can
 * grow the pager's own memory without bound with tiny mappings. */
#define VM_REGIONS_MAX 1024

/* Add a region [start, end) (page-aligned, not overlapping another). */
int vm_region_add(struct vm_space *s, uint64_t start, uint64_t end, unsigned perm,
		  enum vm_region_kind kind, const struct vm_image *img);
/* Find room for len bytes (and a stack's guard page below them) within
 * [above, below), the highest there is, and add a region there; the
 * address, or 0. Where a region may go is the caller's choice: the pager
 * keeps mappings above the heap's reserved range (server/memory.c). */
uint64_t vm_region_place(struct vm_space *s, uint64_t len, uint64_t above, uint64_t below,
			 unsigned perm, enum vm_region_kind kind);
/* Remove [start, end) from every region it covers, splitting regions and
 * dropping their pages. */
int vm_unmap_range(struct vm_space *s, uint64_t start, uint64_t end);
/* Move the end of the region that ends at old_end (the heap) to new_end. */
int vm_region_resize(struct vm_space *s, uint64_t old_end, uint64_t new_end);
/* The highest end of the regions lying within [from, to), or from if none
 * does (where a heap cut at its end by a munmap ends now). */
uint64_t vm_regions_end(const struct vm_space *s, uint64_t from, uint64_t to);
/* The end of the region with va strictly inside it (its start below va),
 * or 0 if none: where vm_unmap_range would have to split a region, for
 * which it needs memory (a region record), at va. */
uint64_t vm_region_end_across(const struct vm_space *s, uint64_t va);

enum vm_fault_result {
	VM_FAULT_MAPPED = 0,	/* resolved: the thread can retry */
	VM_FAULT_NOREGION = -1,	/* no region covers the address */
	VM_FAULT_PROT = -2,	/* the region forbids this access */
	VM_FAULT_NOMEM = -3,	/* no free frame */
	VM_FAULT_IO = -4,	/* the page's swap copy could not be read */
	/* The swap code let the pager lock go to wait for the disk (its read
	 * or another fault's read of the same slot): anything may have changed
	 * meanwhile, s may even be gone. Look the process up again and call
	 * vm_fault_again; the page read is waiting in the swap cache. Also
	 * after a shared object's page read that kept the lock: the read
	 * frame, in the object, is mapped by the fault run again. */
	VM_FAULT_RETRY = -5,
	/* The page arrays of the space's budget are at their bound
	 * (vm_space_budget_new): no frame is short, and no OOM kill would
	 * make room for the chunk (its line's own arrays fill it). */
	VM_FAULT_ARRAYS = -6
};

/* Resolve a fault at va (access: VM_R, VM_W or VM_X), counted in pgfault. */
int vm_fault(struct vm_space *s, uint64_t va, unsigned access);
/* The same fault once more, not counted again: after VM_FAULT_RETRY, or
 * after reclaim made room for it (one fault, however many tries). */
int vm_fault_again(struct vm_space *s, uint64_t va, unsigned access);
/* After vm_fault or vm_fault_again returned VM_FAULT_IO, the lock held
 * since: the slot whose read failed, if a read's failure was the cause;
 * else 0, or the slot of an earlier failure nobody asked about, which
 * does no harm (with it, vm_fault_after_failed_read fails at once only
 * where the page names a slot whose read failed). Asking clears it. */
uint32_t vm_fault_failed_slot(void);
/* vm_fault_again once a try's read of slot `failed` failed: it fails
 * again at once, reading nothing, if the page still names that slot and
 * no frame holds it; else it is vm_fault_again (a read that let the lock
 * go may have seen the page discarded or unmapped meanwhile, or read by a
 * sharer). */
int vm_fault_after_failed_read(struct vm_space *s, uint64_t va, unsigned access, uint32_t failed);
/* A short reason for a fault result ("no region at this address"...). */
const char *vm_fault_reason(int result);

/* The frame mapped at va in s (after a fault resolved it), or 0. */
uint64_t vm_lookup(const struct vm_space *s, uint64_t va);
/* Whether s's page at va holds frame pa and the kernel's page table should
 * map it: not out of the tables for its write-out (pager.check's look at
 * replies, server/check.c). */
int vm_mapped_at(const struct vm_space *s, uint64_t va, uint64_t pa);

/* A copy of parent for child: private pages become copy-on-write in both,
 * shared ones stay shared. 0 or VM_FAULT_NOMEM. */
int vm_fork(struct vm_space *parent, struct vm_space *child);

/* Every (space, address) mapping frame pa, through the reverse map. */
typedef void (*vm_rmap_fn)(void *ctx, struct vm_space *s, uint64_t va);
size_t vm_rmap_walk(uint64_t pa, vm_rmap_fn fn, void *ctx);
/* Mappings of pa (0: not mapped). */
unsigned vm_mapcount(uint64_t pa);
/* f's mapcount and, if it is mapped, its first mapping (*s, *va in pages:
 * *vpn): rmap_pool.h's vm_rmap_first, out of line, so that the reverse
 * map's entries stay the VM core's. */
unsigned vm_rmap_first_of(const struct frame *f, struct vm_space **s, uint32_t *vpn);
/* fn for every mapping of frame pa (f its descriptor, or NULL: not a
 * page of RAM), as vm_rmap_walk, but a frame mapped once (most are) costs
 * no walk and, inlined where fn is known, no indirect call (reclaim's
 * looks ask it of every frame they harvest). */
static inline void vm_rmap_each_of(const struct frame *f, uint64_t pa, vm_rmap_fn fn, void *ctx)
{
	struct vm_space *s;
	uint32_t vpn;
	unsigned maps = f ? vm_rmap_first_of(f, &s, &vpn) : 0;

	if (maps == 1)
		fn(ctx, s, (uint64_t)vpn * VM_PAGE);	/* pfn_pa is the core's own (internal.h) */
	else if (maps)
		vm_rmap_walk(pa, fn, ctx);
}

/* vm_rmap_each_of for pa, its descriptor looked up. */
static inline void vm_rmap_each(uint64_t pa, vm_rmap_fn fn, void *ctx)
{
	vm_rmap_each_of(frame_desc(pa), pa, fn, ctx);
}
/* Remove every mapping of pa at once (for reclaim): unmap it in each space,
 * drop its rmap entries, clear it from every page array and shared object.
 * The frame stays allocated, the caller's (detached: swapcache.h), to write out
 * and frame_free. The number of mappings removed, or -1 if pa is not a
 * process page. */
int vm_unmap_frame_everywhere(uint64_t pa);

/*
 * Accessed and dirty bits (harvest.c). Whoever reads them goes through here:
 * a dirty bit, once read and cleared, is the only news that a frame mapped
 * writable while it holds a clean copy elsewhere (its slot: swapcache_hold;
 * or its program file: a page of a writable segment filled from the file)
 * was written, so vm_harvest gives that copy up at once.
 */
struct harvest_entry;	/* kernel/abi/vm.h */
/* Harvest e[0..n) through mmu_ops (each entry's bits say what to clear);
 * entry k maps frame pa[k] (0, or pa NULL: none known). 0 or a negative
 * error. */
int vm_harvest(struct harvest_entry *e, const uint64_t *pa, size_t n);
/* (clear_accessed.c) Clear the accessed bit (only: dirty bits stay for the looks) of every
 * mapping of frames pa[0..n), as vm_harvest would entry by entry; pages
 * that follow one another in a space, each of a frame mapped once that
 * holds no copy, go as one run entry (HARVEST_RUN_SHIFT). */
void vm_frames_clear_accessed(const uint64_t *pa, size_t n);
/* (write_seal.c) Frames pa[0..n) are about to be dropped without a write, as their slots
 * or their program file hold clean copies: each such one's mappings lose
 * write permission and their dirty bits are read, in one harvest. One
 * found written gives its copy up (and gets W back): it must be written
 * out like any other. The rest stay write-protected (a write faults:
 * swapcache_writing) until they are evicted or dropped, or
 * vm_frame_write_end(pa) if they are not. */
void vm_frames_seal(const uint64_t *pa, size_t n);


/*
 * Swap. The VM core records where an evicted page went (a swap slot, in
 * its page entry) and asks the pager's swap code to move bytes; it never
 * does I/O itself. Slots are numbers >= 1 below 2^30.
 */
struct vm_swap_ops {
	/* Fill frame pa with slot's contents and tie it to slot in the swap
	 * cache (swapcache.h) unless the swap code keeps no cache. 0, or a
	 * negative error (pa is still the caller's), or VM_SWAP_UNLOCKED (see
	 * read_many). May block. */
	int (*read)(void *ctx, uint32_t slot, uint64_t pa);
	/* One more / one fewer page entry names slot (fork; drop or swap-in).
	 * slot_put returns the references left: at 0 the VM core unties the
	 * slot in the swap cache. */
	void (*slot_dup)(void *ctx, uint32_t slot);
	int (*slot_put)(void *ctx, uint32_t slot);
	void *ctx;
	/* Optional (NULL: no readahead). Fill frames pa[0..n) with slots
	 * slots[0..n) in one transfer (each run of slots that follow one
	 * another on the disk in one request where the device allows, in
	 * whatever order slots[] names them), tying them as read does; 0, or
	 * a negative error and no frame is to be trusted. n <= 1 +
	 * VM_READAHEAD_MAX. The slots are distinct, being one region's: a page
	 * entry comes to name a slot only by eviction, which names it in the
	 * entries of the frame's rmap, one per space and address; fork copies
	 * entries into another space; nothing moves an entry within a space
	 * (no mremap); and a shared region's pages never name slots (its
	 * object's do). vm_check checks it. May block. Either read may instead
	 * let the pager lock go while the disk works and return
	 * VM_SWAP_UNLOCKED: the frames are then the swap code's, each tied to
	 * its slot and fresh if it was read (swapcache_read_begin and _end),
	 * else freed (a window may take several requests: only those of a
	 * request that failed are), and the caller starts over
	 * (VM_FAULT_RETRY); or VM_SWAP_UNLOCKED_IO, the same but slots[0]
	 * could not be read (the fault fails with VM_FAULT_IO, touching
	 * nothing); or VM_SWAP_UNLOCKED_NOMEM, the same but slots[0]'s read
	 * could not be sent for a shortage (no memory to map its frame for the
	 * driver): its copy is intact, and the fault fails with VM_FAULT_NOMEM,
	 * touching nothing, to be tried again after the waits and reclaim of
	 * a fault short of memory. */
	int (*read_many)(void *ctx, const uint32_t *slots, const uint64_t *pa, unsigned n);
	/* Needed with VM_SWAP_UNLOCKED: slot's frame is being read; let the
	 * lock go until that read is over (the caller starts over). */
	void (*wait)(void *ctx, uint32_t slot);
	/* Optional (NULL: never). 1 if a private page brought back from swap
	 * should keep its slot while it is not written (a clean copy, see
	 * swapcache_hold): reclaim then drops it again without a write, at the
	 * cost of the slot. The swap code says no when slots run short. */
	int (*keep_copies)(void *ctx);
	/* Optional (NULL: every slot counts as named once). How many
	 * references slot has: more than 1 when fork left it named twice. */
	uint32_t (*slot_refs)(void *ctx, uint32_t slot);
	/* Optional (NULL: none read ahead of faults). After a read for a
	 * region that is a stream whose last window was used: the swap code
	 * may read slots[0..n) (n <= 1 + VM_READAHEAD_MAX; the slots of the
	 * region's pages after the window that are on the disk alone, no
	 * frame tied to them, wherever they lie on the disk) into its cache
	 * before they are asked for, in the background. Which it took: bit k
	 * for slots[k] (no room leaves its bit clear). Never blocks. */
	uint32_t (*read_further)(void *ctx, const uint32_t *slots, unsigned n);
};
#define VM_SWAP_UNLOCKED 1
#define VM_SWAP_UNLOCKED_IO 2
#define VM_SWAP_UNLOCKED_NOMEM 3
void vm_set_swap(const struct vm_swap_ops *ops);

/* No frame is free for a page the VM core needs: the layer above frees
 * what it can (up to want frames) and says how many it freed, 0 if none;
 * the VM core then tries again, until that is 0. It may evict frames but
 * never destroy a space or change its regions (it runs in the middle of a
 * fault). NULL: no reclaim, the allocation fails. */
typedef size_t vm_reclaim_fn(size_t want);
void vm_set_reclaim(vm_reclaim_fn *fn);

/* Swap-in readahead: a major fault on a private page also reads up to
 * its region's window of following pages that name a slot, wherever the
 * slots lie on the disk, in the same transfer (read_many): mapped with it
 * while the region's window is eager (a stream's or its first,
 * readahead.h), else left in the swap cache for their own faults. The
 * window stops at the first page that names none, or whose slot is in the
 * swap cache, or when no frame is free (never reclaims for it). It follows
 * the program's addresses, not the disk's order: a page that reclaim kept
 * past its neighbours went to a slot of its own later, and a window that
 * stopped there cost a major fault at it (docs/measured.md). The
 * window adapts to whether its pages were used (readahead.h) up to
 * `pages`. 0 (vm_init's default): one page per read. At most
 * VM_READAHEAD_MAX. */
#define VM_READAHEAD_MAX PAGER_READAHEAD_MAX	/* protocol.h; the boot argument's bound (main.c) */
void vm_set_readahead(unsigned pages);

/* A pinned space's frames are never evicted (a driver the pager waits on). */
void vm_space_set_pinned(struct vm_space *s, int pinned);
int vm_space_as(const struct vm_space *s);

/* 1 if frame pa may be evicted now: a user page (private or shared
 * object), mapped or held by an object, in no pinned space. */
int vm_frame_evictable(uint64_t pa);
/* Unmapping at choice (write_unmap.c): each frame of pa[0..n) marked as
 * being written out (swapcache_writing) and taken out of the page tables,
 * in one harvest call for the lot, its dirty bits read (one found gives a
 * clean copy up, as vm_harvest does); its page entries and reverse map
 * keep naming it. A fault on such a page maps the frame back, read-only
 * while the write is on, and the frame is kept (vm_frame_kept_by_fault);
 * vm_evict has no mapping of it left to remove. Not an access look: no
 * accessed bit is read. A frame the batch cannot take (more mappings than
 * it holds) is unmapped one call a mapping, its clean copy given up; if
 * the mmu refuses one, its mappings stay (or come back) and its write-out
 * is stale at once (swapcache_written), so that the write's end keeps it.
 * The caller ties each frame to the slot it is written to before this
 * call (swapcache_tie) and, the write over, unties it or has it hold the
 * slot (swapcache_keep_written) before vm_frame_write_end(pa): the
 * tie, with the writing mark, is how a fault knows the write is still in
 * flight (swapcache_write_in_flight). */
void vm_frames_unmap(const uint64_t *pa, size_t n);
/* pa's write state ends: its write-out is over or given up (vm_frames_unmap
 * began it), or a frame sealed (vm_frames_seal) is not dropped. The "being
 * written" mark (swapcache_writing) goes, and every mapping is back in the
 * page tables (if the write-out took it out) with the permission its page
 * entry says: writable again where its region allows and it is not
 * copy-on-write. 0, or -1 if pa is no process page, or if the mmu refused
 * a mapping (pa stays marked, none of its mappings writable unless the
 * mmu refused to take W back too, nor, if the map-back was refused, in
 * the page tables, so a fault tries again). */
int vm_frame_write_end(uint64_t pa);
/* 1 if a fault mapped pa back during its write-out: the swap code keeps it
 * in memory after the write instead of evicting it. */
int vm_frame_kept_by_fault(uint64_t pa);
/* pa's contents are safely in slot: every page entry that names pa (in
 * every space and shared object) now names slot instead and its mappings
 * are removed; slot_dup is called once per entry converted. The frame is
 * then free of the VM core: the caller frees it. Returns the number of
 * entries converted, or -1 if pa is not evictable. */
int vm_evict(uint64_t pa, uint32_t slot);
/* on: the mappings removed from now on may reach the kernel later, all in
 * one call (runs of pages, of any spaces); off: they all have been sent.
 * No frame they mapped may be freed between the two. Off answers -1 if
 * the mmu refused any of them: a frame unmapped in the hold may still be
 * mapped, and which is not known, so none may be freed (the caller
 * retires them: frame_retire); else 0. It does not nest: on while on (or
 * off while off) is noted as a bug (vm_check) and ignored (0). */
int vm_unmaps_hold(int on);

/* Drop a page vm_frame_refillable (vm/evict.h) answers 1 for, which costs
 * no I/O: its entries become absent (the next fault fills them
 * from the program file again) and the frame is the caller's to free;
 * counted in pgdrop_image. 0, or -1 if pa is not refillable (a frame
 * vm_frames_seal protected for this gets its write permission back). */
int vm_drop_refillable(uint64_t pa);

struct vm_space_info {
	uint32_t pid;
	uint32_t resident, shared, regions;
	uint32_t swapped;		/* page entries naming a slot */
};
void vm_space_info(const struct vm_space *s, struct vm_space_info *out);

/*
 * Discardable memory (a purgeable range, like MADV_FREE): a private
 * anonymous region [start, end) exactly as mapped. Unlocked, its contents
 * may go at any time without a write; locked again, the owner learns
 * whether they did (the pages gone read as zeros).
 */
/* Unlock: its swapped pages go at once (their slots freed). 0, or -1 if
 * [start, end) is not exactly one private anonymous region. */
int vm_discard_unlock(struct vm_space *s, uint64_t start, uint64_t end);
/* Lock again: 1 if any of its pages went since the unlock, 0 if none did,
 * -1 as for unlock. */
int vm_discard_lock(struct vm_space *s, uint64_t start, uint64_t end);
/* Reclaim's first step: drop up to want pages of unlocked regions (a page
 * mapped only there, not being written out); frames freed. Looks at no
 * more than `looks` pages and regions not unlocked (reclaim's budget),
 * from where the last call stopped. */
size_t vm_discard_some(size_t want, size_t looks);

/* What s's death would give back (for the OOM killer): its pages, resident
 * or, if swapped, swapped too, split into those only s holds (alone: a
 * private frame mapped once, a slot named once, or a shared object's page
 * only s's regions reach) and those others hold too (shared). A slot freed
 * is worth counting only while the device can take writes into it: one on
 * a device gone for good frees no frame. */
void vm_space_footprint(const struct vm_space *s, int swapped, uint64_t *alone, uint64_t *shared);
/* A set of spaces (a bit each, by index in the list vm_spaces_sharing was
 * given) and the pages only they reach. */
struct vm_share {
	uint64_t who;
	uint64_t pages;
};
#define VM_SHARE_SPACES_MAX 63	/* bit 63 stands for every space not listed */
/* The pages two or more of spaces[0..n) reach and no other space does
 * (counted as vm_space_footprint counts, resident or, if swapped,
 * swapped too), by the set that reaches them: up to max sets into out,
 * how many; the pages of a set beyond max count for none. Only the first
 * VM_SHARE_SPACES_MAX spaces are listed. For the OOM killer's groups: the
 * cost is the spaces' regions, each object's list once (and 64 runs at
 * each of its steps), each private page visited, and, once for each
 * private frame shared, its mappings, or for each slot others name, two
 * region look-ups per space at most. */
size_t vm_spaces_sharing(const struct vm_space *const *spaces, size_t n, int swapped,
			 struct vm_share *out, size_t max);
/* Pages of the pager's heap s's page arrays hold that its death frees
 * (its regions' arrays, those of objects only it refers to), rounded up:
 * the OOM killer adds them to its score. */
uint64_t vm_space_meta_pages(const struct vm_space *s);

/* Walk every space, region, page, shared object, frame and rmap entry and
 * check that the back-links agree and the counters are exact (frames_check
 * included). 0, or -1 and vm_check_error() says what disagrees, or
 * VM_CHECK_CANNOT and it says why the walk could not be made (no memory
 * for its table of slots). */
#define VM_CHECK_CANNOT (-2)
int vm_check(void);
const char *vm_check_error(void);
/* The first inconsistency the VM core met on its own while working (a
 * frame or an entry that was not what it must be), or NULL. */
const char *vm_bug(void);

#endif
