/*
 * How large one request may be on this device: the virtio-blk segment
 * limits (seg_max, size_max, when the device offers them) and the queue
 * size turned into pages per request and bytes per segment. Plain C with
 * no system calls: host-tested.
 */
#ifndef DRIVERS_BLK_LIMITS_H
#define DRIVERS_BLK_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

/* What the device said: its queue size and, when offered, its limits. */
struct blk_device_limits {
	unsigned queue_size;		/* entries of the request queue */
	bool has_seg_max;		/* VIRTIO_BLK_F_SEG_MAX */
	uint32_t seg_max;		/* segments (data buffers) per request */
	bool has_size_max;		/* VIRTIO_BLK_F_SIZE_MAX */
	uint32_t size_max;		/* bytes per segment */
};

/* The request shape the driver uses on it. */
struct blk_shape {
	unsigned seg_bytes;		/* bytes per segment: a page, or less */
	unsigned segs_per_page;		/* segments one page takes */
	unsigned max_pages;		/* 1..BLK_MAX_PAGES */
};

/* The shape for device d: pages split into segments of at most size_max
 * bytes (a multiple of the sector), as many pages per request as its
 * segment limit, its queue (a header and a status descriptor besides the
 * segments) and BLK_MAX_PAGES allow. 0, or -ENODEV when not even one page
 * fits (a queue of fewer than 3 entries, seg_max 0, size_max < a sector). */
int blk_shape_for(const struct blk_device_limits *d, struct blk_shape *out);

#endif
