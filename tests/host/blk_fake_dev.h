/*
 * A fake virtio-blk device for host tests of drivers/: it takes chains from
 * the available ring, checks their shape, moves data between them and a
 * disk in memory, and returns them on the used ring in an order of its choice.
 */
#ifndef TESTS_BLK_FAKE_DEV_H
#define TESTS_BLK_FAKE_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "virtqueue.h"

/* Physical addresses are host addresses here: the device dereferences them. */
struct fake_blk {
	uint16_t size;
	struct vq_desc *desc;
	struct vq_avail *avail;
	struct vq_used *used;
	uint16_t last_avail;		/* available entries taken */
	uint16_t used_idx;		/* used entries written */
	uint8_t *disk;
	uint64_t capacity;		/* sectors */
	uint64_t fail_sector;		/* a request covering it fails; UINT64_MAX: none */
	uint32_t seg_max;		/* data segments per chain at most (init: size - 2) */
	uint32_t size_max;		/* bytes per segment at most (init: a page) */
	bool skip_status;		/* leave status bytes unwritten */
	bool short_len;			/* say one byte fewer was written than was */
	unsigned malformed;		/* chains of the wrong shape (status UNSUPP) */
	unsigned served;		/* chains taken */
	/* Taken, served, not yet on the used ring: head and bytes written. */
	uint16_t pending[VQ_MAX_SIZE];
	uint32_t pending_len[VQ_MAX_SIZE];
	unsigned npending;
};

void fake_blk_init(struct fake_blk *f, const struct virtqueue *vq,
		   uint8_t *disk, uint64_t capacity);

/* Take and serve up to max published chains; returns how many. */
unsigned fake_blk_fetch(struct fake_blk *f, unsigned max);

/* Put every served chain on the used ring, in order or reversed. */
unsigned fake_blk_retire(struct fake_blk *f, bool reverse);

/* A device of the test's choosing, a step at a time: entry (id, len) on
 * the used ring, any id (a served chain's, or one the driver never gave);
 * served chain k forgotten (returned, or never to be); the index moved by
 * extra entries besides those put (stale ones: a broken device's); and
 * the status byte of the chain at head (NULL if it has no sane shape). */
void fake_blk_put_used(struct fake_blk *f, uint32_t id, uint32_t len);
void fake_blk_forget(struct fake_blk *f, unsigned k);
void fake_blk_publish_used(struct fake_blk *f, uint16_t extra);
uint8_t *fake_blk_status_byte(const struct fake_blk *f, uint16_t head);

#endif
