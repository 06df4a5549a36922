/*
 * The virtio-blk backend's request building: a batch of pages becomes as
 * few block requests as their slots allow. Plain C, host-tested.
 */
#ifndef PAGER_SWAP_BLK_MERGE_H
#define PAGER_SWAP_BLK_MERGE_H

#include <stdint.h>
#include "drivers/blk_protocol.h"
#include "swap/backend.h"

/*
 * Turn pages r[0..n) into block requests, in order: a run of pages whose
 * slots follow one another (r[i + 1].slot == r[i].slot + 1) becomes one
 * request of up to max_pages pages (1..BLK_MAX_PAGES: what the driver
 * takes) starting at sector r[i].slot * 8; a gap, a repeated slot or a
 * full request starts the next. A request's list is the index in r of its
 * first page: with the frames r[k].pa at page list entries base + k, the
 * caller adds base. write: 1 frames to disk, 0 disk to frames. Tags and
 * notify are left 0 for the caller to assign. Fills at most max_out
 * requests; returns how many, and *consumed (if not NULL) says how many of
 * r they cover (n unless out[] ran out).
 */
uint32_t swap_merge(const struct swap_req *r, uint32_t n, int write, uint32_t max_pages,
		    struct blk_request *out, uint32_t max_out, uint32_t *consumed);

#endif
