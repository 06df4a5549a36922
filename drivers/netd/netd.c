/*
 * netd: the network server. One pinned process holding the virtio-net
 * driver and lwIP (NO_SYS: one thread, the raw API). It receives the
 * pager's calls, programs' calls and its notification (interrupt, timer)
 * on one endpoint and never blocks for a program; it never allocates
 * beyond the pool and the tables it was started with.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "loop.h"
#include "net_protocol.h"
#include "netd_mem.h"
#include "netif.h"
#include "owners.h"
#include "sockets.h"
#include "swap_link.h"
#include "swapconn.h"
#include "sys.h"
#include "virtio_net.h"

#define DHCP_WAIT_NS (5 * 1000 * 1000 * 1000LL)

/* Buffers only receive buffers and the swap connection's memalloc work may
 * take. Every lwIP segment holds a whole pool buffer however few bytes it
 * carries, so this counts pbufs, not bytes: every receive buffer posted
 * again; the swap connection's send queue (TCP_SND_QUEUELEN pbufs: NBD
 * request headers are small, so the queue, not TCP_SND_BUF, is the bound);
 * and what it holds received: in-order data is copied out and freed in
 * its receive callback (swap_tcp.c), so only the segment being taken in
 * and the out-of-order ones lwIP keeps (TCP_OOSEQ_MAX_PBUFS). */
#define NET_POOL_RESERVE (NET_RX_POSTED + TCP_SND_QUEUELEN + 1 + TCP_OOSEQ_MAX_PBUFS)
_Static_assert(NET_POOL_RESERVE < NET_POOL_PAGES * NET_BUFS_PER_PAGE,
	       "the pool holds its reserve and more");

/* The ordinary part of the pool: what is left for programs' connections
 * once the transmit slots (kept for good) and the posted receive buffers
 * are taken and the reserve is kept back. */
#define NET_POOL_ORDINARY \
	(NET_POOL_PAGES * NET_BUFS_PER_PAGE - NET_TX_SLOTS_MAX - NET_RX_POSTED - NET_POOL_RESERVE)
/* What one line's connections may hold (owners.h), so that it always
 * leaves half the ordinary part to everyone else, as NET_LINE_SOCKETS
 * leaves half the table. netd refuses its sends and its received data
 * past the share, but some buffers it cannot refuse come on top: a
 * connection holding nothing received takes a segment whatever its line
 * holds (so that reading always goes on) and lwIP keeps one more refused
 * (it is in a buffer already): two a connection; and the FIN of a pcb
 * closed and lingering, one a pcb of lwIP's table (sockets.c aborts a pcb
 * that would linger holding more). Not counted: a peer advertising a
 * window smaller than the unsent head has lwIP's persist timer split that
 * segment, the remainder in a buffer of its own outside any send netd made
 * (tcp_split_unsent_seg, which may pass TCP_SND_QUEUELEN by one), so a
 * line may hold up to NET_LINE_SOCKETS more (8 of the ~247): counted too,
 * the share would no longer hold one connection's window and send queue. */
#define NET_LINE_BUFS (NET_POOL_ORDINARY / 2 - 2 * NET_LINE_SOCKETS - MEMP_NUM_TCP_PCB)
_Static_assert(NET_LINE_BUFS >= NET_RX_BUFS_MAX + TCP_SND_QUEUELEN,
	       "a line's share holds one connection's full window and send queue");

static uint64_t pool_pa[NET_POOL_PAGES];
static uint32_t pool_given;		/* pool pages named so far (NET_POOL) */
static struct virtio_net dev;
static struct net_shared *const shared = (struct net_shared *)NET_STATUS_VA;
static uint32_t pager_pid;		/* who sent NET_POOL first: only it may set up */
static bool ready;
static unsigned irq;

/* The state the pager's reclaim reads: the pool's (is it congested?)
 * and the swap link's outage (are its writes held for a while yet?, the
 * pager threads waiting for them told as one begins), written after
 * every notification and every call. */
static void publish(void)
{
	shared->pool_free = netd_pool.nfree;
	shared->pool_reserve = netd_pool.reserve;
	swapconn_publish_outage(shared, swap_link_outage_until());
}

/* The notification's bits: the device interrupted, or the timer ran out. */
static void on_bits(uint64_t bits)
{
	if (ready && (bits & NET_IRQ_BIT)) {
		virtio_net_interrupt(&dev);
		netd_netif_poll();
		sys_irq_ack(NET_HANDLE_IRQ, irq);
	}
	if (ready) {
		/* Timers do the stack's own work: retransmissions, ACKs. */
		netd_memalloc_begin();
		sys_check_timeouts();
		netd_memalloc_end();
		swap_link_tick();
		sockets_reap();	/* an ended program's connections and buffers */
		netd_netif_refill();	/* with buffers freed since, even if no interrupt comes */
		publish();
	}
}

/* NET_POOL: w[0] = first page index, data = addresses. */
static long on_pool(const struct msg *m)
{
	uint64_t first = m->w[0], n = m->len / sizeof(uint64_t);

	if (ready || m->len % sizeof(uint64_t) || first != pool_given || n > NET_POOL_PAGES - first)
		return -EINVAL;
	memcpy(&pool_pa[first], m->data, m->len);
	pool_given += (uint32_t)n;
	return 0;
}

static bool have_address(void *ctx)
{
	(void)ctx;
	return dhcp_supplied_address(&netd_netif);
}

/* The interface's address, host order (0: none yet). */
static uint32_t address(void)
{
	return lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&netd_netif)));
}

/* Its prefix length: the bits set in its netmask. */
static uint32_t prefix(void)
{
	return (uint32_t)__builtin_popcount(lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&netd_netif))));
}

static void say_address(void)
{
	uint32_t a = address();

	printf("netd: address %u.%u.%u.%u/%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
	       a & 255, prefix());
}

/* NET_SETUP: w[0] irq, w[1] static address or 0, w[2] prefix; data = ring pages. */
static long on_setup(const struct msg *m, struct msg *out)
{
	uint64_t dma[NET_DMA_PAGES];
	const char *why;
	int r;

	if (ready || pool_given != NET_POOL_PAGES || m->len < sizeof(dma) || m->w[1] > UINT32_MAX ||
	    m->w[2] > 32)
		return -EINVAL;
	memcpy(dma, m->data, sizeof(dma));
	if (net_pool_init(&netd_pool, NET_POOL_VA, pool_pa, NET_POOL_PAGES, NET_POOL_RESERVE) < 0) {
		printf("netd: cannot start the virtio-net device: the packet pool's %u pages are not "
		       "usable\n", NET_POOL_PAGES);
		return -EINVAL;
	}
	if (sys_notify_bind(NET_HANDLE_IRQ) < 0)
		return -EINVAL;
	irq = (unsigned)m->w[0];
	/* Never -ENODEV: the pager found the device, and reads that as none
	 * (net_protocol.h, NET_SETUP). The line names what failed: the
	 * device, or netd's own pool. */
	if ((r = virtio_net_start(&dev, NET_MMIO_VA, NET_DMA_VA, dma, &netd_pool, &why)) < 0) {
		printf("netd: %s: %s\n", virtio_net_failure(r), why);
		return r;
	}
	lwip_init();
	if ((r = netd_netif_add(&dev, (uint32_t)m->w[1], (unsigned)m->w[2])) < 0)
		return r;
	ready = true;
	publish();
	printf("netd: virtio-net %02x:%02x:%02x:%02x:%02x:%02x on irq %u; pool of %u buffers "
	       "(%u KiB), %u of them the reserve\n", dev.mac[0], dev.mac[1], dev.mac[2],
	       dev.mac[3], dev.mac[4], dev.mac[5], irq, netd_pool.nbufs,
	       netd_pool.nbufs * NET_BUF_SIZE / 1024, netd_pool.reserve);
	sys_irq_ack(NET_HANDLE_IRQ, irq);
	if (m->w[1] == 0 && !netd_run_until(have_address, NULL, netd_now() + DHCP_WAIT_NS))
		printf("netd: no address from DHCP yet; it goes on asking\n");
	else
		say_address();
	out->w[0] = address();
	out->w[1] = prefix();
	return 0;
}

static void stats(struct msg *out)
{
	struct net_stats s = { 0 };

	if (ready) {
		s.rx_packets = dev.ring.cnt.rx_packets;
		s.tx_packets = dev.ring.cnt.tx_packets;
		s.rx_bytes = dev.ring.cnt.rx_bytes;
		s.tx_bytes = dev.ring.cnt.tx_bytes;
		s.rx_starved = dev.ring.cnt.rx_starved;
		s.addr = address();
		s.prefix = prefix();
	}
	s.rx_dropped_nomem = netd_dropped_nomem;
	s.reserve_allocs = netd_pool.cnt.reserve_allocs;
	s.alloc_refused = netd_pool.cnt.refused;
	s.pool_bufs = netd_pool.nbufs;
	s.pool_reserve = netd_pool.reserve;
	s.pool_free = netd_pool.nfree;
	s.pool_lowest = netd_pool.cnt.lowest_free;
	s.sockets = sockets_open();
	s.rx_refused = sockets_rx_refused();
	swapconn_counters(&s);
	memcpy(out->data, &s, sizeof(s));
	out->len = sizeof(s);
	out->label = 0;
}

/* The pager's calls: only the process that set netd up may make them. */
static bool from_pager(const struct msg *in)
{
	if (in->label == NET_POOL && pager_pid == 0)
		pager_pid = in->pid;
	return in->pid == pager_pid;
}

static void serve(const struct msg *in, struct msg *out)
{
	memset(out, 0, MSG_HEADER_SIZE);
	out->handle = -1;
	if (in->label >= NET_CONNECT && in->label <= NET_CLOSE) {
		if (!ready) {
			out->label = (uint64_t)(long)-ENODEV;
			if (in->handle >= 0)
				sys_handle_close(in->handle);
		} else {
			sockets_serve(in, out);
		}
		return;
	}
	if (in->handle >= 0)
		sys_handle_close(in->handle);	/* none expected */
	if (in->label == NET_STATS)
		stats(out);
	else if (in->label == NET_POOL && from_pager(in))
		out->label = (uint64_t)on_pool(in);
	else if (in->label == NET_SETUP && from_pager(in))
		out->label = (uint64_t)on_setup(in, out);
	else if (in->label == NET_SWAP_SETUP && from_pager(in))
		out->label = (uint64_t)(ready ? swapconn_setup(in, out, shared) : -ENODEV);
	else if ((in->label == BLK_SUBMIT || in->label == BLK_SUBMIT_ONE) && from_pager(in))
		out->label = (uint64_t)swapconn_submit(in);
	else if (in->label == NET_SWAP_FLUSH && from_pager(in))
		out->label = (uint64_t)swapconn_flush(in);
	else if (in->label == NET_SWAP_START && from_pager(in))
		out->label = (uint64_t)(ready ? swapconn_start() : -ENODEV);
	else if (in->label == NET_SWAP_STOP && from_pager(in))
		out->label = (uint64_t)(ready ? swapconn_stop() : -ENODEV);
	else
		out->label = (uint64_t)(long)(from_pager(in) ? -ENOSYS : -EPERM);
}

int main(void)
{
	static struct msg in, out;
	int r;

	netd_loop_init(on_bits);
	owners_init(shared->admitted, NET_LINE_BUFS);	/* its address: read once programs call */
	netd_arm_timer(0);
	r = sys_recv(NET_HANDLE_EP, &in);
	for (;;) {
		if (r < 0) {
			if (r == -ERR_PIPE)	/* the pager is gone */
				return 0;
			printf("netd: receive failed: error %d\n", -r);
			return 2;
		}
		if (in.origin == ORIGIN_NOTIFY) {
			on_bits(in.w[0]);
			/* A device whose used index ran past its queue: its
			 * completions can no longer be trusted. */
			if (dev.rxq.broken || dev.txq.broken) {
				printf("netd: the network device's used index ran past its queue: ending\n");
				return 3;
			}
			netd_arm_timer(0);
			r = sys_recv(NET_HANDLE_EP, &in);
			continue;
		}
		if (in.origin != ORIGIN_CALL) {
			if (in.handle >= 0)
				sys_handle_close(in.handle);
			r = sys_recv(NET_HANDLE_EP, &in);
			continue;
		}
		serve(&in, &out);
		if (ready)
			publish();
		netd_arm_timer(0);
		r = sys_reply_recv(NET_HANDLE_EP, &out, &in);
	}
}
