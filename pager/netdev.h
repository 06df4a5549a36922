/*
 * The pager's side of the network server (netd): started pinned when the
 * machine has a virtio-net device, with its registers, its interrupt, its
 * pool of packet buffers and its notifications. Programs reach it through
 * a send-only handle the pager gives out (PAGER_NET).
 */
#ifndef PAGER_NETDEV_H
#define PAGER_NETDEV_H

#include <stdint.h>
#include "drivers/blk_protocol.h"
#include "kernel/abi/bootinfo.h"

/* Start netd for the first virtio-net device in bi; notes[c] are the
 * pager's completion notifications (for swap over NBD). 0; -ENODEV if
 * there is no such device; another -errno if netd could not be started
 * (said on the console). */
int netdev_start(const struct bootinfo *bi, const int notes[BLK_DONE_NOTES]);

/* The endpoint of netd (the pager's own handle, all rights), or -1. */
int netdev_endpoint(void);

struct blk_request;
struct net_shared;

/* Swap over NBD through netd: connect its swap connection to the server
 * at addr:port (host order) and negotiate the export. 0 with its size in
 * sectors and whether it is read-only, or -errno (said on the console by
 * netd). */
int netdev_swap_connect(uint32_t addr, uint16_t port, uint64_t *sectors, int *read_only);

/* The page shared with netd: the block protocol's status slots, its pool's
 * state, whether the NBD server is gone. NULL before netdev_start. */
struct net_shared *netdev_shared(void);

/* Map request r's frames into netd's window at its tag's place (read-only
 * for a write: netd only reads them), and unmap them when it is over. netd
 * reaches the pager's frames only this way, only while a request is in
 * flight. 0 or -errno. */
int netdev_window_map(const struct blk_request *r);
void netdev_window_unmap(uint32_t tag, uint32_t npages);

/* netd's pool is down in its reserve: what the swap connection uses now
 * is the last of it, and direct reclaimers should wait (seed 002). */
int netdev_pool_low(void);

/* netd has given the NBD server up for good. */
int netdev_swap_gone(void);

#endif
