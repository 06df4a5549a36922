/*
 * Turning a batch of pages into virtio-blk requests: consecutive slots
 * merge into one multi-page transfer, so a cluster of evictions becomes a
 * few large sequential writes. Plain C, host-tested.
 */
#include <string.h>
#include "swap/blk_merge.h"
#include "swap_header.h"

/* Requests from r[i] on that one block request can carry: consecutive
 * slots, no more than max_pages, within n. A pointer walk (the step runs
 * for every page of every transfer). */
static uint32_t run_length(const struct swap_req *r, uint32_t i, uint32_t n, uint32_t max_pages)
{
	const struct swap_req *end = r + (n - i < max_pages ? n : i + max_pages);
	const struct swap_req *q = r + i + 1;

	while (q < end && q->slot == q[-1].slot + 1)
		q++;
	return (uint32_t)(q - (r + i));
}

uint32_t swap_merge(const struct swap_req *r, uint32_t n, int write, uint32_t max_pages,
		    struct blk_request *out, uint32_t max_out, uint32_t *consumed)
{
	uint32_t i = 0, made = 0;

	if (max_pages < 1 || max_pages > BLK_MAX_PAGES)
		max_pages = max_pages < 1 ? 1 : BLK_MAX_PAGES;
	while (i < n && made < max_out) {
		uint32_t len = run_length(r, i, n, max_pages);
		struct blk_request *b = &out[made++];

		memset(b, 0, sizeof(*b));
		b->write = write ? 1 : 0;
		b->sector = (uint64_t)r[i].slot * SWAP_SECTORS_PER_SLOT;
		b->npages = len;
		b->list = i;
		i += len;
	}
	if (consumed)
		*consumed = i;
	return made;
}
