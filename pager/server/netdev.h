/*
 * The pager's side of the network server (netd): started pinned when the
 * machine has a virtio-net device, with its registers, its interrupt, its
 * pool of packet buffers and its notifications. Programs reach it through
 * a send-only handle the pager gives out (PAGER_NET), each admitted first
 * with its line in the status page, where its end is said too: netd learns
 * who may hold connections from the pager alone.
 */
#ifndef PAGER_NETDEV_H
#define PAGER_NETDEV_H

#include <stdint.h>
#include "swap/nbd_backend.h"
#include "kernel/abi/bootinfo.h"
#include "server/procs.h"

struct net_shared;

/* Where the swap export is served (scripts/run's guestfwd rule). */
#define NBD_SERVER_ADDR 0x0a000264u	/* 10.0.2.100 */
#define NBD_SERVER_PORT 10809		/* NBD's port */

/* Start netd for the first virtio-net device in bi. 0; -ENODEV if there is
 * no such device; another -errno if netd could not be started (said on the
 * console). The pager's I/O threads must have started: their completion
 * notifications are handed over, for swap over NBD. */
int netdev_start(const struct bootinfo *bi);

/* p is being reaped: netd frees its connections (at its next tick, 250 ms
 * at most) and counts them no more against its line. A store into netd's
 * status page: the pager never waits for netd here. */
void netdev_forget(const struct pproc *p);

/* 1 if the machine has a virtio-net device that is not used: netd
 * refused it (or could not be started for it), netdev_start's -errno
 * other than -ENODEV; 0 if it has none, or netd took it. */
int netdev_refused(void);

/* The endpoint of netd (the pager's own handle, all rights), or -1. */
int netdev_endpoint(void);
/* netd's status page (net_protocol.h's struct net_shared), or NULL: none
 * set up, or netd seen reaped. Its admission entries are net_admit.c's. */
struct net_shared *netdev_status(void);

/* Swap over NBD: have netd connect its swap connection to the NBD server
 * at addr:port (host order) and negotiate the export, and describe it in
 * *out for the swap backend. 0, or -errno (netd says why on the console). */
int netdev_swap_driver(uint32_t addr, uint16_t port, struct nbd_driver *out);

/* Swap did not take the export netdev_swap_driver set up: netd lets it go
 * (NET_SWAP_STOP), and netd is no longer swap's driver (its end ends no
 * swap device, its endpoint and handle go as any driver's). */
void netdev_swap_release(void);

#endif
