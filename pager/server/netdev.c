/*
 * Starting the network server. Like the block driver it is spawned pinned
 * (the pager may wait for it and must never have to answer its fault); its
 * pool is given once, here, and is all the packet memory it will ever have:
 * nothing else may take those frames, and it allocates nothing later.
 * Then netd as swap's driver over NBD; programs' admission to it is
 * net_admit.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/config.h"
#include "base/threads.h"
#include "kernel/abi/clock.h"
#include "server/netdev.h"
#include "server/driver.h"
#include "server/procs.h"
#include "server/requests.h"
#include "vm/frames.h"
#include "sys.h"
#include "drivers/net_protocol.h"

#define VIRTIO_NET 1

static int netd_ep = -1;
static struct pproc *netd;		/* its record: its handle names its window */
static uint32_t netd_pid;		/* its record is netd's while this pid has one */
static int netd_swaps;			/* the swap engine was given netd_ep */
static int swap_ep = -1;		/* that endpoint, while netd_swaps */
static int swap_proc = -1;		/* and netd's process handle the engine was given */
static struct net_shared *shared;	/* the status page */
static int refused;			/* the machine's device is not driven */

/* Whether netd has not been reaped. Once it has (its record released, and
 * maybe another process's now), its endpoint is let go, so that programs
 * are told -ENODEV rather than handed an endpoint no one receives on; the
 * swap engine's copy of the number stays good if it was given it. */
static int netd_alive(void)
{
	if (netd_ep < 0 || !netd)
		return netd_ep >= 0;
	if (procs_by_pid(netd_pid) == netd)
		return 1;
	if (!netd_swaps)
		sys_handle_close(netd_ep);
	netd_ep = -1;
	netd = NULL;
	shared = NULL;
	return 0;
}

static int call(struct msg *m)
{
	int r = sys_call(netd_ep, m);

	return r < 0 ? r : (int)(int64_t)m->label;
}

/* The pool's page addresses, NET_POOL_PER_MSG per message. */
static int send_pool(const uint64_t *pa)
{
	for (int first = 0; first < NET_POOL_PAGES; first += NET_POOL_PER_MSG) {
		int n = NET_POOL_PAGES - first < NET_POOL_PER_MSG ? NET_POOL_PAGES - first : NET_POOL_PER_MSG;
		struct msg m = { .label = NET_POOL, .handle = -1, .len = (uint32_t)(n * 8) };
		int r;

		m.w[0] = (uint64_t)first;
		memcpy(m.data, &pa[first], m.len);
		if ((r = call(&m)) < 0)
			return r;
	}
	return 0;
}

_Static_assert(NET_DMA_PAGES + 1 + NET_POOL_PAGES <= DRIVER_FRAMES_MAX,
	       "a driver's record holds the frames it is given");
_Static_assert(PROCS_MAX <= NET_ADMITTED_MAX, "an admission entry for every process slot");

static int setup(struct driver *d, int dev, const struct bootinfo *bi)
{
	static uint64_t pool[NET_POOL_PAGES];
	uint64_t dma[NET_DMA_PAGES], st;
	struct msg m = { .label = NET_SETUP, .handle = -1 };
	int r;

	if (sys_device_map(d->proc->handle, (unsigned)dev, NET_MMIO_VA) < 0 ||
	    driver_give_frames(d, NET_DMA_VA, NET_DMA_PAGES, dma) < 0 ||
	    driver_give_frames(d, NET_STATUS_VA, 1, &st) < 0 ||
	    driver_give_frames(d, NET_POOL_VA, NET_POOL_PAGES, pool) < 0 ||
	    driver_give_notifications(d, bi->devices[dev].irq, NET_IRQ_BIT, NET_HANDLE_IRQ,
				      NET_HANDLE_DONE) < 0)
		return -ENOMEM;
	if ((r = send_pool(pool)) < 0)
		return r;
	shared = frame_ptr(st);
	m.w[0] = bi->devices[dev].irq;
	m.w[1] = config.net_addr;
	m.w[2] = config.net_prefix;
	m.len = sizeof(dma);
	memcpy(m.data, dma, sizeof(dma));
	driver_device_told(d);
	return call(&m);
}

int netdev_start(const struct bootinfo *bi)
{
	static const char no_device[] = "the machine has no virtio-net device";
	static const char not_driven[] = "netd does not drive the machine's virtio-net device";
	static struct driver d;
	int dev = driver_find(bi, VIRTIO_NET), r;

	if (dev < 0) {
		config_no_effect("net.addr", no_device);
		config_no_effect("net.end_at_start", no_device);
		return -ENODEV;
	}
	if ((r = driver_spawn(&d, "netd")) < 0) {
		refused = 1;
		return r;
	}
	netd_ep = d.ep;
	if ((r = setup(&d, dev, bi)) < 0) {
		/* Only -ENOTSUP is the device's fault; anything else (netd's
		 * pool, the pager's frames) is not said as a refusal of it. */
		printf("pager: netd %s its virtio-net device at 0x%lx (%d%s)\n",
		       r == -ENOTSUP ? "refused" : "could not be set up for",
		       (unsigned long)bi->devices[dev].base, r,
		       r == -ENOTSUP ? ": one it cannot drive, said above" : "");
		refused = 1;
		config_no_effect("net.addr", not_driven);
		config_no_effect("net.end_at_start", not_driven);
		driver_abandon(&d);
		netd_ep = -1;
		shared = NULL;
		return r;
	}
	netd = d.proc;
	netd_pid = netd->pid;
	printf("pager: netd: %d frames reserved at boot for its rings, status page and packet "
	       "pool\n", NET_DMA_PAGES + 1 + NET_POOL_PAGES);
	if (config.net_end_at_start) {
		printf("pager: net.end_at_start=1: ending netd\n");
		sys_proc_kill(netd->handle, 9);
	}
	return 0;
}

int netdev_refused(void)
{
	return refused;
}

int netdev_endpoint(void)
{
	return netd_alive() ? netd_ep : -1;
}

struct net_shared *netdev_status(void)
{
	return shared;
}

int netdev_swap_driver(uint32_t addr, uint16_t port, struct nbd_driver *out)
{
	struct msg m = { .label = NET_SWAP_SETUP, .handle = -1 };
	int r;

	if (!netd_alive())
		return -ENODEV;
	m.w[0] = addr;
	m.w[1] = port;
	m.w[2] = config.swap_nbd_outage;
	if ((r = call(&m)) < 0)
		return r;
	netd->serves_swap = 1;	/* its end ends swap over NBD */
	netd_swaps = 1;
	swap_ep = netd_ep;
	swap_proc = netd->handle;
	*out = (struct nbd_driver){ .ep = netd_ep, .proc = netd->handle, .shared = shared,
				    .sectors = m.w[0], .read_only = m.w[1] != 0,
				    .addr = addr, .port = port,
				    .outage_ns = (int64_t)config.swap_nbd_outage * 1000 *
						 CLOCK_NS_PER_MS };
	return 0;
}

void netdev_swap_release(void)
{
	struct msg m = { .label = NET_SWAP_STOP, .handle = -1 };

	if (!netd_swaps)
		return;
	if (netd_alive()) {
		int r = call(&m);

		/* -EPIPE: netd ended meanwhile, its export with it. */
		if (r < 0 && r != -EPIPE)
			printf("pager: swap: netd did not let the NBD export go (%d)\n", r);
		/* Read by the driver watch's thread: netd's end is no longer
		 * swap's (its handle is closed at its reaping). */
		__atomic_store_n(&netd->serves_swap, 0, __ATOMIC_RELEASE);
	} else {
		/* Reaped while it served swap: its endpoint was kept for the
		 * engine by netd_alive, its process handle by service_reap, and
		 * no one else will close either. */
		sys_handle_close(swap_ep);
		sys_handle_close(swap_proc);
	}
	netd_swaps = 0;
	swap_ep = swap_proc = -1;
}
