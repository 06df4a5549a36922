/*
 * The virtio-net device's side of the contract (virtio 1.x, 5.1): its
 * feature bits, its configuration space, its queues and the header that
 * starts every packet buffer in both directions.
 */
#ifndef DRIVERS_VIRTIO_NET_HW_H
#define DRIVERS_VIRTIO_NET_HW_H

#include <stdint.h>

#define VIRTIO_ID_NET 1

#define VIRTIO_NET_F_MAC 5		/* the config space holds the MAC address */
#define VIRTIO_NET_F_STATUS 16		/* the config space holds the link status */

#define VIRTIO_NET_CFG_MAC 0		/* config offset: 6 bytes */
#define VIRTIO_NET_CFG_STATUS 6		/* config offset: u16, bit 0 link up */

#define VIRTIO_NET_RXQ 0		/* receiveq1 */
#define VIRTIO_NET_TXQ 1		/* transmitq1 */

/* First bytes of every buffer, both ways. With VIRTIO_F_VERSION_1 it is
 * always 12 bytes (num_buffers included). We offer no checksum or
 * segmentation offload, so on transmit it is all zeros. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define VIRTIO_NET_HDR_BYTES 12
_Static_assert(sizeof(struct virtio_net_hdr) == VIRTIO_NET_HDR_BYTES, "virtio-net header");

#endif
