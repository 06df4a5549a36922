/*
 * The swap cache (swapcache.h): a table by slot naming the frame that holds
 * the slot's contents, checked against the frame's own record of it
 * (frame.swap), so a frame freed since (its descriptor reset) is never
 * trusted; and each frame's swap state bits.
 */
#include <stdlib.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/rmap.h"
#include "vm/swapcache.h"

static uint64_t *table;		/* [slot]: the frame tied to it, if frame.swap agrees */
static uint32_t last_slot;

uint64_t swapcache_bytes(uint32_t last)
{
	return ((uint64_t)last + 1) * sizeof(*table);
}

int swapcache_init(uint32_t last)
{
	swapcache_reset();
	table = calloc((size_t)last + 1, sizeof(*table));
	if (!table)
		return -1;
	last_slot = last;
	return 0;
}

void swapcache_reset(void)
{
	free(table);
	table = NULL;
	last_slot = 0;
}

uint32_t swapcache_last_slot(void)
{
	return last_slot;
}

/* Clear some of a frame's bits and set others in one step: the swap-out
 * path changes several at once for each page, one descriptor look each. */
static void change(struct frame *f, unsigned clear, unsigned add)
{
	f->flags = (uint8_t)((f->flags & ~clear) | add);
}

static void set(uint64_t pa, unsigned bits, int on)
{
	change(frame_desc(pa), bits, on ? bits : 0);
}

uint64_t swapcache_lookup(uint32_t slot)
{
	uint64_t pa = slot && slot <= last_slot ? table[slot] : 0;
	const struct frame *f = swapcache_anon(pa);

	return f && f->swap == slot ? pa : 0;
}

int swapcache_desc_tied(const struct frame *f, uint64_t pa)
{
	return f->swap && f->swap <= last_slot && table[f->swap] == pa;
}

uint32_t swapcache_slot(uint64_t pa)
{
	const struct frame *f = swapcache_anon(pa);

	return f && swapcache_desc_tied(f, pa) ? f->swap : 0;
}

int swapcache_tied(uint64_t pa)
{
	return swapcache_slot(pa) != 0;
}

void swapcache_tie(uint32_t slot, uint64_t pa)
{
	struct frame *f = swapcache_anon(pa);

	if (!slot || slot > last_slot || !f) {
		vm_note_bug("a slot tied outside the swap cache's table, or to no process page");
		return;
	}
	table[slot] = pa;
	f->swap = slot;
}

/* As swapcache_lookup, the frame trusted only if it names slot too; a
 * frame read ahead and never found is readahead's miss if reclaim took it
 * (judge), not if its last entry went (nothing is known of its use). */
static void untie(uint32_t slot, int judge)
{
	struct frame *f;

	if (!slot || slot > last_slot)
		return;
	if ((f = swapcache_anon(table[slot])) && f->swap == slot) {
		if (judge && (f->flags & FRAME_F_AHEAD)) {
			readahead_judged(&vm.ra_seen, 0);
			vmstat_count(VMSTAT_SWAP_RA_MISS);
		}
		f->swap = 0;
	}
	table[slot] = 0;
}

void swapcache_untie(uint32_t slot)
{
	untie(slot, 1);
}

void swapcache_untie_frame(uint64_t pa)
{
	struct frame *f = swapcache_anon(pa);

	if (!f)
		return;
	if (swapcache_desc_tied(f, pa))
		table[f->swap] = 0;
	f->swap = 0;
}

/* --- page entries naming slots --- */

void swapcache_slot_dup(uint32_t slot)
{
	if (!vm.swap.slot_dup) {
		vm_note_bug("a page names a swap slot, but there is no swap");
		return;
	}
	vm.swap.slot_dup(vm.swap.ctx, slot);
	vmstat_count(VMSTAT_SWAP_ENTRIES);
}

/* One reference to slot goes (the engine counts them); the last unties
 * it. 1 if it did. */
static int put_ref(uint32_t slot)
{
	if (vm.swap.slot_put(vm.swap.ctx, slot) > 0)
		return 0;
	untie(slot, 0);
	return 1;
}

void swapcache_slot_put(uint32_t slot)
{
	uint64_t pa = swapcache_lookup(slot);

	if (!vm.swap.slot_put) {
		vm_note_bug("a page names a swap slot, but there is no swap");
		return;
	}
	vmstat_count_n(VMSTAT_SWAP_ENTRIES, -1);
	if (put_ref(slot) && pa && vm_frame_parked(pa))
		frame_free(pa);
}

/* --- clean copies --- */

/* pa, tied to slot, takes a reference to it as its clean copy: 1, or 0
 * if it holds one already, is not tied to slot, is a shared object's (a
 * copy is a private page's: its entry's reference, given to its frame),
 * or copies are not kept. */
static int take_hold(uint32_t slot, uint64_t pa)
{
	struct frame *f = swapcache_anon(pa);

	if (!f || f->obj || (f->flags & FRAME_F_SLOT_HELD) || f->swap != slot || !vm.swap.keep_copies ||
	    !vm.swap.keep_copies(vm.swap.ctx))
		return 0;
	f->flags |= FRAME_F_SLOT_HELD;
	vmstat_count(VMSTAT_SWAP_COPIES);
	return 1;
}

int swapcache_hold(uint32_t slot, uint64_t pa)
{
	if (!take_hold(slot, pa))
		return 0;
	vmstat_count_n(VMSTAT_SWAP_ENTRIES, -1);	/* the entry's reference is the frame's now */
	return 1;
}

int swapcache_keep_written(uint32_t slot, uint64_t pa)
{
	return take_hold(slot, pa);	/* the allocation's reference is the frame's now */
}

void swapcache_drop_hold(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	if (!f || !(f->flags & FRAME_F_SLOT_HELD))
		return;
	f->flags &= (uint8_t)~FRAME_F_SLOT_HELD;
	vmstat_count_n(VMSTAT_SWAP_COPIES, -1);
	if (!f->swap || !vm.swap.slot_put) {
		vm_note_bug("a frame holds a slot it is not tied to");
		return;
	}
	put_ref(f->swap);	/* may untie: f->swap is 0 then */
}

int swapcache_forget_copy(uint64_t pa)
{
	if (!swapcache_has(pa, FRAME_F_SLOT_HELD))
		return 0;	/* most frames a write or a harvest finds dirty */
	swapcache_drop_hold(pa);
	swapcache_untie_frame(pa);	/* any entry still naming the slot keeps the old copy */
	return 1;
}

const char *swapcache_check_frame(uint64_t pa, const struct frame *f, uint64_t n)
{
	int tied = f->swap && f->swap <= last_slot && table[f->swap] == pa;

	if ((f->flags & FRAME_F_SLOT_HELD) && (!n || f->obj || !tied))
		return "frame holds a slot but is unmapped or not tied to it";
	if ((f->flags & FRAME_F_DETACHED) && (n || f->obj))
		return "detached frame is still mapped or in an object";
	/* Parked: kept for the entries naming the slot the swap cache ties it to. */
	if (!f->mapcount && !f->obj && !(f->flags & FRAME_F_DETACHED) && !tied)
		return "anonymous frame leaked: no mapping, no object, no tie";
	return NULL;
}

/* --- reading --- */

void swapcache_read_begin(uint32_t slot, uint64_t pa)
{
	swapcache_tie(slot, pa);
	set(pa, FRAME_F_READING | FRAME_F_DETACHED, 1);
}

int swapcache_read_end(uint32_t slot, uint64_t pa, int ok, int fresh)
{
	int tied = swapcache_lookup(slot) == pa;

	set(pa, FRAME_F_READING | FRAME_F_DETACHED, 0);
	if (ok && tied) {
		set(pa, fresh ? FRAME_F_FRESH : FRAME_F_AHEAD, 1);
		return 1;
	}
	if (tied)
		untie(slot, 0);
	frame_free(pa);
	return 0;
}

void swapcache_read_lost(uint32_t slot, uint64_t pa)
{
	set(pa, FRAME_F_READING | FRAME_F_DETACHED, 0);
	if (swapcache_lookup(slot) == pa)
		untie(slot, 0);
	frame_retire(pa);
}

int swapcache_reading(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_READING);
}

int swapcache_fresh(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_FRESH);
}

int swapcache_claim(uint64_t pa)
{
	int fresh = swapcache_fresh(pa);

	set(pa, FRAME_F_DETACHED | FRAME_F_FRESH | FRAME_F_AHEAD, 0);	/* the VM core's again */
	return fresh;
}

void swapcache_unfresh(uint32_t slot, uint64_t pa)
{
	if (pa && swapcache_lookup(slot) == pa)
		set(pa, FRAME_F_FRESH, 0);
}

/* copy_keeps counts one fault a pager thread in four bits (frames.h). */
_Static_assert(PAGER_THREADS_MAX < 16, "copy_keeps holds a keep for every pager thread");

void swapcache_keep_source(uint64_t pa, int on)
{
	struct frame *f = swapcache_anon(pa);

	if (!f)
		return;
	if (on)
		f->copy_keeps++;	/* a fault a pager thread: below 16 (frames.h) */
	else if (f->copy_keeps)
		f->copy_keeps--;
}

int swapcache_ahead(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_AHEAD);
}

/* --- writing --- */

void swapcache_set_writing(uint64_t pa, int on)
{
	change(frame_desc(pa), FRAME_F_WRITE_PROTECT | FRAME_F_DIRTIED,
	       on ? FRAME_F_WRITE_PROTECT : 0);
}

int swapcache_writing(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_WRITE_PROTECT);
}

/* pa's tie is a write-out's (an unheld tie: a held copy's is its own)
 * and one of the flags in any is set; one descriptor look. */
static int write_tie_with(uint64_t pa, unsigned any)
{
	const struct frame *f = swapcache_anon(pa);

	return f && (f->flags & any) && !(f->flags & FRAME_F_SLOT_HELD) &&
	       swapcache_desc_tied(f, pa);
}

int swapcache_write_in_flight(uint64_t pa)
{
	return write_tie_with(pa, FRAME_F_WRITE_PROTECT);
}

int swapcache_write_own_tie(uint64_t pa)
{
	return write_tie_with(pa, FRAME_F_WRITE_PROTECT | FRAME_F_DIRTIED);
}

void swapcache_written(uint64_t pa)
{
	/* A held copy is its write's end (swapcache_keep_written): stale
	 * now, hold and tie go. Unheld, the tie is the write in flight's: it
	 * stays until the write's end unties it (swap_batch_finish), so that
	 * a frame let go meanwhile is parked, not freed under the device. */
	swapcache_forget_copy(pa);
	set(pa, FRAME_F_DIRTIED, 1);
}

int swapcache_dirtied(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_DIRTIED);
}

void swapcache_detach(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	/* The entries hold the slot now. Tested here too: most frames hold
	 * none, and the test saves the call and its second look-up. */
	if (f->flags & FRAME_F_SLOT_HELD)
		swapcache_drop_hold(pa);
	change(f, FRAME_F_WRITE_PROTECT | FRAME_F_DIRTIED, FRAME_F_DETACHED);
}

int swapcache_detached(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_DETACHED);
}

/* --- queued for write-out --- */

void swapcache_mark_queued(uint64_t pa)
{
	set(pa, FRAME_F_QUEUED, 1);
}

int swapcache_queued(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_QUEUED);
}

int swapcache_take_queued(uint64_t pa)
{
	int queued = swapcache_has(pa, FRAME_F_QUEUED);

	set(pa, FRAME_F_QUEUED, 0);
	return queued;
}

int swapcache_busy(uint64_t pa)
{
	return swapcache_has(pa, FRAME_F_BUSY);
}

unsigned swapcache_flags(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f ? f->flags : 0;
}
