/*
 * The pager's requests, out of a submit message (its data, or one in its
 * words) and checked (blk_request.h). The driver trusts the frames' physical
 * addresses (only the pager holds its endpoint) but not their shape: a
 * request reaching past the disk or the page list, or into half a page, is
 * refused.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "blk_request.h"

_Static_assert(BLK_LIST_ENTRIES * sizeof(uint64_t) == BLK_PAGE_SIZE,
	       "the page list is one page of physical addresses");

int blk_batch_count(uint32_t len)
{
	if (len == 0 || len % sizeof(struct blk_request) != 0)
		return -EINVAL;
	return (int)(len / sizeof(struct blk_request));
}

/* A message's n requests into batch (msg data is bytes, not typed for it).
 * data[] starts on a doubleword (struct msg's words come before it), so a
 * copy of one request's constant size is a few doubleword moves, where the
 * guest libc's memcpy goes a byte at a time (~6 instructions a byte, for
 * every read and write request). Both ends are said to be aligned: GCC
 * does not take a pointer's type for its alignment, and calls memcpy. */
_Static_assert(offsetof(struct msg, data) % _Alignof(struct blk_request) == 0,
	       "requests in msg data are aligned");
static void copy_requests(struct blk_request *batch, const uint8_t *data, unsigned n)
{
	struct blk_request *dst = __builtin_assume_aligned(batch, _Alignof(struct blk_request));
	const uint8_t *src = __builtin_assume_aligned(data, _Alignof(struct blk_request));

	for (unsigned i = 0; i < n; i++)
		memcpy(&dst[i], src + i * sizeof(*dst), sizeof(*dst));
}

/* The label and max are the caller's (blk_request.h): its dispatch, where
 * the message comes in, lets only the two submit labels reach here, and
 * batch is its own array. What the message says of itself is checked. */
int blk_submit_requests(const struct msg *m, struct blk_request *batch, unsigned max)
{
	if (m->label == BLK_SUBMIT_ONE) {
		if (m->len != 0)
			return -EINVAL;
		copy_requests(batch, (const uint8_t *)m->w, 1);
		return 1;
	}
	int n = blk_batch_count(m->len);

	if (n < 0 || (unsigned)n > max)
		return -EINVAL;
	copy_requests(batch, m->data, (unsigned)n);
	return n;
}

/* Whether npages pages from sector fit on the disk, without overflow. */
static bool within_disk(uint64_t sector, uint32_t npages, uint64_t capacity)
{
	uint64_t sectors = (uint64_t)npages * BLK_SECTORS_PER_PAGE;

	return sector <= capacity && sectors <= capacity - sector;
}

/* Whether the request's page list entries lie in the list and name whole
 * pages (only the range, for a server with no list: netd has the frames
 * mapped in its window instead). */
static bool pages_valid(const struct blk_request *r, const struct blk_disk *d)
{
	if (r->list >= BLK_LIST_ENTRIES || r->npages > BLK_LIST_ENTRIES - r->list)
		return false;
	if (!d->list)
		return true;
	for (uint32_t i = 0; i < r->npages; i++)
		if (d->list[r->list + i] % BLK_PAGE_SIZE != 0)
			return false;
	return true;
}

int blk_request_check(const struct blk_request *r, const struct blk_disk *d)
{
	if (r->tag >= BLK_TAGS || r->write > 1 || r->notify >= BLK_DONE_NOTES ||
	    r->reserved != 0)
		return -EINVAL;
	if (r->npages < 1 || r->npages > d->shape.max_pages)
		return -EINVAL;
	if (!pages_valid(r, d) || !within_disk(r->sector, r->npages, d->capacity))
		return -EINVAL;
	if (r->write && d->read_only)
		return -EROFS;
	return 0;
}
