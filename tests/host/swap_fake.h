/*
 * A fake swap engine for the VM core's host tests: struct vm_swap_ops over
 * a table of malloc'd pages with a reference count per slot, tying the
 * frames it reads through the VM core's swap cache as the pager's engine
 * does, and a reclaim hook (vm_set_reclaim) that evicts or gives frames
 * back as told. Knobs make reads fail, let the lock go (as the pager's
 * do) and then go unsent, or skip the tie.
 */
#ifndef TESTS_HOST_SWAP_FAKE_H
#define TESTS_HOST_SWAP_FAKE_H

#include <stddef.h>
#include <stdint.h>
#include "vm_fake.h"

#define NSLOT 40	/* 8 of them the write-out tests' (SWAP_FAKE_WRITE_SLOT) */

struct fake_swap {
	uint8_t *disk[NSLOT];	/* a slot's contents while it is allocated */
	int refs[NSLOT];	/* the allocation's own reference + page entries */
	unsigned reads, dups, puts, reclaims;
	unsigned read_manys, many_pages;	/* read_many calls, and the pages of the last */
	unsigned many_runs;	/* the last read_many's runs of consecutive slots */
	unsigned ahead;		/* slots offered to read_further since the last read_many */
	uint32_t ahead_first;	/* the first of them */
	uint32_t refuse;	/* read_further leaves these (bit k: its slots[k]) */
	int thread_reads;	/* read_further reads what it takes at once, into
				 * the cache as read ahead, as the swap-in thread
				 * would (0: it reads nothing) */
	int fail_read;		/* reads fail */
	uint64_t fail_slots;	/* reads of these slots fail (bit s: slot s),
				 * with the lock let go: a device request
				 * failing, its pages only */
	int fail_many;		/* read_many fails */
	int no_tie;		/* reads do not tie the frame to the slot */
	int unlock;		/* reads let the pager lock go, as the pager's do */
	int unsent;		/* such reads are never sent (no memory to send
				 * them): frames freed, the fault short of memory */
	/* Called once by such a read, as another pager thread might act while
	 * the lock is free (a process's exit), then cleared. */
	void (*while_unlocked)(void);
	unsigned waits;		/* wait calls (a fault met a frame being read) */
	uint64_t victim;	/* reclaim evicts this frame first, once */
	uint64_t hog[FAKE_FRAMES];	/* frames taken away; reclaim gives some back */
	size_t nhog, give;	/* give: frames each reclaim frees from hog[] */
};

extern struct fake_swap sw;

/* One page per read. */
extern const struct vm_swap_ops sw_ops;
/* The same device, able to read several slots at once (read_many). */
extern const struct vm_swap_ops sw_ra_ops;
/* The first device, keeping a page read back tied to its slot while clean,
 * as the pager's does while slots are plentiful. */
extern const struct vm_swap_ops sw_keep_ops;

/* A fresh VM core (fake_setup, fault-around 0) with this device (sw_ops),
 * its reclaim hook and a swap cache for its slots. */
void swap_fake_setup(void);
/* The VM core again, with this fault-around, nothing in use (the slots
 * stay as they are). */
void swap_fake_restart(unsigned faultaround);
/* Every space must be gone: no slot may be left. */
void swap_fake_teardown(void);
/* The same, as a cmocka teardown. */
int swap_fake_group_teardown(void **state);
/* swap_fake_setup with the device that keeps copies (sw_keep_ops), as a
 * cmocka setup. */
int swap_fake_keep_setup(void **state);

/* A free slot with its allocation's reference, the lowest one, always
 * below SWAP_FAKE_WRITE_SLOT; 0 if there is none. */
uint32_t swap_fake_slot_alloc(void);
/* Write pa out and evict it as the pager's engine does: a new slot with
 * its own reference, the frame tied to it and unmapped while it is written
 * (vm_frames_unmap), untied when the write is over, every entry converted,
 * the own reference dropped; then the frame is freed, or kept in the swap
 * cache (keep). Returns the slot. */
uint32_t swap_out(uint64_t pa, int keep);
/* A one-page anonymous region at va in s holding swap_fake_fill(v), sent
 * out (swap_out), then read back by a read fault (with sw_keep_ops, its
 * frame holds the slot as a clean copy); its slot in *slot, its frame
 * returned. */
uint64_t swap_fake_read_back(struct vm_space *s, uint64_t va, uint8_t v, uint32_t *slot);

/* Slots from here up are the write-out tests' (nothing is written to
 * them), never handed out by swap_fake_slot_alloc. */
#define SWAP_FAKE_WRITE_SLOT (NSLOT - 8)
/* pa[0..n) (n <= 8) unmapped for their write-out as the swap engine does
 * it: each tied first to slot SWAP_FAKE_WRITE_SLOT + k, the tie that says
 * its write is in flight (vm_frames_unmap's contract). */
void swap_fake_unmap_for_write(const uint64_t *pa, size_t n);
/* pa's write is over and the page stays in memory holding no copy, as
 * the swap engine's settle_write keeps one written to since, or whose
 * write failed, or that a fault kept with no copy to hold (copies not
 * kept, or a shared object's frame): its slot untied, then its write
 * state ended (vm_frame_write_end's answer); a frame let go during the
 * write (parked) is freed, as the engine frees it. The engine's other
 * branch, a clean page a fault kept holding its slot as its clean copy
 * (swapcache_keep_written), is not modelled here: test_swap_engine.c
 * tests it through the engine itself. */
int swap_fake_write_over(uint64_t pa);

/* Fill the page at va in s as a program would (fake_poke), a byte every
 * 512 from v up; swap_fake_expect_fill: the page holds what that wrote. */
void swap_fake_fill(struct vm_space *s, uint64_t va, uint8_t v);
void swap_fake_expect_fill(struct vm_space *s, uint64_t va, uint8_t v);

/* vm_check, the fake's mappings, and the device's references against the
 * VM core's swap_entries counter and the frames that hold slots. */
void swap_fake_check(void);

#endif
