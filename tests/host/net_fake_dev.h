/*
 * A fake virtio-net device for host tests of drivers/net_ring.c: it fills
 * posted receive buffers with frames the test hands it and takes frames off
 * the transmit queue, checking each chain the way a strict device would.
 */
#ifndef TESTS_NET_FAKE_DEV_H
#define TESTS_NET_FAKE_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "virtqueue.h"

#define FAKE_NET_SENT_MAX 512

struct fake_queue {
	uint16_t size;
	struct vq_desc *desc;
	struct vq_avail *avail;
	struct vq_used *used;
	uint16_t last_avail, used_idx;
};

struct fake_net {
	struct fake_queue rx, tx;
	unsigned malformed;		/* chains of the wrong shape */
	unsigned dropped;		/* frames with no receive buffer posted */
	/* Frames taken off the transmit queue, in order (header stripped). */
	uint8_t *sent[FAKE_NET_SENT_MAX];
	uint32_t sent_len[FAKE_NET_SENT_MAX];
	unsigned nsent;
	uint16_t pending[VQ_MAX_SIZE];	/* transmit chains taken, not yet retired */
	unsigned npending;
};

void fake_net_init(struct fake_net *f, const struct virtqueue *rxq, const struct virtqueue *txq);
/* Receive a frame: into the next posted buffer, on the used ring at once.
 * False if no buffer was posted (the frame is dropped, as a NIC would). */
bool fake_net_deliver(struct fake_net *f, const void *frame, uint32_t len);
/* Take up to max frames off the transmit queue; retire them (and any
 * taken before) if retire. */
unsigned fake_net_drain(struct fake_net *f, unsigned max, bool retire);
void fake_net_free(struct fake_net *f);

#endif
