/*
 * A batch's write (out_batch.h): one transfer, then the pages a device
 * error failed in a request of several written again one a request, so
 * that a bad sector retires its own slot only, not every slot its request
 * carried (a 256 KiB request that meets one bad sector fails whole). A
 * write the lock holder left in flight (swap_transfer) is not followed by
 * another.
 */
#include <stdint.h>
#include "base/threads.h"
#include "swap/internal.h"
#include "swap/out_batch.h"
#include "swap/swap.h"

/* Whether page k's failure may be its request's rather than its slot's:
 * the device's own error in a transfer of several pages, and not a
 * verdict that its slot must never be written again (SWAP_ERR_LATE). A
 * request never sent, or lost with its driver, says nothing of any slot
 * and is not sent again here. */
static int failed_with_others(int err)
{
	return swap_err_from_device(err) && err != SWAP_ERR_LATE;
}

_Static_assert(WRITE_BATCH <= UINT8_MAX + 1, "a batch's pages are numbered in a byte");

/* Page v (b's k-th) into again[0..n] (at[]: where each is in b), kept in
 * falling slot order: no page's slot is then one above the one before it,
 * so no two share a device request (backend.h) and each result is its own
 * page's. One transfer for all of them, not one a page: the device sees
 * the same requests either way. */
static void put_falling(struct swap_req *again, uint8_t *at, unsigned n, struct swap_req v,
			size_t k)
{
	for (; n > 0 && again[n - 1].slot < v.slot; n--) {
		again[n] = again[n - 1];
		at[n] = at[n - 1];
	}
	again[n] = v;
	at[n] = (uint8_t)k;
}

void swap_batch_write(struct pager_thread *t, struct write_batch *b)
{
	struct swap_req again[WRITE_BATCH];
	int err[WRITE_BATCH];
	uint8_t at[WRITE_BATCH];	/* a byte each (asserted above) */
	unsigned n = 0;

	b->resent = b->resent_ok = 0;
	swap_transfer(t, 1, b->v, (unsigned)b->n, b->err);
	if (b->n < 2 || swap_device_gone())
		return;
	for (size_t k = 0; k < b->n; k++)
		if (failed_with_others(b->err[k]))
			put_falling(again, at, n++, b->v[k], k);
	if (n == 0)
		return;
	/* An outage began meanwhile: written again now, the lock held (direct
	 * reclaim), the pages would hold every pager thread until it ends
	 * (and with some of the batch left in flight, nothing can be sent).
	 * Which slot failed is not known, so none is retired: the pages are
	 * let go of their slots, as if never sent, and written again later. */
	if ((t == pager_holder() && swap_out_stalled()) || swap_transfer_left(t)) {
		for (unsigned j = 0; j < n; j++)
			b->err[at[j]] = SWAP_ERR_UNSENT;
		return;
	}
	swap_transfer(t, 1, again, n, err);
	b->resent = n;
	for (unsigned j = 0; j < n; j++) {
		b->err[at[j]] = err[j];
		b->resent_ok += err[j] == 0;
	}
}
