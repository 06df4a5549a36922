/*
 * The pager's frame table: one 32-byte descriptor per physical frame of RAM
 * and a free list. The VM core keeps its reverse map and shared-object links
 * in the descriptors. Plain C with no kernel headers; frames are named by
 * physical address, and 0 is never a frame.
 */
#ifndef PAGER_FRAMES_H
#define PAGER_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096UL
#define FRAME_NONE UINT32_MAX	/* ends a list of frame indices */
#define FRAMES_RAM_LIMIT (1ULL << 42)	/* RAM must end below: frame numbers fit 30 bits */

enum frame_state {
	FRAME_RESERVED = 0,	/* not the pager's: kernel, firmware, holes in RAM */
	FRAME_FREE = 1,		/* on the free list */
	FRAME_PINNED = 2,	/* the pager's own (this table, its heap): never reclaimed */
	/* A process page, private or in a shared object. Whether its owner
	 * unlocked it (discardable) is its region's to say (discard.c), not
	 * the frame's: a frame shared after fork may be both. */
	FRAME_ANON = 3
};

/* A frame descriptor. frames.c owns state and the list links; the VM core
 * owns rmap, mapcount, obj, obj_page, file_copy, pinned_map, image_map,
 * unmapped and fault_kept, and its swap cache (swapcache.c) swap, flags and
 * copy_keeps (all 0 while the frame is free: frame_free resets the
 * descriptor). Within the VM core, pinned_map is rmap.c's, obj and
 * obj_page shared.c's, unmapped and fault_kept write_unmap.c's (each
 * field's comment says who else clears it). */
struct frame {
	uint32_t next, prev;	/* free list now, LRU lists later; FRAME_NONE ends */
	uint32_t rmap;		/* first reverse-map entry (rmap.c pool index), 0: none */
	uint32_t mapcount;	/* entries on the rmap list: (space, va) mappings of it */
	/* The swap slot whose contents it holds while the swap cache ties the
	 * two, 0: none (the tie is undone when no page entry names the slot any
	 * more, or when the page is written). */
	uint32_t swap;
	uint32_t obj;		/* id of the shared object holding it (shared.c), 0: none */
	uint32_t obj_page;	/* its page index in that object */
	uint8_t state;		/* enum frame_state */
	uint8_t flags;		/* enum frame_flags (swapcache.h) */
	/* 1 while it holds what its program file holds: a page of a writable
	 * segment filled from the file, no write seen since (filecopy.c, the
	 * VM core's; 0 otherwise). */
	uint8_t file_copy;
	/* 1 if a pinned space may map it: set as such a mapping is added or
	 * its space becomes pinned, cleared only when the frame is freed, so 0
	 * answers frame_pinned (asked of every frame reclaim looks at) without
	 * walking the reverse map (rmap.c, the VM core's). */
	uint8_t pinned_map : 1;
	/* 1 if a program segment may map it: set as a page of one is mapped
	 * (pages.c), cleared only when the frame is freed, so 0 answers
	 * vm_frame_refillable (asked of every victim, most of them plainly
	 * anonymous) without a look at its regions. A copy made on a write is
	 * not marked: it lies in a writable segment with no file copy, which
	 * never makes a page refillable (evict.c; check.c holds to this). */
	uint8_t image_map : 1;
	/* 1 while its mappings are out of the page tables for its write-out
	 * (unmapped at choice): its page entries and reverse map still name
	 * it, and the first fault on one of them maps them all back. Set only
	 * by write_unmap.c, the VM core's, and only while the frame is being
	 * written out (swapcache_writing); cleared there as its mappings come
	 * back, and here as its last mapping goes (frame_mapping_going) or it
	 * is freed. Always through frame_set_unmapped, which counts it in
	 * frames_at.unmapped, but for a free's reset, which takes it out of
	 * the count itself. */
	uint8_t unmapped : 1;
	/* 1 once such a fault mapped it back: referenced during its write-out,
	 * it stays in memory after the write (write_unmap.c's too: cleared as a
	 * write-out starts, vm_frames_unmap, and as it ends). */
	uint8_t fault_kept : 1;
	/* Copy-on-write faults copying from it while their copy's frame is
	 * allocated: reclaim leaves it to them (swapcache_keep_source, the
	 * swap cache's). One fault a pager thread, so at most
	 * PAGER_THREADS_MAX (8): four bits hold it. */
	uint8_t copy_keeps : 4;
};

struct frame_range {
	uint64_t base, end;
};

/*
 * Set up the table for RAM [ram_base, ram_end): the frames in free[] become
 * free, except those the table itself takes (pinned). `window` is where the
 * byte at ram_base is visible (the pager passes PHYSMAP_BASE + ram_base, the
 * tests a buffer). Returns 0, or -1 if the arguments are unusable or the free
 * frames cannot hold the table. May be called again to start over.
 */
int frames_init(uint64_t ram_base, uint64_t ram_end, const struct frame_range *free,
		int nfree, uint8_t *window);

/* A zeroed frame in state FRAME_ANON, mapcount 0; 0 if no frame is free
 * above the reserve (ordinary allocations never touch it). */
uint64_t frame_alloc(void);
/* Up to n frames as frame_alloc hands them out, into pa[] in order; how
 * many (fewer when the free frames above the reserve run out). One call
 * for a fault-around run. */
unsigned frame_alloc_run(uint64_t *pa, unsigned n);
/* frame_alloc without the zeroing, for a caller that overwrites every
 * byte at once (a copy-on-write copy): the old contents are another
 * page's, so it must not be mapped before it is written. */
uint64_t frame_alloc_unzeroed(void);
/* A zeroed frame for the pager itself (FRAME_PINNED), from the reserve if
 * need be (the "memalloc" class: reclaim/direct.c decides who may); 0 if none is
 * free at all. */
uint64_t frame_alloc_pinned(void);
/* The same, its old contents left: for the pager's heap, which zeroes
 * what it hands out itself (malloc's pages as they are mapped, objects as
 * slab_alloc makes them), so a page of objects costs no page's zeroing. */
uint64_t frame_alloc_pinned_unzeroed(void);
/* Keep the last n free frames out of frame_alloc's reach: the reserve that
 * lets reclaim make progress with nothing else free (Linux keeps one for
 * its PF_MEMALLOC tasks). frames_init sets 0. */
void frames_set_reserve(uint64_t n);
uint64_t frames_reserve(void);
/* The fewest frames ever free at once since frames_init. */
uint64_t frames_lowest_free(void);
/* Return an anonymous or pinned frame with no mappings to the free list.
 * Anything else (free, reserved, still mapped or held by an object) is
 * refused and recorded: frames_check() then fails. */
void frame_free(uint64_t pa);
/* frame_free's checks, but pa is kept out of use for good (FRAME_PINNED,
 * never freed): a device may still write into it (a read in flight when
 * its driver ended). */
void frame_retire(uint64_t pa);
/* on: a frame freed from now on is refused (as frame_free's other
 * refusals), until off: vm_unmaps_hold's rule, that no frame is freed
 * while its unmap may not have reached the kernel. */
void frames_hold_frees(int on);
int frames_frees_held(void);	/* whether frees are held: on, not off yet */
/* Set or clear f's unmapped mark (frame.unmapped: the VM core's
 * write_unmap.c alone sets it), keeping frames_at.unmapped its count. */
void frame_set_unmapped(struct frame *f, int on);
/* A mapping of unmapped f's frame is about to go (its rmap entry still
 * there): if it is the last, the frame is unmapped no more, since no
 * mapping is left out to bring back: frames_at.unmapped counts only frames
 * that have some, and vm_check holds to it. A counting rule, not a choice
 * (write_unmap.c alone sets the mark and chooses when a write-out's victims
 * come back): here, beside the count and the mapcount it reads, so that
 * the page-level drop (pages.c) need not call up into the unmapping.
 * Still kept if a fault kept it (its write-out decides), and a shared object's frame so left is still kept by a new
 * sharer's fault while its write is in flight (shared.c). Cold: only for
 * frames unmapped for a write-out, in flight or left out after it by a
 * refused map-back (measured: in vm_page_drop's common path, its branch
 * cost exit ~1 instruction a page otherwise). */
__attribute__((cold)) void frame_mapping_going(struct frame *f);

/* Told of every process frame (FRAME_ANON) as frame_alloc hands it out
 * (allocated 1) and as frame_free takes it back (0); of a run from
 * frame_alloc_run at once, through run if set (NULL: fn for each frame).
 * The replacement policy follows frames this way. One observer; NULL:
 * none. */
typedef void frames_observer_fn(void *ctx, uint64_t pa, int allocated);
typedef void frames_run_observer_fn(void *ctx, const uint64_t *pa, unsigned n);
void frames_set_observer(frames_observer_fn *fn, frames_run_observer_fn *run, void *ctx);

/* Where the descriptors are, the RAM they describe (span 0 while there is
 * no table) and where its bytes are seen: frames.c's, set by frames_init;
 * read here only, by frame_desc and frame_ptr, inline because each step of
 * a fault asks them again. */
struct frames_at {
	struct frame *table;
	uint64_t base, span;
	uint8_t *window;	/* the byte at base */
	/* Descriptors with frame.unmapped set: frame_set_unmapped's count, and
	 * frame_free's, which resets a descriptor, mark and all (so no path
	 * that frees a frame can leave it counted). 0, as whenever no
	 * write-out is in flight, answers vm_frame_unmapped without a look at
	 * the descriptor (fork and exit ask it of every page). */
	uint32_t unmapped;
};
extern struct frames_at frames_at;

/* The descriptor of frame pa; NULL if pa is not a page of RAM. A
 * descriptor found is said to be no null pointer (table is set whenever
 * span is not 0), so that a caller's own test of it folds away: a branch
 * of ~14 instructions, asked ~12 times a page swapped out or read back. */
static inline struct frame *frame_desc(uint64_t pa)
{
	uint64_t off = pa - frames_at.base, idx = off / FRAME_SIZE;
	struct frame *f;

	if (off >= frames_at.span || idx * FRAME_SIZE != off)	/* not page-aligned */
		return NULL;
	f = &frames_at.table[idx];
	if (!f)
		__builtin_unreachable();
	return f;
}

/* The descriptor of the frame i places above frames_ram_base, i below
 * the frames there are (frames_ram_end): frame_desc without its checks,
 * for a caller that keeps frames by index and bounds i itself (reclaim's
 * looks, ~10 instructions a frame looked at). */
static inline struct frame *frame_desc_at(uint32_t i)
{
	return &frames_at.table[i];
}

/* The frame's contents, through the window. */
static inline void *frame_ptr(uint64_t pa)
{
	return frames_at.window + (pa - frames_at.base);
}

/* The frame whose contents start at p (frame_ptr's): its address. */
static inline uint64_t frame_pa(const void *p)
{
	return frames_at.base + (uint64_t)((const uint8_t *)p - frames_at.window);
}

uint64_t frames_total(void);	/* frames the pager manages (free or allocated) */
uint64_t frames_free(void);
uint64_t frames_ram_base(void);	/* RAM [base, end), to walk every descriptor */
uint64_t frames_ram_end(void);
/* Every descriptor, in address order from frames_ram_base (*n of them):
 * read-only, for walks over every frame (the checker). */
const struct frame *frames_table(uint64_t *n);
/* Bytes of descriptor per frame (printed at boot). */
unsigned frames_descriptor_size(void);

/* 0 if the free list, the states and the counts agree and no bad free was
 * attempted; otherwise -1 and frames_error() says what is wrong. */
int frames_check(void);
const char *frames_error(void);

#endif
