/*
 * A batch of victims on its way to swap, the steps out.c lends the
 * swap-out thread (writer.c): drop the clean ones, give the others slots,
 * settle them after the write. Inside the swap engine only.
 */
#ifndef PAGER_SWAP_OUT_BATCH_H
#define PAGER_SWAP_OUT_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "swap/backend.h"
#include "swap/swap.h"

/* Direct reclaim's batches (SWAP_OUT_BATCH) are smaller than the swap-out
 * thread's: its thread waits. */
#define WRITE_BATCH SWAP_WRITE_BATCH

/* One batch of victims on its way to the device. */
struct write_batch {
	struct swap_req v[WRITE_BATCH];
	size_t n;
	int err[WRITE_BATCH];
	int at_floor;	/* started with no frame free above the reserve */
};

/* pa was not evicted after all: back to the replacement policy. */
void swap_batch_put_back(uint64_t pa);
/* Reclaim's last look at victims b->v[from..], queued a while ago, taken
 * with their write protection in one harvest (vm_frames_protect_look):
 * one referenced while it waited goes back to the policy, writable again
 * (counted in swapout_rescued); the others stay in b, in order, write-
 * protected, and sealed if they hold a clean copy. A write after the
 * harvest faults and marks its page written since. */
void swap_batch_look(struct write_batch *b, size_t from);
/* The victims b->v[from..] whose copy is valid (or the program file's)
 * dropped without I/O, the others left in b in order. sealed: a look
 * sealed them (swap_batch_look); else their copies are sealed here first.
 * Frames freed. */
size_t swap_batch_drop_clean(struct write_batch *b, size_t from, int sealed);
/* Slots for b's victims, each write-protected (unless is_protected: a
 * look did it) and tied to its slot; those left without one go back to
 * the policy, writable again. How many will be written. */
size_t swap_batch_prepare(struct write_batch *b, int is_protected);
/* After the write: each page evicted, kept, or freed. Frames freed. */
size_t swap_batch_finish(struct write_batch *b);

#endif
