/*
 * A random model test of netd from the wire up (host, fixed seeds): its
 * main loop (drivers/netd/netd.c's main, loop.c's waits), the interface
 * (netif.c: Ethernet, ARP, DHCP through lwIP) and the virtio-net driver
 * (virtio_net.c, virtio_mmio.c, net_ring.c, net_pool.c, virtqueue.c) over
 * a fake device behind a fake register window, erratic and hostile: frames
 * truncated, oversized, empty, garbage at every layer, ARP floods and
 * replies that move a neighbour, DHCP servers that offer odd options and
 * leases, NAK, or change address; receive lengths past the buffer or short
 * of a frame, receive buffers held for long, transmit completions late or
 * out of order, interrupts with no work; programs' calls between (six
 * programs' connections to a peer the test plays, each with its own
 * streams both ways). Each seed is a netd of its own (a child process):
 * NET_POOL and NET_SETUP from the pager, then events from sys_recv.
 * After every event, the model: every buffer of the pool free, posted,
 * a transmit slot's or lwIP's, none twice; each descriptor the device is
 * given inside the pool; each frame sent well formed; after an interrupt
 * every used entry taken and the receive queue refilled; bytes a program
 * reads are its peer's stream in order, bytes its peer receives its own;
 * handles passed closed once, by netd alone. Once calm, every program is
 * served again (it reads, its peer gets what it sends). At the seed's
 * end, the device quiet and the programs gone, the pool is back to its
 * start, no handle kept, and each bad length counted and said. A seed
 * may end the device for good (its used index runs past the chains it
 * holds, an entry names one it does not hold, or it needs a reset and
 * stops): netd says so and ends (3) at once.
 * NETD_WIRE_SEEDS="first:count" runs others by hand, NETD_WIRE_TRACE=1
 * shows netd's console, NETD_WIRE_DUMP=1 the buffers missing at the end.
 */
#define _POSIX_C_SOURCE 200809L	/* fork, pipe; SSIZE_MAX, so lwIP takes unistd.h's ssize_t */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "kernel/abi/handle.h"
#include "lwip/prot/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "net_pool.h"
#include "net_protocol.h"
#include "rand_met.h"
#include "tcp_segment.h"
#include "virtio_net_hw.h"

#define SEEDS 24
#define STEPS 2500
#define CALM_WORK 2000		/* events, the weather calm, that programs must get through */
#define QUIET_TICKS 6000	/* of 250 ms: lwIP's timers run out (FINs, ARP, DHCP) */
#define US_MAC0 0x52
#define PEER 0x0a000202u	/* 10.0.2.2: the programs' peer, DHCP's server */
#define PROGS 6
#define CONNS 2			/* a program's connections at most: 12 in all, of 16 */
#define STREAM_MAX 60000	/* bytes of each stream the peer sends */

/* --- the fake device's register window (vmmio_regs.h's accesses) --- */

#define DRIVERS_VMMIO_REGS_H
static uint32_t vmmio_rd(uintptr_t base, unsigned off);
static uint8_t vmmio_rd8(uintptr_t base, unsigned off);
static void vmmio_wr(uintptr_t base, unsigned off, uint32_t v);
#include "virtio_mmio.c"

/* --- netd itself, over the test's memory --- */

static struct net_shared status_page;
static uint8_t window[NET_WIN_PAGES * BLK_PAGE_SIZE];
static uint8_t dma_pages[NET_DMA_PAGES * NET_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t arena[NET_POOL_PAGES * NET_PAGE_SIZE] __attribute__((aligned(4096)));

#undef NET_STATUS_VA
#undef NET_DMA_VA
#undef NET_POOL_VA
#define NET_STATUS_VA ((uintptr_t)&status_page)
#define NET_DMA_VA ((uintptr_t)dma_pages)
#define NET_POOL_VA ((uintptr_t)arena)
#define net_window_va(tag) ((uintptr_t)window + (uint64_t)(tag) * NET_MAX_PAGES * BLK_PAGE_SIZE)
#define main netd_main
#include "netd.c"
#undef main
#include "swapconn.c"

/* --- a seed's randomness, its failures, what it met --- */

static unsigned long seed;
static unsigned step;

/* Kinds of event the seeds met: a child's, sent to the parent at its end
 * and added up there. */
struct met {
	unsigned bad_len, held_long, late_tx, spurious, garbage, arp_moved;
	unsigned dhcp_bound, dhcp_nak, dhcp_moved, prog_bytes;
	unsigned endings[5];	/* seeds the device ended netd in, by enum ending */
	unsigned reserve_dug;	/* seeds whose pool went into its reserve */
	unsigned runts;		/* frames shorter than an Ethernet header */
	unsigned sends;		/* one-way messages to netd */
	unsigned served;	/* seeds that checked programs served once calm */
};
static struct met seed_met, *met = &seed_met;
static int met_pipe[2];

/* rand_met.h's numbers by shorter names (srand(seed) makes them a seed's). */
static unsigned rnd(unsigned n)
{
	return rand_below(n);
}

static bool chance(unsigned pct)
{
	return rand_chance(pct) != 0;
}

#define check(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "seed %lu step %u: ", seed, step); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n"); \
			_exit(1); \
		} \
	} while (0)

/* netd's console: its lines kept, the last few looked at; whether it said
 * the device's errors. */
static char said[8][200];
static unsigned nsaid;
static bool said_len;
static uint32_t said_ip = 1;	/* the address netd said last (0: none) */

int __wrap_printf(const char *fmt, ...)
{
	va_list ap;
	char *line = said[nsaid++ % 8];
	unsigned a[4];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(said[0]), fmt, ap);
	va_end(ap);
	if (strstr(line, "netd: no address"))
		said_ip = 0;
	else if (sscanf(line, "netd: address %u.%u.%u.%u/", &a[0], &a[1], &a[2], &a[3]) == 4)
		said_ip = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	said_len |= strstr(line, "a length no frame has") != NULL;
	if (getenv("NETD_WIRE_TRACE"))
		fputs(line, stderr);
	return n;
}

static bool said_like(const char *words)
{
	for (unsigned i = 0; i < 8; i++)
		if (strstr(said[i], words))
			return true;
	return false;
}

/* How a device may end netd: its used index runs past the chains it
 * holds, an entry names a chain it does not hold (an id past the queue, or
 * one finished twice in a row), or it finds an error, sets NEEDS_RESET
 * and stops (QEMU's virtio_error). */
enum ending { GOES_ON, RUNS_PAST, NAMES_NONE, TWICE, STOPS, ENDINGS };
/* What netd says of each (virtqueue.c's reasons, virtio_net.c's): an
 * entry past every chain the device holds runs past them too. */
static const char *const ending_said[] = { "", "ran past the chains it holds",
					   "named a chain it does not hold",
					   "named a chain it does not hold", "needs a reset" };

/* The seed's weather. */
static struct {
	unsigned garbage;	/* % of steps a garbage frame arrives */
	unsigned bad_len;	/* % of steps a receive buffer comes back with a bad length */
	unsigned hold;		/* % a receive buffer is held back a while */
	unsigned late;		/* % a transmit completion is put off */
	unsigned arp_move;	/* % the peer's MAC changes (a gratuitous reply) */
	unsigned dhcp;		/* 0 static address, 1 a good server, 2 an odd one */
	unsigned spurious;	/* % interrupts with no work */
	unsigned ending;	/* how the device ends netd, near the end (enum ending) */
	unsigned flood;		/* frames of garbage a step at most */
	unsigned reads;		/* programs' calls that read: 10 + reads % of them */
	unsigned tiny;		/* % of the peer's segments that are tiny (a buffer each) */
	bool calm;		/* the end: the device and the network behave */
} wx;

/* --- the fake device --- */

struct fq {
	struct vq_desc *desc;
	struct vq_avail *avail;
	struct vq_used *used;
	uint16_t size, last_avail, used_idx;
	uint64_t desc_pa, drv_pa, dev_pa;
	bool ready;
	uint16_t held[VQ_MAX_SIZE];	/* chains taken, not yet on the used ring */
	unsigned nheld;
	unsigned held_since[VQ_MAX_SIZE];	/* the step each was taken at */
	unsigned held_until[VQ_MAX_SIZE];	/* the step before which it is kept */
};

static struct {
	uint32_t status, features_sel, driver_sel, queue_sel, queue_max;
	uint64_t accepted;
	struct fq q[2];
	uint32_t isr;
	uint8_t mac[6];		/* netd's, as the device tells it */
	uint8_t peer_mac[6];	/* the wire's (ARP's answer for every address) */
	unsigned ended;		/* the ending played (enum ending), netd to end at once */
} hw;

static uint32_t vmmio_rd(uintptr_t base, unsigned off)
{
	check(base == NET_MMIO_VA, "a register read outside the window");
	switch (off) {
	case VMMIO_MAGIC_VALUE:
		return VMMIO_MAGIC;
	case VMMIO_VERSION:
		return 2;
	case VMMIO_DEVICE_ID:
		return VIRTIO_ID_NET;
	case VMMIO_DEVICE_FEATURES:
		return hw.features_sel ? 1u : 1u << VIRTIO_NET_F_MAC;	/* VERSION_1, MAC */
	case VMMIO_STATUS:
		return hw.status;
	case VMMIO_QUEUE_NUM_MAX:
		return hw.queue_max;
	case VMMIO_QUEUE_READY:
		return hw.q[hw.queue_sel & 1].ready;
	case VMMIO_INTERRUPT_STATUS:
		return hw.isr;
	}
	check(0, "a read of register 0x%x", off);
	return 0;
}

static uint8_t vmmio_rd8(uintptr_t base, unsigned off)
{
	check(base == NET_MMIO_VA && off >= VMMIO_CONFIG && off < VMMIO_CONFIG + 6,
	      "a byte read of 0x%x", off);
	return hw.mac[off - VMMIO_CONFIG];
}

static void set_pa(uint64_t *pa, unsigned off, uint32_t v)
{
	*pa = off & 4 ? (*pa & 0xffffffffu) | (uint64_t)v << 32 : (*pa & ~0xffffffffull) | v;
}

static void queue_ready(struct fq *q)
{
	q->desc = (struct vq_desc *)(uintptr_t)q->desc_pa;
	q->avail = (struct vq_avail *)(uintptr_t)q->drv_pa;
	q->used = (struct vq_used *)(uintptr_t)q->dev_pa;
	check(q->desc_pa >= (uintptr_t)dma_pages &&
	      q->dev_pa < (uintptr_t)dma_pages + sizeof(dma_pages),
	      "a queue's rings outside the ring pages");
	q->ready = true;
}

static void vmmio_wr(uintptr_t base, unsigned off, uint32_t v)
{
	struct fq *q = &hw.q[hw.queue_sel & 1];

	check(base == NET_MMIO_VA, "a register write outside the window");
	switch (off) {
	case VMMIO_STATUS:
		hw.status = v;
		return;
	case VMMIO_DEVICE_FEATURES_SEL:
		hw.features_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES_SEL:
		hw.driver_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES:
		set_pa(&hw.accepted, hw.driver_sel ? 4 : 0, v);
		return;
	case VMMIO_QUEUE_SEL:
		check(v < 2, "queue %u selected", v);
		hw.queue_sel = v;
		return;
	case VMMIO_QUEUE_NUM:
		q->size = (uint16_t)v;
		return;
	case VMMIO_QUEUE_DESC_LOW: case VMMIO_QUEUE_DESC_HIGH:
		set_pa(&q->desc_pa, off, v);
		return;
	case VMMIO_QUEUE_DRIVER_LOW: case VMMIO_QUEUE_DRIVER_HIGH:
		set_pa(&q->drv_pa, off, v);
		return;
	case VMMIO_QUEUE_DEVICE_LOW: case VMMIO_QUEUE_DEVICE_HIGH:
		set_pa(&q->dev_pa, off, v);
		return;
	case VMMIO_QUEUE_READY:
		queue_ready(q);
		return;
	case VMMIO_QUEUE_NOTIFY:
		check(v < 2, "queue %u notified", v);
		return;
	case VMMIO_INTERRUPT_ACK:
		hw.isr &= ~v;
		return;
	}
	check(0, "a write of register 0x%x", off);
}

static void put_used(struct fq *q, uint32_t id, uint32_t len)
{
	struct vq_used_elem *e = &q->used->ring[q->used_idx % q->size];

	e->id = id;
	e->len = len;
	q->used_idx++;
	q->used->idx = q->used_idx;
	hw.isr |= VMMIO_INT_USED;
}

/* The buffer a descriptor names, checked as a strict device would: one
 * whole pool buffer, not in the ring pages nor anywhere else. */
static uint8_t *buffer_of(const struct vq_desc *d, bool writes)
{
	uintptr_t a = (uintptr_t)d->addr;

	check(a >= (uintptr_t)arena && a + d->len <= (uintptr_t)arena + sizeof(arena),
	      "a descriptor names memory outside the pool (%#lx + %u)", (unsigned long)a, d->len);
	check((a - (uintptr_t)arena) / NET_BUF_SIZE ==
	      (a + d->len - 1 - (uintptr_t)arena) / NET_BUF_SIZE,
	      "a descriptor spans two buffers");
	check(!(d->flags & VQ_DESC_F_NEXT) && !!(d->flags & VQ_DESC_F_WRITE) == writes,
	      "a descriptor of the wrong shape (flags %u)", d->flags);
	return (uint8_t *)a;
}

/* Take every chain newly available on q: held until the device is done. */
static void take_avail(struct fq *q, void (*taken)(const struct vq_desc *d))
{
	while (q->last_avail != q->avail->idx) {
		uint16_t head = q->avail->ring[q->last_avail++ % q->size];

		check(head < q->size, "an available head %u past the queue", head);
		for (unsigned i = 0; i < q->nheld; i++)
			check(q->held[i] != head, "head %u made available twice", head);
		if (taken)
			taken(&q->desc[head]);
		q->held_since[q->nheld] = step;
		q->held_until[q->nheld] = chance(wx.hold) ? step + rnd(400) : step;
		q->held[q->nheld++] = head;
	}
}

/* Drop held chain i (the device is done with it). */
static uint16_t unhold(struct fq *q, unsigned i)
{
	uint16_t head = q->held[i];

	q->held[i] = q->held[--q->nheld];
	q->held_since[i] = q->held_since[q->nheld];
	q->held_until[i] = q->held_until[q->nheld];
	return head;
}

/* Whether q's used ring has room for another entry: once a wrong one has
 * taken a place, a right one may not overrun the entries netd has yet to
 * read either (that is the break netd ends for, played apart,
 * device_ends); it waits. */
static bool room_for_wrong(const struct fq *q)
{
	const struct virtqueue *vq = q == &hw.q[VIRTIO_NET_RXQ] ? &dev.rxq : &dev.txq;

	return (uint16_t)(q->used_idx + 1 - vq->used_seen) <= q->size;
}

/* A receive buffer returned with a length no frame has: past the buffer,
 * or short of an Ethernet header (netd drops it and goes on). */
static void put_bad_len(struct fq *q)
{
	if (!room_for_wrong(q) || q->nheld == 0)
		return;
	uint16_t head = unhold(q, rnd(q->nheld));

	put_used(q, head,
		 chance(50) ? NET_BUF_SIZE + 1 + rnd(5000) : rnd(VIRTIO_NET_HDR_BYTES + 14));
	met->bad_len++;
}

/* --- the wire: frames in and out --- */

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16)), put16(b + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint16_t ip_sum(const uint8_t *b, unsigned len)
{
	uint32_t s = 0;

	for (unsigned i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* netd's address now (host order), as the peer must write it. */
static uint32_t our_ip(void)
{
	return lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&netd_netif)));
}

/* Frames the wire has for netd, delivered as the device has buffers. */
#define WIRE_MAX 256
struct frame {
	uint16_t len;
	uint8_t b[NET_FRAME_MAX];
};
static struct frame wire[WIRE_MAX];
static unsigned wire_head, wire_n;

static uint8_t *wire_frame(uint16_t type, bool broadcast)
{
	if (wire_n == WIRE_MAX)
		return NULL;	/* lost */
	struct frame *f = &wire[(wire_head + wire_n++) % WIRE_MAX];

	memset(f->b, 0, 64);
	memset(f->b, 0xff, 6);
	if (!broadcast)
		memcpy(f->b, hw.mac, 6);
	memcpy(f->b + 6, hw.peer_mac, 6);
	put16(f->b + 12, type);
	f->len = 60;
	return f->b;
}

static void wire_len(unsigned len)
{
	wire[(wire_head + wire_n - 1) % WIRE_MAX].len = (uint16_t)len;
}

/* An IP packet (built by the caller past 14 bytes) framed and sent. */
static void wire_ip(const uint8_t *ip, unsigned len, bool broadcast)
{
	uint8_t *f = wire_frame(0x0800, broadcast);

	if (!f)
		return;
	memcpy(f + 14, ip, len);
	wire_len(14 + len < 60 ? 60 : 14 + len);
}

static void arp_reply(const uint8_t *request)
{
	uint8_t *f = wire_frame(0x0806, false);

	if (!f)
		return;
	put16(f + 14, 1), put16(f + 16, 0x0800), f[18] = 6, f[19] = 4, put16(f + 20, 2);
	memcpy(f + 22, hw.peer_mac, 6);
	memcpy(f + 28, request + 38, 4);	/* the address asked for is ours */
	memcpy(f + 32, request + 22, 10);	/* to the asker */
}

/* A gratuitous ARP reply: the peer (or another) at a new MAC. */
static void arp_moves(void)
{
	uint8_t *f;

	hw.peer_mac[5] = (uint8_t)rnd(256), hw.peer_mac[4] = (uint8_t)rnd(256);
	if (!(f = wire_frame(0x0806, true)))
		return;
	put16(f + 14, 1), put16(f + 16, 0x0800), f[18] = 6, f[19] = 4, put16(f + 20, 2);
	memcpy(f + 22, hw.peer_mac, 6);
	put32(f + 28, chance(70) ? PEER : 0x0a000200u + rnd(256));
	memcpy(f + 32, hw.mac, 6);
	put32(f + 38, our_ip());
	met->arp_moved++;
}

/* --- DHCP: a server at PEER (or one that moves) --- */

static uint32_t dhcp_xid;
static uint32_t server_ip = PEER;
static uint32_t lease_ip = 0x0a00020fu;

static uint8_t *dhcp_opt(uint8_t *o, uint8_t code, uint8_t len, uint32_t v)
{
	o[0] = code, o[1] = len;
	if (len == 4)
		put32(o + 2, v);
	else if (len == 1)
		o[2] = (uint8_t)v;
	else
		for (unsigned i = 0; i < len; i++)
			o[2 + i] = (uint8_t)rnd(256);
	return o + 2 + len;
}

/* Odd options a server may add: lengths short or past the end, unknown
 * codes, pads, leases of 0 or for ever, masks of none or all. */
static uint8_t *odd_options(uint8_t *o, uint8_t *end)
{
	unsigned n = rnd(6);

	for (unsigned i = 0; i < n && o + 12 < end; i++) {
		switch (rnd(7)) {
		case 0:
			o = dhcp_opt(o, 51, 4, chance(50) ? 0 : 0xffffffffu);
			break;
		case 1:
			o = dhcp_opt(o, 1, 4, chance(50) ? 0 : 0xffffffffu);
			break;
		case 2:
			o = dhcp_opt(o, (uint8_t)(60 + rnd(150)), (uint8_t)rnd(8), 0);
			break;
		case 3:
			*o++ = 0;
			break;
		case 4:
			o = dhcp_opt(o, (uint8_t)(rnd(2) ? 58 : 59), 4, rnd(2) ? 0 : 0xffffffffu);
			break;
		case 5:
			o = dhcp_opt(o, 3, (uint8_t)(rnd(3) * 4), 0);
			break;
		default:
			/* A length past the end. */
			o[0] = (uint8_t)(1 + rnd(60)), o[1] = (uint8_t)(200 + rnd(56));
			return o + 2;
		}
	}
	return o;
}

static void dhcp_send(uint8_t type)
{
	uint8_t ip[600], *d = ip + 28, *o;
	bool odd = wx.dhcp == 2 && !wx.calm;

	memset(ip, 0, sizeof(ip));
	d[0] = 2, d[1] = 1, d[2] = 6;
	put32(d + 4, odd && chance(10) ? rnd(0xffffffffu) : dhcp_xid);
	put32(d + 16, type == 6 ? 0 : lease_ip);
	memcpy(d + 28, hw.mac, 6);
	put32(d + 236, 0x63825363u);
	o = d + 240;
	o = dhcp_opt(o, 53, 1, type);
	if (!odd || chance(90))
		o = dhcp_opt(o, 54, 4, server_ip);
	if (type != 6) {
		o = dhcp_opt(o, 51, 4, odd ? rnd(4) * 30 : 3600);
		o = dhcp_opt(o, 1, 4, 0xffffff00u);
		o = dhcp_opt(o, 3, 4, PEER);
	}
	if (odd)
		o = odd_options(o, ip + sizeof(ip) - 2);
	if (!odd || chance(80))
		*o++ = 255;
	unsigned udp = (unsigned)(o - ip) - 20;

	ip[0] = 0x45, ip[8] = 64, ip[9] = 17;
	put16(ip + 2, (uint16_t)(20 + udp));
	put32(ip + 12, server_ip);
	put32(ip + 16, 0xffffffffu);
	put16(ip + 10, ip_sum(ip, 20));
	put16(ip + 20, 67), put16(ip + 22, 68), put16(ip + 24, (uint16_t)udp);
	wire_ip(ip, 20 + udp, true);
}

/* netd's DHCP message (in its UDP payload): the server answers. */
static void dhcp_heard(const uint8_t *d, unsigned len)
{
	uint8_t type = 0;

	check(len >= 244 && d[0] == 1, "a DHCP message of netd's malformed");
	dhcp_xid = (uint32_t)get16(d + 4) << 16 | get16(d + 6);
	for (unsigned i = 240; i + 2 < len && d[i] != 255; i += d[i] ? 2u + d[i + 1] : 1u)
		if (d[i] == 53)
			type = d[i + 2];
	if (wx.dhcp == 0 || (!wx.calm && chance(20)))
		return;		/* not heard */
	if (wx.dhcp == 2 && !wx.calm && chance(15)) {
		/* Another server, another address. */
		static const uint32_t odd_ip[] = { 0, 0xffffffffu, 0x7f000001u, 0xe0000001u,
						   0x0a0002ffu, 0x0a000202u };

		server_ip = PEER + 1 + rnd(3);
		lease_ip = chance(80) ? 0x0a000210u + rnd(20) : odd_ip[rnd(6)];
		met->dhcp_moved++;
	}
	if (type == 1)
		dhcp_send(2);	/* OFFER */
	else if (type == 3 && wx.dhcp == 2 && !wx.calm && chance(20)) {
		dhcp_send(6);	/* NAK */
		met->dhcp_nak++;
	} else if (type == 3) {
		dhcp_send(5);	/* ACK */
		met->dhcp_bound++;
	}
}

/* --- the programs' peer: one TCP flow per program connection --- */

struct flow {
	bool live;
	uint16_t lport, rport;	/* netd's port, the peer's (the connection's own) */
	uint32_t irs, iss;	/* netd's first sequence number, the peer's */
	uint32_t rcv;		/* netd's stream received in order */
	bool fin_in;
	uint32_t una, nxt;	/* the peer's stream: acknowledged by netd, next to send */
	uint16_t wnd;		/* netd's window */
	uint32_t addr;		/* netd's address the flow was opened from */
};

#define FLOWS 64
static struct flow flows[FLOWS];
/* The program a peer's port is a connection of, and bytes the peer got
 * from each program in order. */
static uint8_t rport_prog[65536];
static uint64_t peer_got[8];

/* The streams: the peer's to the program, the program's to the peer. */
static uint8_t down_byte(uint16_t rport, uint32_t i)
{
	return (uint8_t)(rport * 7 + i * 13 + (i >> 8));
}

static uint8_t up_byte(uint16_t rport, uint32_t i)
{
	return (uint8_t)((rport * 3 + i * 5) ^ 0x5a ^ (i >> 9));
}

static struct flow *flow_of(uint16_t lport, uint16_t rport, bool make)
{
	struct flow *free = NULL;

	for (unsigned i = 0; i < FLOWS; i++) {
		if (flows[i].live && flows[i].lport == lport && flows[i].rport == rport)
			return &flows[i];
		if (!flows[i].live && !free)
			free = &flows[i];
	}
	/* The table full: one netd has closed (its FIN taken) makes room. */
	for (unsigned i = 0; i < FLOWS && !free; i++)
		if (flows[i].fin_in)
			free = &flows[i];
	if (!make || !free)
		return NULL;
	*free = (struct flow){ .live = true, .lport = lport, .rport = rport,
			       .iss = rnd(0xffffffffu) };
	return free;
}

static void peer_segment(struct flow *f, uint8_t flags, uint32_t seq, const uint8_t *data,
			 uint16_t len)
{
	struct tcp_segment s = { .src = PEER, .dst = f->addr, .sport = f->rport, .dport = f->lport,
				 .seq = seq, .ack = f->irs + 1 + f->rcv + f->fin_in, .flags = flags,
				 .wnd = 8192, .data = data, .len = len };
	uint8_t ip[TCP_SEGMENT_MAX];
	unsigned n = tcp_segment_build(ip, &s);

	wire_ip(ip, n, false);
}

/* The peer sends what netd's window lets it of its stream from nxt. */
static void peer_push(struct flow *f)
{
	uint8_t d[1024];

	if (!f->live || f->una == 0 || f->nxt >= STREAM_MAX)
		return;
	uint32_t room = f->una + f->wnd > f->nxt ? f->una + f->wnd - f->nxt : 0;
	uint16_t n = (uint16_t)(room < sizeof(d) ? room : sizeof(d));

	if (!wx.calm && chance(wx.tiny) && n > 1)
		n = (uint16_t)(1 + rnd(20));

	if (n > STREAM_MAX - (f->nxt - 1))
		n = (uint16_t)(STREAM_MAX - (f->nxt - 1));
	if (n == 0 && f->nxt == f->una && f->nxt - 1 < STREAM_MAX && chance(10))
		n = 1;	/* a window probe: netd's opening may have been lost */
	if (n == 0)
		return;
	for (uint16_t i = 0; i < n; i++)
		d[i] = down_byte(f->rport, f->nxt - 1 + i);
	peer_segment(f, TCP_ACK | TCP_PSH, f->iss + f->nxt, d, n);
	f->nxt += n;
}

/* The peer's turn: now and then it sends again from what netd has
 * acknowledged (a segment of its may have found no receive buffer). */
static void peer_acts(void)
{
	for (unsigned i = 0; i < FLOWS; i++) {
		struct flow *f = &flows[i];

		if (!f->live || f->una == 0)
			continue;
		if (chance(10))
			f->nxt = f->una;
		peer_push(f);
	}
}

/* A segment netd sent to the peer. */
static void tcp_heard(const uint8_t *ip, unsigned len)
{
	unsigned ihl = (ip[0] & 15) * 4u, total = get16(ip + 2);
	const uint8_t *t = ip + ihl;

	check(total <= len && total >= ihl + 20, "a TCP segment of netd's cut short");
	unsigned hl = (t[12] >> 4) * 4u, dl = total - ihl - hl;
	uint8_t flags = t[13];
	uint32_t seq = (uint32_t)get16(t + 4) << 16 | get16(t + 6);
	uint32_t ack = (uint32_t)get16(t + 8) << 16 | get16(t + 10);
	struct flow *f = flow_of(get16(t), get16(t + 2), flags & TCP_SYN);

	if (!f)
		return;
	if (flags & TCP_RST) {
		f->live = false;
		return;
	}
	f->addr = (uint32_t)get16(ip + 12) << 16 | get16(ip + 14);
	f->wnd = get16(t + 14);
	if (flags & TCP_SYN) {
		f->irs = seq, f->rcv = 0, f->fin_in = false, f->una = 0, f->nxt = 1;
		peer_segment(f, TCP_SYN | TCP_ACK, f->iss, NULL, 0);
		return;
	}
	if ((flags & TCP_ACK) && ack - f->iss > f->una && ack - f->iss <= f->nxt)
		f->una = ack - f->iss;
	if (f->una == 0)
		f->una = 1;
	if (seq == f->irs + 1 + f->rcv && !f->fin_in) {
		for (unsigned i = 0; i < dl; i++)
			check(t[hl + i] == up_byte(f->rport, f->rcv + i),
			      "the peer on port %u got byte %u of another stream", f->rport,
			      f->rcv + i);
		f->rcv += dl;
		f->fin_in = flags & TCP_FIN;
		peer_got[rport_prog[f->rport]] += dl;
	}
	if (dl || (flags & TCP_FIN))
		peer_segment(f, TCP_ACK, f->iss + f->nxt, NULL, 0);
}

/* A frame netd sent: well formed, and heard. */
static void frame_heard(const uint8_t *f, unsigned len)
{
	check(len >= 14 && len <= NET_FRAME_MAX, "a frame of %u bytes sent", len);
	check(memcmp(f + 6, hw.mac, 6) == 0, "a frame sent from another MAC");
	uint16_t type = get16(f + 12);

	check(type == 0x0800 || type == 0x0806, "a frame of type %#x sent", type);
	if (type == 0x0806) {
		check(len >= 42, "an ARP frame cut short");
		if (get16(f + 20) == 1 && !(wx.garbage && chance(10)))
			arp_reply(f);
		return;
	}
	const uint8_t *ip = f + 14;
	unsigned ihl = (ip[0] & 15) * 4u;

	check(len >= 34 && ip[0] >> 4 == 4 && ihl >= 20 && 14u + get16(ip + 2) <= len,
	      "an IP packet sent malformed");
	check(ip_sum(ip, ihl) == 0, "an IP header sent with a wrong checksum");
	if (ip[9] == 17 && get16(ip + ihl + 2) == 67)
		dhcp_heard(ip + ihl + 8, get16(ip + 2) - ihl - 8);
	else if (ip[9] == 6)
		tcp_heard(ip, len - 14);
}

/* --- garbage --- */

/* A frame of some layer's garbage, its checksums right where that gets
 * it further in. */
static void garbage(void)
{
	uint16_t type = chance(50) ? 0x0800 : chance(50) ? 0x0806 : (uint16_t)rnd(65536);
	uint8_t *f = wire_frame(type, chance(30));
	unsigned len = chance(20) ? rnd(14) : chance(20) ? NET_FRAME_MAX : 14 + rnd(200);

	if (!f)
		return;
	for (unsigned i = 14; i < len; i++)
		f[i] = (uint8_t)rnd(256);
	if (get16(f + 12) == 0x0800 && len >= 34) {
		uint8_t *ip = f + 14;

		ip[0] = (uint8_t)(chance(80) ? 0x45 : rnd(256));
		put16(ip + 2, (uint16_t)(chance(70) ? len - 14 : rnd(65536)));
		ip[6] = chance(80) ? 0 : ip[6];
		ip[9] = chance(30) ? 1 : chance(40) ? 6 : 17;
		put32(ip + 12, chance(50) ? PEER : rnd(0xffffffffu));
		put32(ip + 16, chance(70) ? our_ip() : 0xffffffffu);
		if (ip[9] == 1 && len >= 42)
			ip[34] = chance(50) ? 8 : (uint8_t)rnd(20);	/* echo requests */
		if (ip[9] == 17 && chance(50))
			put16(ip + 22, 68), put16(ip + 26, 0);	/* DHCP's port, no sum */
		ip[10] = ip[11] = 0;
		put16(ip + 10, ip_sum(ip, 20));
	} else if (get16(f + 12) == 0x0806 && len >= 42) {
		put16(f + 14, 1), put16(f + 16, 0x0800), f[18] = 6, f[19] = 4;
		put16(f + 20, (uint16_t)(1 + rnd(2)));
		put32(f + 28, 0x0a000200u + rnd(256));	/* a flood of neighbours */
		put32(f + 38, chance(50) ? our_ip() : rnd(0xffffffffu));
	}
	wire_len(len);
	met->garbage++;
}

/* --- the device at work --- */

static void rx_deliver(void)
{
	struct fq *q = &hw.q[VIRTIO_NET_RXQ];

	for (unsigned i = 0; wire_n > 0 && i < q->nheld && room_for_wrong(q);) {
		struct frame *f = &wire[wire_head];

		if (!wx.calm && q->held_until[i] > step) {
			i++;	/* held back a while yet */
			continue;
		}
		met->held_long += step - q->held_since[i] > 100;
		uint16_t head = unhold(q, i);
		uint8_t *b = buffer_of(&q->desc[head], true);

		met->runts += f->len < 14;
		check(q->desc[head].len >= VIRTIO_NET_HDR_BYTES + (uint32_t)f->len,
		      "a receive buffer too short");
		memset(b, 0, VIRTIO_NET_HDR_BYTES);
		b[10] = 1;
		memcpy(b + VIRTIO_NET_HDR_BYTES, f->b, f->len);
		put_used(q, head, VIRTIO_NET_HDR_BYTES + f->len);
		wire_head = (wire_head + 1) % WIRE_MAX, wire_n--;
	}
}

static void tx_taken(const struct vq_desc *d)
{
	static const uint8_t zero[VIRTIO_NET_HDR_BYTES];
	const uint8_t *b = buffer_of(d, false);

	check(d->len > VIRTIO_NET_HDR_BYTES && memcmp(b, zero, sizeof(zero)) == 0,
	      "a transmit buffer without its header");
	frame_heard(b + VIRTIO_NET_HDR_BYTES, d->len - VIRTIO_NET_HDR_BYTES);
}

static void tx_complete(void)
{
	struct fq *q = &hw.q[VIRTIO_NET_TXQ];

	for (unsigned i = 0; i < q->nheld && room_for_wrong(q);) {
		if (!wx.calm && chance(wx.late)) {
			met->late_tx++;
			i++;
			continue;
		}
		put_used(q, unhold(q, i), 0);
	}
}

/* The device's turn: take what netd made available, send, receive, err. */
static void device_acts(void)
{
	struct fq *rx = &hw.q[VIRTIO_NET_RXQ], *tx = &hw.q[VIRTIO_NET_TXQ];

	if (!rx->ready || hw.ended == STOPS)
		return;
	take_avail(tx, tx_taken);
	tx_complete();
	take_avail(rx, NULL);
	if (!wx.calm && chance(wx.garbage))
		for (unsigned n = 1 + rnd(wx.flood + 1); n > 0; n--)
			garbage();
	if (!wx.calm && chance(wx.arp_move))
		arp_moves();
	peer_acts();
	rx_deliver();
	if (!wx.calm && chance(wx.bad_len))
		put_bad_len(rx);
}

/* --- the model of netd's buffers, checked after every event --- */

static bool in_flight(const struct virtqueue *vq, unsigned head)
{
	return vq->chain_len[head] != 0;
}

static void check_buffers(void)
{
	static uint8_t whose[NET_POOL_MAX_BUFS];	/* 0 unknown, 1 free, 2 posted, 3 slot */
	const struct net_ring *r = &dev.ring;
	unsigned posted = 0, sending = 0;

	if (!ready)
		return;
	memset(whose, 0, sizeof(whose));
	check(netd_pool.nfree <= netd_pool.nbufs, "%u free of %u", netd_pool.nfree,
	      netd_pool.nbufs);
	for (unsigned i = 0; i < netd_pool.nfree; i++) {
		unsigned b = netd_pool.free[i];

		check(b < netd_pool.nbufs && whose[b] == 0, "buffer %u free twice", b);
		whose[b] = 1;
	}
	for (unsigned s = 0; s < r->ntx; s++) {
		check(whose[r->tx_buf[s]] == 0, "transmit slot %u's buffer %u also %s", s,
		      r->tx_buf[s], whose[r->tx_buf[s]] == 1 ? "free" : "a slot's");
		whose[r->tx_buf[s]] = 3;
	}
	for (unsigned h = 0; h < dev.rxq.size; h++) {
		if (!in_flight(&dev.rxq, h))
			continue;
		unsigned b = r->rx_buf[h];

		check(whose[b] == 0, "posted buffer %u also %s", b,
		      whose[b] == 1 ? "free" : whose[b] == 2 ? "posted" : "a slot's");
		check(dev.rxq.desc[h].addr == net_buf_pa(&netd_pool, b), "head %u posted elsewhere",
		      h);
		whose[b] = 2;
		posted++;
	}
	check(posted == r->rx_posted, "%u posted, %u counted", posted, r->rx_posted);
	for (unsigned h = 0; h < dev.txq.size; h++)
		sending += in_flight(&dev.txq, h);
	check(sending + r->ntx_free == r->ntx, "%u slots sending, %u free of %u", sending,
	      r->ntx_free, r->ntx);
	check(dev.rxq.nfree + posted == dev.rxq.size && dev.txq.nfree + sending == dev.txq.size,
	      "descriptors lost");
}

/* After an interrupt netd has taken every used entry, and posted receive
 * buffers up to its target as far as the pool has any. */
static void check_served(void)
{
	const struct net_ring *r = &dev.ring;

	check(dev.rxq.used_seen == hw.q[VIRTIO_NET_RXQ].used_idx &&
	      dev.txq.used_seen == hw.q[VIRTIO_NET_TXQ].used_idx,
	      "used entries left after an interrupt");
	check(r->rx_posted == r->rx_target || netd_pool.nfree == 0,
	      "%u receive buffers posted of %u, %u buffers free", r->rx_posted, r->rx_target,
	      netd_pool.nfree);
}

/* --- the programs --- */

struct conn {
	long n;			/* netd's connection number, -1 none */
	uint16_t rport;
	uint32_t read, sent;	/* bytes the program read, netd took */
	bool failed;
};

static struct prog {
	uint32_t pid;
	struct conn c[CONNS];
	uint64_t read;		/* bytes read on all its connections */
} progs[PROGS];
static uint16_t next_rport;
static int next_handle = 100;

/* Handles passed to netd (programs' notifications), while it holds them. */
#define HANDLES 65536
static bool held[HANDLES];

static int pass_handle(void)
{
	check(next_handle < HANDLES, "out of handles");
	held[next_handle] = true;
	return next_handle++;
}

static unsigned handles_held(void)
{
	unsigned n = 0;

	for (int h = 100; h < next_handle; h++)
		n += held[h];
	return n;
}

int sys_handle_info(int h)
{
	if (h < 100 || h >= HANDLES || !held[h])
		return -ERR_PIPE;
	return HANDLE_TYPE_NOTIFY << 8 | RIGHT_SEND;
}

int sys_handle_close(int h)
{
	check(h >= 100 && h < HANDLES && held[h], "netd closed handle %d, not its", h);
	held[h] = false;
	return 0;
}

int sys_notify_signal(int h, uint64_t bits)
{
	(void)bits;
	check((h >= 100 && h < HANDLES && held[h]) || (h >= NET_HANDLE_DONE &&
						h < NET_HANDLE_DONE + BLK_DONE_NOTES),
	      "netd signalled handle %d", h);
	return 0;
}

/* --- netd's side of the kernel: the clock, the timer, the endpoint --- */

static int64_t now_ns = 1000000000;
static int64_t timer_at;

int64_t sys_clock(void)
{
	return now_ns;
}

int sys_notify_timer(int h, int64_t deadline, uint64_t bits)
{
	check(h == NET_HANDLE_IRQ && bits == NET_TIMER_BIT, "a timer on handle %d", h);
	check(deadline > now_ns - 1, "a timer armed in the past");
	timer_at = deadline;
	return 0;
}

int sys_irq_ack(int notify, unsigned irq)
{
	check(notify == NET_HANDLE_IRQ && irq == 9, "irq %u acknowledged", irq);
	return 0;
}

int sys_notify_bind(int h)
{
	check(h == NET_HANDLE_IRQ, "bound %d", h);
	return 0;
}

/* Time passes to the next thing due (at most the timer), the device acts:
 * the notification's bits. */
static uint64_t notification(void)
{
	int64_t to = now_ns + (int64_t)rnd(60) * 1000000;

	if (to > timer_at || chance(40))
		to = timer_at > now_ns ? timer_at : now_ns;
	now_ns = to;
	device_acts();
	uint64_t bits = now_ns >= timer_at ? NET_TIMER_BIT : 0;

	if (hw.isr || (!wx.calm && chance(wx.spurious))) {
		met->spurious += hw.isr == 0;
		if (chance(30))
			hw.isr |= VMMIO_INT_CONFIG;	/* a change of nothing netd reads */
		bits |= NET_IRQ_BIT;
	}
	return bits;
}

/* netd waits (a call's wait: NET_SETUP's for DHCP). */
long sys_notify_wait(int h)
{
	check(h == NET_HANDLE_IRQ, "waited on %d", h);
	uint64_t bits = notification();

	check_buffers();
	return bits ? (long)bits : (long)NET_TIMER_BIT;
}

/* What the next event is, and what it expects of the reply. */
enum expect { ANY, NOTIFIED, ZERO, STATS, CONNECT, SEND, RECV };
static struct {
	enum expect kind;
	struct prog *p;
	struct conn *c;
	uint32_t len;
} pending;
static unsigned pool_sent;
static bool ended;		/* the seed's events are over: netd gets -ERR_PIPE */

static void call_from(struct msg *m, uint32_t pid, uint64_t label)
{
	memset(m, 0, MSG_HEADER_SIZE);
	m->origin = ORIGIN_CALL;
	m->pid = pid;
	m->label = label;
	m->handle = -1;
}

static void pager_next(struct msg *m)
{
	call_from(m, 1, NET_POOL);
	if (pool_sent < NET_POOL_PAGES) {
		unsigned left = NET_POOL_PAGES - pool_sent;
		unsigned n = left < NET_POOL_PER_MSG ? left : NET_POOL_PER_MSG;
		uint64_t *pa = (uint64_t *)m->data;

		m->w[0] = pool_sent;
		for (unsigned i = 0; i < n; i++)
			pa[i] = (uintptr_t)arena + (uint64_t)(pool_sent + i) * NET_PAGE_SIZE;
		m->len = n * sizeof(uint64_t);
		pool_sent += n;
		pending.kind = ZERO;
		return;
	}
	uint64_t *pa = (uint64_t *)m->data;

	m->label = NET_SETUP;
	m->w[0] = 9;
	m->w[1] = wx.dhcp ? 0 : 0x0a00020fu;
	m->w[2] = 24;
	for (unsigned i = 0; i < NET_DMA_PAGES; i++)
		pa[i] = (uintptr_t)dma_pages + (uint64_t)i * NET_PAGE_SIZE;
	m->len = NET_DMA_PAGES * sizeof(uint64_t);
	pending.kind = ZERO;
}

static struct conn *some_conn(struct prog *p)
{
	struct conn *c = &p->c[rnd(CONNS)];

	return c->n >= 0 ? c : NULL;
}

static void prog_call(struct msg *m)
{
	struct prog *p = &progs[rnd(PROGS)];
	struct conn *c = some_conn(p), *freec = NULL;
	uint32_t r = rnd(100);

	for (unsigned i = 0; i < CONNS; i++)
		if (p->c[i].n < 0)
			freec = &p->c[i];
	call_from(m, p->pid, NET_STATS);
	pending.kind = STATS, pending.p = p, pending.c = c, pending.len = 0;
	if (c && (c->failed || c->read == STREAM_MAX)) {
		m->label = NET_CLOSE, m->w[0] = (uint64_t)c->n;	/* done with it */
		pending.kind = ZERO;
		c->n = -1;
	} else if ((r < 10 || (wx.calm && !c)) && freec) {
		m->label = NET_CONNECT;
		/* Ports 1024 to 65023, a new one each connection. */
		next_rport = (uint16_t)(next_rport >= 65023 ? 1024 : next_rport + 1);
		m->w[0] = PEER, m->w[1] = freec->rport = next_rport;
		rport_prog[next_rport] = (uint8_t)(p - progs);
		m->handle = pass_handle();
		pending.kind = CONNECT, pending.c = freec;
	} else if (r < 45 - wx.reads / 2 && c) {	/* 10 to 45 */
		m->label = NET_SEND, m->w[0] = (uint64_t)c->n;
		m->len = rnd(MSG_DATA_MAX + 1);
		for (uint32_t i = 0; i < m->len; i++)
			m->data[i] = up_byte(c->rport, c->sent + i);
		pending.kind = SEND, pending.len = m->len;
	} else if (r < 55 + wx.reads / 2 && c) {
		m->label = NET_RECV, m->w[0] = (uint64_t)c->n, m->w[1] = 1 + rnd(3000);
		pending.kind = RECV;
	} else if (r < 58 + wx.reads / 2 && c) {
		m->label = NET_CLOSE, m->w[0] = (uint64_t)c->n;
		pending.kind = ZERO;
		c->n = -1;
	}
}

static bool failure(long r)
{
	return r == -ECONNREFUSED || r == -ECONNRESET || r == -ETIMEDOUT || r == -ECONNABORTED ||
	       r == -ENOTCONN;
}

/* The reply to the last call, as the model allows. */
static void check_reply(const struct msg *out)
{
	long r = (long)out->label;
	struct conn *c = pending.c;

	switch (pending.kind) {
	case ANY:
	case NOTIFIED:
		return;
	case ZERO:
		check(r == 0, "a call answered %ld", r);
		return;
	case STATS: {
		struct net_stats s;

		check(r == 0 && out->len == sizeof(s), "NET_STATS answered %ld", r);
		memcpy(&s, out->data, sizeof(s));
		check(s.pool_free == netd_pool.nfree && s.pool_bufs == netd_pool.nbufs,
		      "NET_STATS's pool is not netd's");
		check(s.rx_bad == dev.ring.cnt.rx_bad, "NET_STATS's rx_bad is not netd's");
		return;
	}
	case CONNECT:
		check(r >= 0 || r == -ENETUNREACH || r == -ENOMEM || r == -EMFILE,
		      "NET_CONNECT answered %ld (address %#x mask %#x gw %#x)", r, our_ip(),
		      lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&netd_netif))),
		      lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(&netd_netif))));
		c->n = r >= 0 ? r : -1;
		c->read = c->sent = 0, c->failed = false;
		return;
	case SEND:
		check((r >= 0 && (uint32_t)r <= pending.len) || r == -EINPROGRESS || failure(r),
		      "NET_SEND of %u answered %ld", pending.len, r);
		if (r > 0)
			c->sent += (uint32_t)r;
		c->failed |= failure(r);
		return;
	case RECV:
		check(r >= 0 || r == -EAGAIN || failure(r), "NET_RECV answered %ld", r);
		if (r > 0) {
			check(out->len == (uint32_t)r, "NET_RECV's length");
			for (long i = 0; i < r; i++)
				check(out->data[i] == down_byte(c->rport, c->read + (uint32_t)i),
				      "connection %ld (port %u) read byte %u of another stream",
				      c->n,
				      c->rport, c->read + (uint32_t)i);
			c->read += (uint32_t)r;
			pending.p->read += (uint64_t)r;
			met->prog_bytes += (unsigned)r;
		}
		c->failed |= failure(r);
		return;
	}
}

/* Every bad length the device gave (a runt too) was dropped and
 * counted, and said once. */
static void check_errors_said(void)
{
	check(dev.ring.cnt.rx_bad == met->bad_len + met->runts, "%lu frames dropped of %u bad",
	      (unsigned long)dev.ring.cnt.rx_bad, met->bad_len + met->runts);
	check(said_len == (dev.ring.cnt.rx_bad > 0), "the device's bad lengths %s",
	      said_len ? "said, though none came" : "not said");
}

/* The seed's end, the device quiet and every program gone: netd holds
 * no buffer but its slots and those posted, and said what went wrong. */
static void dump_missing(void)
{
	static uint8_t seen[NET_POOL_MAX_BUFS];
	const struct net_ring *r = &dev.ring;

	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < netd_pool.nfree; i++)
		seen[netd_pool.free[i]] = 1;
	for (unsigned i = 0; i < r->ntx; i++)
		seen[r->tx_buf[i]] = 1;
	for (unsigned h = 0; h < dev.rxq.size; h++)
		if (dev.rxq.chain_len[h])
			seen[r->rx_buf[h]] = 1;
	for (unsigned b = 0; b < netd_pool.nbufs; b++) {
		if (seen[b])
			continue;
		uint8_t *p = net_buf_va(&netd_pool, b);
		fprintf(stderr, "missing buffer %u:", b);
		for (unsigned i = 0; i < 80; i++)
			fprintf(stderr, " %02x", p[i]);
		fprintf(stderr, "\n");
	}
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		fprintf(stderr, "pcb state %d unsent %p unacked %p ooseq %p refused %p\n",
			pcb->state, (void *)pcb->unsent, (void *)pcb->unacked, (void *)pcb->ooseq,
			(void *)pcb->refused_data);
}

static void check_quiet(void)
{
	const struct net_ring *r = &dev.ring;

	if (getenv("NETD_WIRE_DUMP"))
		dump_missing();

	check(r->rx_posted == r->rx_target, "%u receive buffers posted of %u", r->rx_posted,
	      r->rx_target);
	check(r->ntx_free == r->ntx, "%u transmit slots free of %u", r->ntx_free, r->ntx);
	/* DHCP's state (lwIP's struct dhcp, from its heap) is kept for good. */
	unsigned kept = net_buf_of(&netd_pool, netif_dhcp_data(&netd_netif)) >= 0;

	check(netd_pool.nfree + r->ntx + r->rx_posted + kept == netd_pool.nbufs,
	      "buffers leaked: %u free, %u slots, %u posted, %u DHCP's of %u", netd_pool.nfree,
	      r->ntx, r->rx_posted, kept, netd_pool.nbufs);
	check(sockets_open() == 0, "%u connections open", sockets_open());
	check(handles_held() == 0, "netd kept %u handles", handles_held());
	check_errors_said();
}

/* The programs end: the pager takes their admissions back. */
static void programs_end(void)
{
	for (unsigned k = 0; k < NET_ADMITTED_MAX; k++)
		status_page.admitted[k] = 0;
	for (unsigned i = 0; i < PROGS; i++)
		for (unsigned j = 0; j < CONNS; j++)
			progs[i].c[j].n = -1;
}

/* The weather calms: the device and the wire behave, the DHCP server
 * leases a good address, programs connect whenever they have room.
 * Whether programs must get through now: netd has a good address (an odd
 * one stays until its lease is renewed). */
static bool must_serve;
static uint64_t read_at_calm[PROGS], got_at_calm[PROGS];

static void calm_begins(void)
{
	uint32_t a = our_ip();

	wx.calm = true;
	wx.reads = 35;
	must_serve = (a & 0xffffff00u) == 0x0a000200u && (a & 255) != 0 && (a & 255) != 255 &&
		     a != PEER;
	/* A renewal keeps a good address (a new one would reset every
	 * connection), and puts an odd one right. */
	server_ip = PEER, lease_ip = must_serve ? a : 0x0a00020fu;
	for (unsigned i = 0; i < PROGS; i++)
		read_at_calm[i] = progs[i].read, got_at_calm[i] = peer_got[i];
}

/* Each program's connections and their flows at the peer (NETD_WIRE_DUMP). */
static void dump_conns(void)
{
	for (unsigned i = 0; i < PROGS; i++)
		for (unsigned j = 0; j < CONNS; j++) {
			const struct conn *c = &progs[i].c[j];
			const struct flow *f = NULL;

			for (unsigned k = 0; k < FLOWS; k++)
				if (flows[k].live && flows[k].rport == c->rport)
					f = &flows[k];
			fprintf(stderr, "program %u: conn %ld port %u read %u sent %u failed %d",
				i, c->n, c->rport, c->read, c->sent, c->failed);
			if (f)
				fprintf(stderr, "; peer una %u nxt %u wnd %u rcv %u fin %d", f->una,
					f->nxt, f->wnd, f->rcv, f->fin_in);
			fprintf(stderr, "\n");
		}
}

/* After the storm, netd serves every program again: each reads from its
 * peer, and its peer gets what it sends. */
static void check_served_calm(void)
{
	if (!must_serve)
		return;
	if (getenv("NETD_WIRE_DUMP"))
		dump_conns();
	for (unsigned i = 0; i < PROGS; i++)
		check(progs[i].read > read_at_calm[i] && peer_got[i] > got_at_calm[i],
		      "program %u not served once calm: read %lu, its peer got %lu", i,
		      (unsigned long)(progs[i].read - read_at_calm[i]),
		      (unsigned long)(peer_got[i] - got_at_calm[i]));
	met->served++;
}

/* The device ends netd as the seed's weather says, if it can now (an entry
 * twice needs a receive buffer it holds and room for both entries). */
static void device_ends(void)
{
	struct fq *q = &hw.q[VIRTIO_NET_RXQ];

	if (wx.ending == RUNS_PAST) {
		q->used_idx = (uint16_t)(q->used_idx + q->size + 1 + rnd(100));
		q->used->idx = q->used_idx;
	} else if (wx.ending == NAMES_NONE && room_for_wrong(q)) {
		put_used(q, q->size + rnd(70000), rnd(3000));
	} else if (wx.ending == TWICE && q->nheld > 0 &&
		   (uint16_t)(q->used_idx + 2 - dev.rxq.used_seen) <= q->size) {
		uint16_t head = unhold(q, rnd(q->nheld));

		memset(buffer_of(&q->desc[head], true), 0, VIRTIO_NET_HDR_BYTES + 60);
		put_used(q, head, VIRTIO_NET_HDR_BYTES + 60);
		put_used(q, head, VIRTIO_NET_HDR_BYTES + 60);
	} else if (wx.ending == STOPS) {
		hw.status |= VIRTIO_STATUS_NEEDS_RESET;
		hw.isr |= VMMIO_INT_CONFIG;
	} else {
		return;
	}
	hw.isr |= VMMIO_INT_USED;
	hw.ended = wx.ending;
	met->endings[wx.ending]++;
}

/* The next event for netd's loop: the pager's start, then notifications
 * and programs' calls; then quiet; -ERR_PIPE at the end. */
static int next_event(struct msg *m)
{
	check_buffers();
	if (pending.kind == NOTIFIED)
		check_served();
	if (ended)
		return -ERR_PIPE;
	/* netd has said its address as it is (after NET_SETUP's answer). */
	check(pool_sent < NET_POOL_PAGES || !ready || said_ip == our_ip(),
	      "netd's address is %#x, it said %#x", our_ip(), said_ip);
	/* Told of it by the interrupt, netd ends at once. */
	check(!hw.ended, "netd went on over a device that %s", ending_said[hw.ended]);
	step++;
	if (pool_sent < NET_POOL_PAGES || !ready) {
		pager_next(m);
		return 0;
	}
	if (step == STEPS)
		calm_begins();
	if (step == STEPS + CALM_WORK) {
		check_served_calm();
		programs_end();
	}
	if (step == STEPS + QUIET_TICKS) {
		check_quiet();
		ended = true;
		return -ERR_PIPE;
	}
	if (step < STEPS + CALM_WORK && chance(25)) {
		prog_call(m);
		return 0;
	}
	if (step < STEPS && chance(2)) {
		/* A one-way send, a handle with it: nothing to answer, the
		 * handle closed (sys_handle_close checks it was passed). */
		call_from(m, progs[rnd(PROGS)].pid, NET_STATS);
		m->origin = ORIGIN_SEND;
		m->handle = chance(50) ? pass_handle() : -1;
		pending.kind = ANY;
		met->sends++;
		return 0;
	}
	if (step == STEPS * 3 / 4)
		device_ends();
	memset(m, 0, MSG_HEADER_SIZE);
	m->origin = ORIGIN_NOTIFY;
	m->handle = -1;
	m->w[0] = notification();
	pending.kind = m->w[0] & NET_IRQ_BIT ? NOTIFIED : ANY;
	return 0;
}

int sys_recv(int ep, struct msg *m)
{
	check(ep == NET_HANDLE_EP, "received on %d", ep);
	return next_event(m);
}

int sys_reply_recv(int ep, const struct msg *reply, struct msg *m)
{
	check(ep == NET_HANDLE_EP, "replied on %d", ep);
	check_reply(reply);
	return next_event(m);
}

/* --- a seed: a netd of its own --- */

static void start_seed(void)
{
	static const unsigned pct[] = { 0, 0, 3, 10, 30 };
	static const uint16_t qmax[] = { 16, 32, 64, 256, 1024 };

	srand((unsigned)seed);
	memset(&hw, 0, sizeof(hw));
	hw.queue_max = qmax[rnd(5)];
	hw.mac[0] = US_MAC0, hw.mac[5] = (uint8_t)seed;
	hw.peer_mac[0] = 0x52, hw.peer_mac[1] = 0x55, hw.peer_mac[5] = 2;
	wx.garbage = pct[rnd(5)], wx.bad_len = pct[rnd(4)], wx.hold = pct[rnd(5)];
	wx.late = pct[rnd(5)], wx.arp_move = pct[rnd(4)], wx.spurious = pct[rnd(5)];
	wx.dhcp = rnd(3);
	wx.ending = chance(40) ? 1 + rnd(ENDINGS - 1) : GOES_ON;
	wx.flood = chance(30) ? rnd(60) : 0;
	wx.reads = rnd(50);
	wx.tiny = pct[rnd(5)] * 2;
	for (unsigned i = 0; i < PROGS; i++) {
		progs[i].pid = 20 + i;
		status_page.admitted[i] = net_admission(progs[i].pid, 1 + i);
		for (unsigned j = 0; j < CONNS; j++)
			progs[i].c[j].n = -1;
	}
	next_rport = (uint16_t)(1024 + seed * 100 % 60000);
}

/* The child: one seed's netd, from its start to its end. */
static int run_child(void)
{
	start_seed();
	int r = netd_main();

	if (hw.ended) {
		check(r == 3, "netd went on (%d) over a device that %s", r, ending_said[hw.ended]);
		check(said_like("giving the network device up") &&
		      (said_like(ending_said[hw.ended]) ||
		       (hw.ended != STOPS && said_like(ending_said[RUNS_PAST]))),
		      "netd ended without saying why");
		return 0;
	}
	met->reserve_dug += netd_pool.cnt.lowest_free < netd_pool.reserve;
	check(r == 0, "netd ended with %d (rx: %s; tx: %s)", r,
	      dev.rxq.broken ? dev.rxq.broken : "sound", dev.txq.broken ? dev.txq.broken : "sound");
	check(step == STEPS + QUIET_TICKS, "netd stopped early, at step %u", step);
	return 0;
}

static struct met all;

static void run_seed(unsigned long s)
{
	pid_t child;
	int status;

	fflush(stderr);
	if ((child = fork()) == 0) {
		seed = s;
		run_child();
		_exit(write(met_pipe[1], met, sizeof(*met)) == sizeof(*met) ? 0 : 1);
	}
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("seed %lu failed (status %#x)", s, status);
	struct met m;

	assert_int_equal(read(met_pipe[0], &m, sizeof(m)), sizeof(m));
	unsigned *to = (unsigned *)&all, *from = (unsigned *)&m;

	for (size_t i = 0; i < sizeof(m) / sizeof(unsigned); i++)
		to[i] += from[i];
}

static void test_random(void **state)
{
	unsigned long first, n = SEEDS;
	bool by_hand = rand_seeds("NETD_WIRE_SEEDS", &first, &n);

	(void)state;
	assert_int_equal(pipe(met_pipe), 0);
	for (unsigned long s = first; s < first + n; s++)
		run_seed(s);
	const struct met_kind kinds[] = {
		{ "bad lengths", &all.bad_len }, { "held long", &all.held_long },
		{ "late sends", &all.late_tx }, { "spurious interrupts", &all.spurious },
		{ "garbage", &all.garbage }, { "ARP moves", &all.arp_moved },
		{ "DHCP bound", &all.dhcp_bound }, { "DHCP NAK", &all.dhcp_nak },
		{ "DHCP moved", &all.dhcp_moved }, { "programs' bytes", &all.prog_bytes },
		{ "ran past", &all.endings[RUNS_PAST] },
		{ "named none", &all.endings[NAMES_NONE] }, { "twice", &all.endings[TWICE] },
		{ "stopped", &all.endings[STOPS] },
		{ "pool in its reserve", &all.reserve_dug }, { "one-way sends", &all.sends },
		{ "served once calm", &all.served },
	};
	rand_met(kinds, sizeof(kinds) / sizeof(kinds[0]), by_hand);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
