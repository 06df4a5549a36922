/*
 * The virtio-blk device's side of the contract (virtio 1.x, 5.2): its
 * feature bits, its configuration space, and the request header and status
 * byte that start and end every request chain.
 */
#ifndef DRIVERS_VIRTIO_BLK_HW_H
#define DRIVERS_VIRTIO_BLK_HW_H

#include <stdint.h>

#define VIRTIO_ID_BLOCK 2

#define VIRTIO_BLK_F_SIZE_MAX 1		/* feature bit: size_max is valid */
#define VIRTIO_BLK_F_SEG_MAX 2		/* feature bit: seg_max is valid */
#define VIRTIO_BLK_F_RO 5		/* feature bit: the disk is read-only */

#define VIRTIO_BLK_CFG_CAPACITY 0	/* config offset: u64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8	/* config offset: u32, bytes per segment */
#define VIRTIO_BLK_CFG_SEG_MAX 12	/* config offset: u32, segments per request */

enum virtio_blk_type {
	VIRTIO_BLK_T_IN = 0,		/* read: disk to memory */
	VIRTIO_BLK_T_OUT = 1		/* write: memory to disk */
};

/* First buffer of a request chain; the device reads it. */
struct virtio_blk_hdr {
	uint32_t type;			/* enum virtio_blk_type */
	uint32_t reserved;		/* 0 */
	uint64_t sector;		/* first 512-byte sector */
};

/* The one byte the device writes last in a request chain. */
enum virtio_blk_status {
	VIRTIO_BLK_S_OK = 0,
	VIRTIO_BLK_S_IOERR = 1,
	VIRTIO_BLK_S_UNSUPP = 2,
	VIRTIO_BLK_S_UNSET = 0xff	/* ours: what we preset, so a device
					 * that never wrote it is an error */
};

#endif
