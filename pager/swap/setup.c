/*
 * Bringing swap up: the device's first page (read into a frame) checked
 * against the swap-header layout and the area's size against the memory
 * its tables would take (budget.h), then the slots, the swap cache, the
 * queues and the device's own tables; swap is on only once all of them
 * are, with the VM core plugged in. Nothing is made for the area before
 * both checks have passed (nor by the caller's prepare, which comes
 * next), and the device is written only after it has
 * been started (swap_backend_ops' start), the last step.
 */
#include <errno.h>
#include <stdio.h>
#include "base/threads.h"
#include "swap/budget.h"
#include "swap_header.h"
#include "swap/history.h"
#include "swap/internal.h"
#include "swap/slots.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "vm/swapcache.h"
#include "vm/vm.h"

static struct swap_area area;	/* large (the bad-page list): not on the stack */

static const struct vm_swap_ops vm_ops = {
	.read = swap_in_read,
	.slot_dup = swap_slot_ref,
	.slot_put = swap_slot_unref,
	.read_many = swap_in_read_many,
	.wait = swap_in_wait,
	.keep_copies = swap_keep_copies,
	.slot_refs = swap_slot_count,
	.read_further = swap_in_read_further,
};

/* A device smaller than a page has no first page to read: said as such
 * before any read (which the device would refuse). */
static int too_small(const struct swap_backend *b, uint64_t bytes)
{
	if (bytes >= SWAP_PAGE)
		return 0;
	printf("pager: swap: %s is not used and was not written: %s\n", b->where,
	       swap_header_strerror(SWAP_HDR_SMALL_DEVICE));
	return -1;
}

/* The header's read failed (err): why, said. The device gone for good
 * (a network server given up: swap_backend_ops' gone) is not its driver
 * ended, though either fails the read -ENXIO. */
static void header_unread(const struct swap_backend *b, int err)
{
	if (!swap_engine_start_ended() && err == -ENXIO && b->ops->gone && b->ops->gone(b->ctx))
		printf("pager: swap: %s is gone (given up before its first page was read); "
		       "no swap\n", b->where);
	else if (swap_engine_start_ended() || err == -ENXIO || err == SWAP_ERR_STUCK)
		printf("pager: swap: the driver of %s ended before its first page was read; no swap\n",
		       b->where);
	else
		printf("pager: swap: reading the first page of %s failed (%d); no swap\n", b->where,
		       err);
}

/* Read slot 0 (the header page) and check it: 0 and area filled, or -1
 * (said why). */
static int check_header(const struct swap_backend *b, struct pager_thread *t)
{
	struct swap_done done = { 0, { 0 } };
	struct swap_req page = { 0, 0, 0 };
	int read_only = 0, r;
	uint64_t bytes = b->ops->size(b->ctx, &read_only);

	if (too_small(b, bytes) < 0 || !(page.pa = frame_alloc_pinned()))
		return -1;
	r = b->ops->read(b->ctx, t, &page, 1, &done);
	if (r < 0 || done.err[0] != 0) {
		header_unread(b, r < 0 ? r : done.err[0]);
		r = -1;
	} else if ((r = swap_header_check(frame_ptr(page.pa), bytes / 512, &area)) != SWAP_HDR_OK) {
		printf("pager: swap: %s is not used and was not written: %s\n", b->where,
		       swap_header_strerror(r));
		r = -1;
	} else if (read_only) {
		printf("pager: swap: %s is not used and was not written: it is read-only\n",
		       b->where);
		r = -1;
	}
	/* A read the ended driver had handed to the device may still land
	 * in the frame (SWAP_ERR_STUCK): it is never used again. */
	if (r < 0 && done.err[0] == SWAP_ERR_STUCK)
		frame_retire(page.pa);
	else
		frame_free(page.pa);
	return r;
}

/* The history's memory, in the boot report: bounded by the RAM. */
static void print_history(void)
{
	uint32_t nframes;
	size_t bytes = swap_history_bytes(&nframes);

	printf("pager: swap: history of evicted pages: %lu KiB for %lu frames of RAM "
	       "(%lu.%lu bytes per frame; with the policy's own, at most 16)\n", (unsigned long)(bytes + 1023) / 1024,
	       (unsigned long)nframes, (unsigned long)(nframes ? bytes / nframes : 0),
	       (unsigned long)(nframes ? bytes * 10 / nframes % 10 : 0));
}

void swap_reset(void)
{
	vm_set_swap(NULL);
	swap_engine_off();
	swap_transfer_reset();
	swap_history_reset();
	swap_out_reset();
	swap_out_left_reset();
	swap_failing_reset();
	swap_in_reset();
}

/* The header read and checked, and the driver still there: a driver that
 * ended during the read woke it (swap_device_ended), and one that ended
 * just after it is not used. 0, or -1 (said why). */
static int device_checked(const struct swap_backend *b, struct pager_thread *t)
{
	if (check_header(b, t) < 0)
		return -1;
	if (!swap_engine_start_ended())
		return 0;
	printf("pager: swap: the driver of %s ended as swap started; no swap\n", b->where);
	return -1;
}

/* An area whose tables would take more than budget.h's share of memory
 * is refused, said with the largest that would do: -1, or 0. */
static int too_large(const struct swap_backend *b)
{
	uint64_t need = swap_tables_bytes(area.last, b->slot_bytes);
	uint64_t budget = swap_tables_budget(frames_total());

	if (need <= budget)
		return 0;
	printf("pager: swap: %s is not used and was not written: its swap area of %lu MiB "
	       "would need %lu KiB of tables, more than 1/%u of memory (%lu KiB); the largest "
	       "area usable here is %lu MiB\n", b->where,
	       (unsigned long)(((uint64_t)area.last + 1) >> 8), (unsigned long)(need >> 10),
	       SWAP_TABLES_SHARE, (unsigned long)(budget >> 10),
	       (unsigned long)(((uint64_t)swap_tables_last_max(b->slot_bytes, frames_total()) +
				1) >> 8));
	return -1;
}

/* The engine's tables for the area: 0, or -1 (said), with *slots made or
 * NULL and the others perhaps part made: the caller frees them. */
static int tables_made(struct swap_slots **slots)
{
	*slots = swap_slots_create(area.first, area.last, area.bad, area.nbad);
	if (*slots && swapcache_init(area.last) == 0 && swap_history_init() == 0 &&
	    swap_out_init() == 0 && swap_in_init() == 0)
		return 0;
	printf("pager: swap: no memory for the slot tables; no swap\n");
	return -1;
}

/* The device's own tables, and the device told it is taken: 0, or -1
 * (said why). */
static int device_started(const struct swap_backend *b)
{
	int r = b->ops->start ? b->ops->start(b->ctx, area.last) : 0;

	if (r == -ENOMEM)
		printf("pager: swap: no memory for the slot tables; no swap\n");
	else if (r < 0)
		printf("pager: swap: %s could not be started (%d); no swap\n", b->where, r);
	return r < 0 ? -1 : 0;
}

void swap_start(const struct swap_backend *b, struct pager_thread *t, int (*prepare)(void))
{
	struct swap_slots *slots;

	if (swap_on())
		return;
	swap_engine_begin(b);
	if (device_checked(b, t) < 0 || too_large(b) < 0 || (prepare && prepare() < 0)) {
		swap_engine_off();
		return;
	}
	if (tables_made(&slots) < 0 || device_started(b) < 0) {
		swap_slots_destroy(slots);
		swapcache_reset();
		swap_reset();	/* what was made before the failure, freed */
		return;
	}
	vm_set_swap(&vm_ops);
	swap_engine_set(slots);	/* on from here */
	printf("pager: swap: %lu KiB (%lu slots, %u bad) on %s\n",
	       (unsigned long)area.usable * 4, (unsigned long)area.usable, area.nbad, b->where);
	print_history();
}
