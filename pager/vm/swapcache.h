/*
 * The swap cache: the one module that reads and writes the tie between a
 * swap slot and the frame holding its contents (frame.swap and the table
 * by slot), and a frame's swap state (enum frame_flags: being read, being
 * written, holding a clean copy's slot, fresh from a read, queued for
 * write-out, detached: struct frame.flags). The VM core, the swap engine
 * and reclaim call these functions; nothing else touches those fields.
 * Plain C.
 */
#ifndef PAGER_VM_SWAPCACHE_H
#define PAGER_VM_SWAPCACHE_H

#include <stdint.h>
#include "vm/frames.h"
#include "vm/rmap.h"

/* A frame's swap state, in struct frame.flags: set only in swapcache.c;
 * here so that swapcache_reclaimable and swapcache_desc_reclaimable,
 * asked of every frame reclaim looks at, read them inline. */
enum frame_flags {
	/* Taken out of every mapping and page array (vm_evict,
	 * vm_unmap_frame_everywhere) or being read: the swap code's until it
	 * frees it or the VM core maps it again. */
	FRAME_F_DETACHED = 1,
	/* Being written out, or sealed before a clean copy is dropped: no
	 * mapping is writable (a victim's are out of the page tables, unmapped
	 * at choice, until a fault brings them back read-only or the write's
	 * end as they should be), and new ones are made read-only. */
	FRAME_F_WRITE_PROTECT = 2,
	/* Written while it was being written out: the copy going to swap is
	 * stale, and vm_evict refuses it. */
	FRAME_F_DIRTIED = 4,
	/* Chosen by background reclaim and waiting in the swap-out queue; gone
	 * if the frame is freed meanwhile (frame_free resets the flags). */
	FRAME_F_QUEUED = 8,
	/* Being filled from its tied slot with the pager lock let go (also
	 * detached): a fault that finds it waits for the read. */
	FRAME_F_READING = 16,
	/* Read back by a fault and not mapped since: the fault that maps it
	 * counts the read (a major fault), not a cache hit. Reclaim leaves it
	 * to that fault's retry (swapcache_desc_parked_clean). */
	FRAME_F_FRESH = 32,
	/* Holds one reference to its tied slot, whose copy of it is still
	 * valid: a private page brought back and not written since (mapped
	 * read-only, or writable with its dirty bit clear: vm_harvest). Reclaim
	 * drops it without a write. */
	FRAME_F_SLOT_HELD = 64,
	/* Read ahead of its fault (a window's page, or the swap-in thread's)
	 * and not mapped since: a fault that finds it is a readahead hit. */
	FRAME_F_AHEAD = 128
};
/* In the swap code's hands (swapcache_busy). */
#define FRAME_F_BUSY (FRAME_F_DETACHED | FRAME_F_WRITE_PROTECT | FRAME_F_QUEUED | FRAME_F_READING)

/* pa's descriptor if it is a process page (the only kind with swap
 * state), else NULL; and whether pa has any of bits. Here for this
 * header's inline answers and swapcache.c alike. */
static inline struct frame *swapcache_anon(uint64_t pa)
{
	struct frame *f = pa ? frame_desc(pa) : NULL;

	return f && f->state == FRAME_ANON ? f : NULL;
}
static inline int swapcache_has(uint64_t pa, unsigned bits)
{
	const struct frame *f = frame_desc(pa);

	return f && (f->flags & bits);
}

/* --- the tie --- */

/* A table for slots 1 .. last (swap coming up), empty: 0 or -1. */
int swapcache_init(uint32_t last);
/* The bytes swapcache_init(last) takes (the swap area's budget counts
 * them before any table is made: swap/budget.h). */
uint64_t swapcache_bytes(uint32_t last);
/* No table, no ties (the VM core starting over). */
void swapcache_reset(void);
/* The last slot of the table (0: none). */
uint32_t swapcache_last_slot(void);
/* The frame tied to slot, or 0. A frame freed since is never returned. */
uint64_t swapcache_lookup(uint32_t slot);
/* The slot pa is tied to, or 0. */
uint32_t swapcache_slot(uint64_t pa);
int swapcache_tied(uint64_t pa);
/* swapcache_tied for a caller that holds pa's descriptor f (a process
 * page's): no second look for it. */
int swapcache_desc_tied(const struct frame *f, uint64_t pa);
/* pa holds slot's contents from now on: others naming slot find it. */
void swapcache_tie(uint32_t slot, uint64_t pa);
/* slot has no frame any more (reclaim dropped it, its write is over); one
 * read ahead and never found counts as readahead's miss (vm.ra_seen). */
void swapcache_untie(uint32_t slot);
/* pa is about to change: it is no slot's copy any more. */
void swapcache_untie_frame(uint64_t pa);

/* --- page entries naming slots (the swap engine counts them) --- */

/* One more entry names slot (fork, eviction). */
void swapcache_slot_dup(uint32_t slot);
/* One entry names slot no more. The last one unties the slot's frame,
 * which goes if the VM core had only parked it. */
void swapcache_slot_put(uint32_t slot);
/* 1 if f's frame is parked: an anonymous frame the VM core keeps only for
 * the entries of the slot it is tied to (no mapping, no shared object, not
 * detached for the swap code); vm_frame_parked asks it of pa. A parked
 * frame that is no longer tied is nobody's: the swap code frees it. Inline,
 * as the three after it: reclaim asks them of its candidates, most of them
 * mapped pages, whose answer is in the descriptor. */
static inline int swapcache_desc_parked(const struct frame *f)
{
	return !f->mapcount && !f->obj && !(f->flags & FRAME_F_DETACHED);
}
static inline int vm_frame_parked(uint64_t pa)
{
	const struct frame *f = swapcache_anon(pa);

	return f && swapcache_desc_parked(f);
}
/* Parked and holding its slot's contents, with no I/O about it: reclaim
 * may free it without any write. One look at the descriptor for all
 * three answers. Not a frame written during its write-out and let go
 * since: still tied to that write's slot (swapcache_written), it holds
 * none of its contents and the device may still be reading it (no
 * caller meets one today: such a frame is in no list until the write's
 * end frees it). DIRTIED is not BUSY, as it can outlive its write. Nor a
 * fresh one, which its fault's retry is about to map: freed before, it
 * would be read again and its read counted twice for one major fault
 * (the retry's rmap_reserve, or an out-of-memory map's reclaim, may
 * reclaim). It is reclaimable once claimed, or once its fault gave it up
 * (swapcache_unfresh); the last entry naming its slot frees it anyway. */
static inline int swapcache_desc_parked_clean(const struct frame *f, uint64_t pa)
{
	return swapcache_desc_parked(f) &&
	       !(f->flags & (FRAME_F_BUSY | FRAME_F_DIRTIED | FRAME_F_FRESH)) &&
	       swapcache_desc_tied(f, pa);
}
static inline int swapcache_parked_clean(uint64_t pa)
{
	const struct frame *f = swapcache_anon(pa);

	return f && swapcache_desc_parked_clean(f, pa);
}
/* Reclaim may take pa now: a parked clean copy (freed without I/O), or a
 * process page the swap code has no hand in (evictable: mapped or in an
 * object, in no pinned space; not busy, nor a fault's copy source
 * kept: swapcache_keep_source). Reclaim asks it of every frame
 * its policy looks at (~6.6 times a page swapped out), so the common case,
 * a mapped page, is one look at the descriptor, inline; a frame with no
 * mapping and no object is asked whether it is a parked clean copy, from
 * the same look. swapcache_desc_reclaimable: for pa's descriptor f, which
 * a caller holding frames by index has at hand (frame_desc_at). */
static inline int swapcache_desc_reclaimable(const struct frame *f, uint64_t pa)
{
	if (f->state != FRAME_ANON)
		return 0;
	if (!f->mapcount && !f->obj)
		return swapcache_desc_parked_clean(f, pa);
	return !(f->flags & (FRAME_F_BUSY | FRAME_F_FRESH)) && !f->copy_keeps &&
	       !frame_pinned(f);
}
static inline int swapcache_reclaimable(uint64_t pa)
{
	const struct frame *f = pa ? frame_desc(pa) : NULL;

	return f && swapcache_desc_reclaimable(f, pa);
}

/* --- clean copies --- */

/* A page entry that named slot now names pa (tied to slot): pa takes over
 * the entry's reference and keeps slot as its clean copy, if the swap
 * engine keeps copies. 1 if it did (the caller then does not put slot). */
int swapcache_hold(uint32_t slot, uint64_t pa);
/* pa, tied to slot, was just written there (its write-out's allocation
 * holding slot's one reference) and is kept in memory: it takes that
 * reference and keeps slot as its clean copy, if the swap engine keeps
 * copies and pa is a private page's (a shared object's frame keeps none).
 * 1 if it did (the caller then does not put slot nor untie it). */
int swapcache_keep_written(uint32_t slot, uint64_t pa);
/* pa's contents are about to change, or it leaves its mappings: the slot
 * reference it holds, if any, goes (the slot may be untied then). */
void swapcache_drop_hold(uint64_t pa);
static inline int swapcache_held(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_SLOT_HELD);
}
/* pa, holding its slot as a clean copy, was (or may have been) written:
 * the copy is stale, so the hold and the tie go. 1 if it held one. */
int swapcache_forget_copy(uint64_t pa);

/* --- reading --- */

/* pa is about to be filled from slot, the lock let go: tied, detached,
 * marked reading. */
void swapcache_read_begin(uint32_t slot, uint64_t pa);
/* The read is over: pa stays tied and parked (fresh if its fault's own
 * page, else read ahead) if it worked and some entry still names slot; else it is
 * untied and freed. 1 if it stays. */
int swapcache_read_end(uint32_t slot, uint64_t pa, int ok, int fresh);
/* The read failed and the device may still write into pa (its driver
 * ended with the read in flight): untied as a failed read is, but kept out
 * of use for good (frame_retire), never freed. */
void swapcache_read_lost(uint32_t slot, uint64_t pa);
int swapcache_reading(uint64_t pa);
int swapcache_fresh(uint64_t pa);
/* Read ahead of its fault (in a fault's window, or by the swap-in thread)
 * and not mapped since. */
int swapcache_ahead(uint64_t pa);
/* The VM core maps pa again: no longer detached or fresh. 1 if it was
 * fresh (its first mapping counts the read). */
int swapcache_claim(uint64_t pa);
/* The fault that read slot's page into pa, fresh, is over without mapping
 * it (its retry failed, or was never made): if pa is still that, it is a
 * parked clean copy from now on, which reclaim may take, and a fault that
 * maps it later finds it in the cache. */
void swapcache_unfresh(uint32_t slot, uint64_t pa);
/* Mapped pa, the page a copy-on-write write copies, is kept from reclaim
 * (on 1) while the copy's frame is allocated, or is not any more (0).
 * Freed by that reclaim, the source would leave the fault to read it again
 * and retry; were it the one frame reclaim could free (every other
 * victim's write refused), that retry would repeat for ever, where kept the
 * allocation fails and the fault goes the out-of-memory way. Not the fresh
 * mark: another fault that maps pa from the swap cache meanwhile found it
 * there (a cache hit), it did not read it. Today the fault holds the
 * pager's lock through the allocation (direct reclaim writes with it held,
 * swap/out.c), so no other thread runs between the two calls; a count, not
 * a flag, and private.c's check after the allocation keep this right
 * should an allocation ever wait with the lock let go: two sharers' writes
 * copying one source at once, the first to end must not let the other's
 * go; a munmap meanwhile leaves the end to take its keep back all the same
 * (another space may map pa again from the cache); a frame freed meanwhile
 * loses its count with the rest of its descriptor, and if reused and kept
 * by another fault since, that keep would end early. */
void swapcache_keep_source(uint64_t pa, int on);

/* --- writing --- */

/* pa is (on 1) or is no longer (on 0) being written out; either way not
 * dirtied. The mappings' permissions are the caller's (vm_frames_unmap,
 * vm_frames_seal, vm_frame_write_end). */
void swapcache_set_writing(uint64_t pa, int on);
int swapcache_writing(uint64_t pa);
/* Whether pa's write-out is in flight and its result still trusted: being
 * written (the mark), tied to the slot it is written to, holding no copy.
 * The engine ties a victim before it unmaps it and, at the write's end,
 * unties it or has it hold the slot; a write during the write clears the
 * mark, so a frame written meanwhile answers 0 though its tie stays to the
 * end. The mark is needed beside the tie: a frame read back is tied too.
 * The hold is needed for a frame left marked after its write (the mmu
 * refused it a map-back or its write permission at the end) that holds
 * its clean copy: that write is over. */
int swapcache_write_in_flight(uint64_t pa);
/* Whether pa's tie is its write-out's own, which no page entry shares
 * (the slot gets entries only at eviction): tied, holding no copy, and
 * marked being written or dirtied (written during the write-out, which
 * unmarks it and keeps the tie: swapcache_written; the write's end
 * unties it, then clears both). No shared tie answers 1: a frame read
 * back is tied but neither marked nor dirtied, a seal marks only a frame
 * holding its slot (excluded) or its program file's copy (tied by its
 * own write-out alone), and a new write-out ties its victim to the new
 * slot before marking it. Asked before a hold is dropped: a
 * sealed frame that held its slot is no write-out's, whatever tie the
 * drop leaves. swapcache_write_in_flight is the marked half of it. */
int swapcache_write_own_tie(uint64_t pa);
/* Written during its write-out: the write is stale. A copy pa holds
 * goes with its tie; the tie of a write still in flight (unheld) stays
 * until that write's end, which then keeps pa with no copy. */
void swapcache_written(uint64_t pa);
int swapcache_dirtied(uint64_t pa);
/* pa left every mapping for the swap code (detach): detached, its held
 * reference gone, its write state over. */
void swapcache_detach(uint64_t pa);
int swapcache_detached(uint64_t pa);

/* --- queued for write-out --- */

void swapcache_mark_queued(uint64_t pa);
/* 1 if pa was still queued (not freed since), which it is no longer. */
int swapcache_take_queued(uint64_t pa);
int swapcache_queued(uint64_t pa);

/* In the swap code's hands: detached, being read or written, or queued.
 * Neither reclaim nor the discard path may take it. */
int swapcache_busy(uint64_t pa);
/* The state bits (enum frame_flags in swapcache.c; 0: none), for the
 * checker and the tests; the second reads them from a descriptor the
 * checker already has, in its walk over every frame. */
unsigned swapcache_flags(uint64_t pa);
/* The swap cache's own invariants for anonymous frame pa (descriptor f)
 * that n rmap entries map: NULL if they hold, else what is broken (for
 * vm_check, which calls it for every such frame, so it reads f directly). */
const char *swapcache_check_frame(uint64_t pa, const struct frame *f, uint64_t n);
static inline unsigned swapcache_frame_flags(const struct frame *f)
{
	return f->flags;
}

#endif
