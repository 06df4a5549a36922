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

struct pager_thread;

/* Direct reclaim's batches (SWAP_OUT_BATCH) are smaller than the swap-out
 * thread's: its thread waits. */
#define WRITE_BATCH SWAP_WRITE_BATCH

/* One batch of victims on its way to the device. */
struct write_batch {
	struct swap_req v[WRITE_BATCH];
	size_t n;
	int err[WRITE_BATCH];
	int at_floor;	/* started with no frame free above the reserve */
	/* What its write came to (swap_batch_finish): pages the device
	 * failed, of them the slots retired, the first with its error (said
	 * once for the batch), and pages whose write never reached the
	 * device. */
	unsigned failed, retired, unsent;
	/* Of the failed, those whose write may still land (SWAP_ERR_LATE). */
	unsigned late;
	/* Pages a device error failed written again alone, and how many of
	 * those the device wrote (swap_batch_write). */
	unsigned resent, resent_ok;
	uint32_t first_bad;
	int bad_err;
	/* A direct batch whose thread left its write in flight (swap_out_now):
	 * 1 until settled (swap_batch_finish). Whether its write is still out
	 * is the transfer's to say (swap_transfer_left), not kept here too. */
	int left;
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
/* Write b's pages for t and wait (the pager lock held or let go, as t has
 * it): b->err[k] each page's result. Pages the device failed in a request
 * with others are written again one a request (backend.h), so that only
 * slots whose own write fails are retired. A write t left in flight (it
 * holds the lock, and the device stalled: swap_transfer_left) is not
 * followed by another; its pages whose results are not in are
 * SWAP_ERR_LEFT. */
void swap_batch_write(struct pager_thread *t, struct write_batch *b);
/* After the write: each page evicted, kept (back to the policy, as used
 * if it was used during the write: swap_reclaim_hooks's kept), or freed
 * (b->failed, b->retired and b->unsent counted, the slots retired said in
 * one line). Frames freed. */
size_t swap_batch_finish(struct write_batch *b);
/* After swap_batch_finish: how b's writes failed, which the engine's
 * judgement of the device hears (swap_out_failing). */
enum swap_out_failure swap_batch_verdict(const struct write_batch *b);
/* b's victims not written after all (writes held back: swap_out_failing):
 * each back to the policy as it was, none touched. b is emptied. */
void swap_batch_give_back(struct write_batch *b);

#endif
