/*
 * The pager's side of the network server (netd): started pinned when the
 * machine has a virtio-net device, with its registers, its interrupt, its
 * pool of packet buffers and its notifications. Programs reach it through
 * a send-only handle the pager gives out (PAGER_NET).
 */
#ifndef PAGER_NETDEV_H
#define PAGER_NETDEV_H

#include "drivers/blk_protocol.h"
#include "kernel/abi/bootinfo.h"

/* Start netd for the first virtio-net device in bi; notes[c] are the
 * pager's completion notifications (for swap over NBD). 0; -ENODEV if
 * there is no such device; another -errno if netd could not be started
 * (said on the console). */
int netdev_start(const struct bootinfo *bi, const int notes[BLK_DONE_NOTES]);

/* The endpoint of netd (the pager's own handle, all rights), or -1. */
int netdev_endpoint(void);

#endif
