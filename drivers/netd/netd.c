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
#include "pool_shares.h"
#include "sockets.h"
#include "swap_link.h"
#include "swapconn.h"
#include "sys.h"
#include "tcp_timers.h"
#include "virtio_net.h"

#define DHCP_WAIT_NS (5 * 1000 * 1000 * 1000LL)

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
	swapconn_publish_outage(shared, swap_link_outage_until(), swap_link_outage_ended());
}

/* The device's error netd survives (a used entry naming no chain it holds
 * breaks the queue instead: device_gone): said the first time, counted in
 * NET_STATS for good (a device that errs once errs again). */
static void say_device_errors(void)
{
	static bool said_len;

	if (!said_len && dev.ring.cnt.rx_bad > 0) {
		said_len = true;
		printf("netd: the network device returned a receive buffer with a length "
		       "no frame has (short of an Ethernet header, or past the buffer): "
		       "dropped; netstat's rx_bad counts them\n");
	}
}

/* The notification's bits: the device interrupted, or the timer ran out. */
static void on_bits(uint64_t bits)
{
	if (ready && (bits & NET_IRQ_BIT)) {
		virtio_net_interrupt(&dev);
		netd_netif_poll();
		say_device_errors();
		sys_irq_ack(NET_HANDLE_IRQ, irq);
	}
	if (ready) {
		/* Timers do the stack's own work: retransmissions, ACKs. */
		netd_tcp_timers();
		swap_link_tick();
		sockets_reap();	/* an ended program's connections and buffers */
		netd_netif_refill();	/* with buffers freed since, even if no interrupt comes */
		publish();
	}
}

/* NET_POOL: w[0] = first page index, data = addresses. The first one
 * names the pager (from_pager), whatever it holds. */
static long on_pool(const struct msg *m, struct msg *out)
{
	uint64_t first = m->w[0], n = m->len / sizeof(uint64_t);

	(void)out;
	if (pager_pid == 0)
		pager_pid = m->pid;
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

static bool address_said;	/* said_address is the one said last */
static uint32_t said_address;

/* Say the interface's address, if it is not the one said last. */
static void say_address(void)
{
	uint32_t a = address();

	if (address_said && a == said_address)
		return;
	address_said = true;
	said_address = a;
	if (a == 0)
		printf("netd: no address now; DHCP asks again\n");
	else
		printf("netd: address %u.%u.%u.%u/%u\n", a >> 24, (a >> 16) & 255,
		       (a >> 8) & 255, a & 255, prefix());
}

/* lwIP's word that the interface changed (LWIP_NETIF_STATUS_CALLBACK):
 * an address that comes, goes or changes after NET_SETUP (a lease after
 * its wait, a NAK, a server that leases another) is said, so the console
 * shows why every connection was reset (lwIP aborts those of the old). */
static void on_status(struct netif *nif)
{
	(void)nif;
	say_address();
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
	netif_set_status_callback(&netd_netif, on_status);
	ready = true;
	publish();
	printf("netd: virtio-net %02x:%02x:%02x:%02x:%02x:%02x on irq %u; pool of %u buffers "
	       "(%u KiB), %u of them the reserve\n", dev.mac[0], dev.mac[1], dev.mac[2],
	       dev.mac[3], dev.mac[4], dev.mac[5], irq, netd_pool.nbufs,
	       netd_pool.nbufs * NET_BUF_SIZE / 1024, netd_pool.reserve);
	sys_irq_ack(NET_HANDLE_IRQ, irq);
	if (m->w[1] == 0 && !netd_run_until(have_address, NULL, netd_now() + DHCP_WAIT_NS)) {
		printf("netd: no address from DHCP yet; it goes on asking\n");
		address_said = true;
		said_address = 0;
	} else {
		say_address();	/* a static one (a lease was said as it came) */
	}
	out->w[0] = address();
	out->w[1] = prefix();
	return 0;
}

/* NET_STATS: anyone may ask, before the device is up too. */
static long on_stats(const struct msg *in, struct msg *out)
{
	struct net_stats s = { 0 };

	(void)in;
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
	s.rx_bad = dev.ring.cnt.rx_bad;
	s.rx_refused = sockets_rx_refused();
	swapconn_counters(&s);
	memcpy(out->data, &s, sizeof(s));
	out->len = sizeof(s);
	return 0;
}

/* The swap connection's calls (swapconn.h), as handlers. */
static long on_swap_setup(const struct msg *in, struct msg *out)
{
	return swapconn_setup(in, out, shared);
}

static long on_swap_submit(const struct msg *in, struct msg *out)
{
	(void)out;
	return swapconn_submit(in);
}

static long on_swap_flush(const struct msg *in, struct msg *out)
{
	(void)out;
	return swapconn_flush(in);
}

static long on_swap_start(const struct msg *in, struct msg *out)
{
	(void)in, (void)out;
	return swapconn_start();
}

static long on_swap_stop(const struct msg *in, struct msg *out)
{
	(void)in, (void)out;
	return swapconn_stop();
}

/* The pager's calls: only the process that named itself with the first
 * NET_POOL (on_pool) may make them; that first NET_POOL is the pager's by
 * being first. */
static bool from_pager(const struct msg *in)
{
	return in->pid == pager_pid || (pager_pid == 0 && in->label == NET_POOL);
}

/* Each call netd answers, in one row: who may make it, and what serves
 * it (so a label cannot be allowed and not served, nor served and not
 * allowed). A label of the pager's from anyone else, and a label no one
 * has, from anyone but the pager, are refused with -EPERM (a program
 * learns nothing of the pager's calls); the pager's unknown label is
 * -ENOSYS. Rows are written whole, by position: one missing its handler
 * does not compile (-Wextra's -Wmissing-field-initializers), and a
 * handler of netd.c's own left out of every row is unused (-Wunused-function). */
struct rule {
	uint64_t label;
	bool pager_only;	/* only the pager may call it (from_pager) */
	bool needs_ready;	/* -ENODEV until NET_SETUP has brought the device up */
	bool takes_handle;	/* serve keeps or closes a handle passed with the call */
	long (*serve)(const struct msg *in, struct msg *out);	/* the answer's label */
};

static const struct rule rules[] = {
	{ NET_POOL, true, false, false, on_pool },
	{ NET_SETUP, true, false, false, on_setup },
	{ NET_SWAP_SETUP, true, true, false, on_swap_setup },
	{ BLK_SUBMIT, true, false, false, on_swap_submit },
	{ BLK_SUBMIT_ONE, true, false, false, on_swap_submit },
	{ NET_SWAP_FLUSH, true, false, false, on_swap_flush },
	{ NET_SWAP_START, true, true, false, on_swap_start },
	{ NET_SWAP_STOP, true, true, false, on_swap_stop },
	/* Programs' connections: sockets.c serves each whole, the passed
	 * handle too (a connect's to keep or close). */
	{ NET_CONNECT, false, true, true, sockets_serve },
	{ NET_SEND, false, true, true, sockets_serve },
	{ NET_RECV, false, true, true, sockets_serve },
	{ NET_CLOSE, false, true, true, sockets_serve },
	{ NET_STATS, false, false, false, on_stats },
};

static const struct rule *rule_of(uint64_t label)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].label == label)
			return &rules[i];
	return NULL;
}

/* Why in is refused (a negative error), or 0: it may be served now. */
static long refusal(const struct rule *r, const struct msg *in)
{
	if (!r || (r->pager_only && !from_pager(in)))
		return from_pager(in) ? -ENOSYS : -EPERM;
	if (r->needs_ready && !ready)
		return -ENODEV;
	return 0;
}

static void serve(const struct msg *in, struct msg *out)
{
	const struct rule *r = rule_of(in->label);
	long no = refusal(r, in);

	memset(out, 0, MSG_HEADER_SIZE);
	out->handle = -1;
	if (in->handle >= 0 && (no || !r->takes_handle))
		sys_handle_close(in->handle);	/* none expected */
	out->label = (uint64_t)(no ? no : r->serve(in, out));
}

/* Why the device can serve no more, or NULL: its used ring broke
 * (virtqueue.h: its completions can no longer be trusted), or it said it
 * needs a reset (it has stopped). */
static const char *device_gone(void)
{
	if (dev.rxq.broken || dev.txq.broken)
		return dev.rxq.broken ? dev.rxq.broken : dev.txq.broken;
	if (dev.needs_reset)
		return "it needs a reset (DEVICE_NEEDS_RESET)";
	return NULL;
}

int main(void)
{
	static struct msg in, out;
	const char *why;
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
			if ((why = device_gone())) {
				printf("netd: giving the network device up: %s: ending\n", why);
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
