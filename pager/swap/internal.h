/*
 * Inside the swap engine: the state its files share (swap.c) and the steps
 * one file lends another. Not for the layers above, which use swap.h.
 */
#ifndef PAGER_SWAP_INTERNAL_H
#define PAGER_SWAP_INTERNAL_H

#include <stdint.h>
#include "swap/backend.h"
#include "swap/swap.h"

struct pager_thread;
struct swap_slots;
struct swap_reclaim_hooks;

/* swap.c: the device in use (set by swap_engine_begin, before its header
 * is read, so that its driver's end wakes that read too) and its slots
 * (set by swap_engine_set, which turns swap on), and the hooks reclaim
 * lent. */
void swap_engine_begin(const struct swap_backend *backend);
/* The driver of the device swap_engine_begin named ended before swap was
 * on: the start must not go on. */
int swap_engine_start_ended(void);
void swap_engine_set(struct swap_slots *slots);
/* The device, for messages ("the disk at 0x10008000"). */
const char *swap_engine_where(void);
/* The device is gone for good: it said so (swap_backend_ops's gone), or
 * its driver ended (swap_device_ended). */
int swap_device_gone(void);
/* The longest the device lets one write stay out from its start, or from
 * the end of the latest outage it lived through (swap_outage_ended: the
 * write is sent again then, and a later outage has a budget of its own):
 * its bound for an unanswered write and the giving up after (backend.h's
 * write_bound_ns and give_up_ns); 0: no bound of its own. */
int64_t swap_write_life_ns(void);
/* When (pager_clock's) the device's latest outage ended, the server back
 * (backend.h's outage_ended); 0: none has, or the device has no outages. */
int64_t swap_outage_ended(void);
/* Swap off, the slots forgotten (swap_reset). */
void swap_engine_off(void);
struct swap_slots *swap_engine_slots(void);
const struct swap_reclaim_hooks *swap_engine_hooks(void);
/* The device in use (transfer.c moves pages through it). */
const struct swap_backend *swap_engine_device(void);

/* transfer.c: move pages p[0..n) (n <= SWAP_IO_MAX) between frames and
 * the device for thread t, and wait: err[k] is page k's result (0, or a
 * negative error).
 * The device's requests are counted. A write t makes holding the lock is
 * left in flight if the device stalls meanwhile (backend.h's collect), or
 * its flush is: then pages whose write is still out, and those written
 * but not flushed, are SWAP_ERR_LEFT, and t transfers nothing more (every
 * page SWAP_ERR_UNSENT) until swap_transfer_collect has collected it. */
void swap_transfer(struct pager_thread *t, int write, const struct swap_req *p, unsigned n,
		   int *err);
/* Whether t has a write (or its flush) left in flight, not yet collected. */
int swap_transfer_left(const struct pager_thread *t);
/* t's write of p[0..n) left in flight, err[] as swap_transfer left them:
 * collected (wait: waited for; else only if over), its pages' results in
 * err: SWAP_ERR_LATE (may still land: its slot is retired), -ENXIO (the
 * device gone), else SWAP_ERR_UNSENT (the page stays, its slot let go:
 * the write is vouched for by no flush). 1 once t has nothing left in
 * flight, 0 if it still has (it left the wait again). Needs no lock. */
int swap_transfer_collect(struct pager_thread *t, const struct swap_req *p, unsigned n, int *err,
			  int wait);
/* The last flush answered failed (and none has worked since): writes the
 * flush left unsent (SWAP_ERR_UNSENT) meet it again if made again now. A
 * flush the link's loss left unvouched (the backend's SWAP_ERR_UNSENT)
 * changes nothing here: it says nothing of the device's flushes. */
int swap_flush_failing(void);
/* No write left in flight by any thread, and no flush known failing
 * (swap_reset). */
void swap_transfer_reset(void);

/* slot_ops.c: the VM core's slot operations (struct vm_swap_ops). */
void swap_slot_ref(void *ctx, uint32_t slot);
int swap_slot_unref(void *ctx, uint32_t slot);
uint32_t swap_slot_count(void *ctx, uint32_t slot);
int swap_keep_copies(void *ctx);

/* Drop a reference to slot (swap_slot_put); the last one frees it, and
 * its history goes with it. The references left, or -1. */
int swap_slot_release(uint32_t slot);

/* in.c: the VM core's reads (struct vm_swap_ops), and the swap-in thread. */
int swap_in_read(void *ctx, uint32_t slot, uint64_t pa);
int swap_in_read_many(void *ctx, const uint32_t *slots, const uint64_t *pa, unsigned n);
uint32_t swap_in_read_further(void *ctx, const uint32_t *slots, unsigned n);
void swap_in_wait(void *ctx, uint32_t slot);
int swap_in_init(void);

/* failing.c: whether the device fails whatever it is given (swap.h's
 * swap_out_failing). A batch's write is over: f its verdict, wrote
 * whether the device wrote any of its pages (which ends the judgement;
 * SWAP_OUT_FAILING without one counts towards it). Lock held. */
void swap_failing_judge(enum swap_out_failure f, int wrote);
/* The device is judged to fail whatever it is given, paused or not: a
 * write it fails now says nothing of the slot, which is let go, not
 * retired. */
int swap_device_failing(void);
/* Nothing judged (swap_reset). */
void swap_failing_reset(void);

/* out.c: the batches emptied (swap_reset). */
void swap_out_left_reset(void);

/* writer.c: the swap-out queues and thread. */
int swap_out_init(void);
/* The queues emptied (swap_reset). */
void swap_out_reset(void);
void swap_in_reset(void);

/* setup.c: swap off and every part of the engine emptied, the VM core's
 * swap ops gone (host tests start over). */
void swap_reset(void);

#endif
