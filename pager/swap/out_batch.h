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
/* The victims b->v[from..] whose copy is valid (or the program file's)
 * dropped without I/O (their copies sealed first: vm_frames_seal), the
 * others left in b in order. Frames freed. */
size_t swap_batch_drop_clean(struct write_batch *b, size_t from);
/* Slots for b's victims, each tied to its slot and then taken out of its
 * mappings (unmapped at choice: vm_frames_unmap); those left without one
 * go back to the policy, untouched. How many will be written. */
size_t swap_batch_prepare(struct write_batch *b);
/* After the write: each page evicted, kept, or freed. Frames freed. */
size_t swap_batch_finish(struct write_batch *b);

#endif
