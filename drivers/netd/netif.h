/*
 * lwIP's network interface over the virtio-net device: frames out through
 * the transmit slots, frames in as pbufs that stay in their receive buffers
 * until lwIP (or a program's connection) lets them go.
 */
#ifndef NETD_NETIF_H
#define NETD_NETIF_H

#include "lwip/netif.h"
#include "virtio_net.h"

extern struct netif netd_netif;

/* Add the interface for device n, up, with a static address (addr != 0,
 * host order, prefix bits) or none yet (DHCP starts). 0 or -errno. */
int netd_netif_add(struct virtio_net *n, uint32_t addr, unsigned prefix);

/* Hand every frame the device has received to lwIP, then give the device
 * buffers again (netd_netif_refill). */
void netd_netif_poll(void);

/* Take back what the device has sent and post receive buffers up to the
 * target from the pool. Called after each interrupt and again at the end
 * of every wake-up, timer ticks included, once the stack's timers and the
 * reaping of ended programs have freed what they free: if the pool ran
 * dry with every posted buffer used, the device has nothing to receive
 * into and will not interrupt again for received frames, so only that
 * later call reposts the buffers freed since. */
void netd_netif_refill(void);

#endif
