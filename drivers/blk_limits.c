/*
 * A request's shape (blk_limits.h). Linux's virtio_blk likewise caps its
 * segments at seg_max and the queue size less two, and a segment at
 * size_max; here a segment never spans two pages, since the pager's frames
 * need not be contiguous.
 */
#include <errno.h>

#include "blk_limits.h"
#include "blk_protocol.h"
#include "blk_request.h"

/* Descriptors of a chain that are not data: the header and the status. */
#define CHAIN_EXTRA 2u

int blk_shape_for(const struct blk_device_limits *d, struct blk_shape *out)
{
	unsigned seg_bytes = BLK_PAGE_SIZE, segs, pages;

	if (d->has_size_max && d->size_max < BLK_PAGE_SIZE)
		seg_bytes = d->size_max / BLK_SECTOR * BLK_SECTOR;
	if (seg_bytes == 0 || d->queue_size <= CHAIN_EXTRA)
		return -ENODEV;
	segs = d->queue_size - CHAIN_EXTRA;
	if (d->has_seg_max && d->seg_max < segs)
		segs = d->seg_max;
	out->seg_bytes = seg_bytes;
	out->segs_per_page = (BLK_PAGE_SIZE + seg_bytes - 1) / seg_bytes;
	pages = segs / out->segs_per_page;
	if (pages == 0)
		return -ENODEV;
	out->max_pages = pages < BLK_MAX_PAGES ? pages : BLK_MAX_PAGES;
	return 0;
}
