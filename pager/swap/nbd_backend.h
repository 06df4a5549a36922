/*
 * The swap engine's network backend: an NBD export reached through the
 * network server netd, which offers it as a block device (the block
 * protocol of drivers/blk_protocol.h, drivers/net_protocol.h). netd cannot
 * reach the pager's frames by physical address as a disk's DMA does, so
 * each request's frames are mapped into netd's window while it is in
 * flight. Whoever starts netd (the server) describes it in struct
 * nbd_driver.
 */
#ifndef PAGER_SWAP_NBD_BACKEND_H
#define PAGER_SWAP_NBD_BACKEND_H

#include <stdint.h>
#include "swap/backend.h"

struct net_shared;

/* netd with its swap connection up. Its completion notifications are the
 * pager threads' I/O notifications, by client, as for the block driver. */
struct nbd_driver {
	int ep;				/* netd's endpoint */
	int proc;			/* netd's process: its request window */
	struct net_shared *shared;	/* the status page: slots, pool, gone */
	uint64_t sectors;		/* the export's size */
	int read_only;
	uint32_t addr;			/* the server, for messages */
	uint16_t port;
	int64_t outage_ns;		/* the outage's budget netd was given
					 * (swap.nbd_outage), in ns */
};

/* *b is the swap backend over d (copied). Its checksum table, 4 bytes a
 * slot of the swap area the header names (not of the export), is made
 * when swap starts on it (swap_backend_ops' start), once the header is
 * checked. */
void nbd_backend_init(struct swap_backend *b, const struct nbd_driver *d);
/* Swap did not come up over it: its table, if made, goes. */
void nbd_backend_fini(void);

#endif
