/*
 * A random model test of programs' connections through netd (host, fixed
 * seeds): drivers/netd/sockets.c (included, for its table) and owners.c
 * over lwIP's own TCP and netd's real heap (netd_mem.c over the packet
 * pool, its reserve and the posted receive buffers), an interface whose
 * packets the test catches and peers it plays (segments built by tcp_segment.c).
 * Seven fake programs of four lines and line 0 connect, send, receive and
 * close, well-formed and not: bad and foreign connection numbers, handles
 * passed where none belongs, notifications of the wrong kind, bad
 * addresses and ports, the swap server's, a caller never admitted, opens
 * past each bound; programs end with connections open and data queued,
 * drop their notification, and their pids' entries are taken by others.
 * The peers' weather: segments lost either way, connections refused or
 * never answered, tiny segments, segments out of order, resets, FINs,
 * small windows. After every step, the model: each reply as it allows,
 * bytes read are the peer's stream in order and bytes the peer receives
 * the program's, each slot its owner's alone, netd holding exactly the
 * notifications of its open connections, each line within its share of
 * the pool (past it only by what pool_shares.h says netd cannot refuse)
 * and the swap connection's part of the reserve untouched; a program told
 * to wait (-EINPROGRESS, -EAGAIN) woken before its call can go on, one
 * whose send took nothing woken by the tick after unless data in flight
 * will wake it; a program's connections freed at the tick after its end.
 * At a seed's end, the weather calm, every byte arrives both ways; once
 * every program has ended, nothing is open and the pool is whole again.
 * Beside them, through netd.c's own dispatch (netd_host.c: every call
 * above goes through it too), the pager sets swap up over an NBD export
 * (swapconn.c, swap_link.c, the NBD client, over the same lwIP, pool and
 * timers), reads, writes and flushes it, and makes malformed calls (bad
 * batches, tags in flight, labels not its own or no one's, calls of the
 * pager's by others); the server it talks to answers, answers late and
 * out of order, errs, says ESHUTDOWN, resets, closes or cuts a reply part
 * way, stalls (its window shut), answers what nobody asked, goes down,
 * greets as another service or with another export's size. The model:
 * each swap request answered once (no other tag ever done), a read with
 * the page as last written (a write failed leaves it unknown, one late
 * retires it), errors only those netd gives (EIO, ENXIO); the status
 * page's outage bound and end the link's, never passed while published,
 * every pager thread with a request out told as an outage begins; the
 * swap connection within its part of the reserve; at a seed's end, calm,
 * every request answered within the link's bounds and every page known
 * read back as written. A peer's segments to the swap server carry its
 * stream (srv_byte), not a generated one.
 * NETD_RAND_SEEDS="first:count" runs others, NETD_RAND_TRACE=1 says each
 * step, =N (above 1) those of seed N alone: lwIP's state runs on from
 * seed to seed, so a seed is replayed with those before it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sockets.c"
#include "blk_request.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "pool_shares.h"
#include "nbd_go_reply.h"
#include "netd_host.h"
#include "rand_met.h"
#include "swap_link.h"
#include "swap_stamp.h"
#include "tcp_segment.h"
#include "tcp_timers.h"

#define SEEDS 30
#define STEPS 1500
#define US 0x0a00020fu		/* 10.0.2.15 */
#define PEER 0x0a000202u	/* 10.0.2.2 */
#define SWAP_PORT 10809		/* the swap server's, on PEER */
#define CLIENTS 7
#define STRANGER 999		/* a pid the pager never admitted */
#define HANDLES 16384
#define PEERS 1024

static unsigned long seed;
static unsigned step;
static int tracing;
static uint64_t rng;

#define check(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "seed %lu step %u: ", seed, step); \
			fail_msg(__VA_ARGS__); \
		} \
	} while (0)

static void trace(const char *fmt, ...)
{
	va_list ap;

	if (!tracing || (tracing > 1 && (unsigned long)tracing != seed))
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%lu.%u: ", seed, step);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static bool chance(unsigned percent)
{
	return rnd(100) < percent;
}

/* --- the system calls sockets.c and netd_mem.c make --- */

/* A handle the test made: whose, what, and whether netd holds it now. */
struct handle {
	bool held;		/* passed to netd and not closed by it */
	bool dead;		/* no copy left that may wait: signals fail */
	bool signalled[2];	/* NET_EVENT_BIT since its program was told to wait: to send, to read */
	int info;
};

static struct handle handles[HANDLES];
static int next_handle;

int sys_handle_info(int h)
{
	if (h < 0 || h >= HANDLES || !handles[h].held)
		return -ERR_PIPE;
	return handles[h].info;
}

int sys_handle_close(int h)
{
	check(h >= 0 && h < HANDLES && handles[h].held, "netd closed handle %d, not its", h);
	handles[h].held = false;
	return 0;
}

/* The pager's threads told of a completion (or an outage's start), by
 * BLK_DONE_NOTES notification. */
static bool done_told[BLK_DONE_NOTES];

int sys_notify_signal(int h, uint64_t bits)
{
	if (h >= NET_HANDLE_DONE && h < NET_HANDLE_DONE + BLK_DONE_NOTES) {
		check(bits == BLK_DONE_BIT, "a pager thread signalled %#lx", (unsigned long)bits);
		done_told[h - NET_HANDLE_DONE] = true;
		return 0;
	}
	check(h >= 0 && h < HANDLES && handles[h].held, "netd signalled handle %d, not its", h);
	if (bits & NET_EVENT_BIT)
		handles[h].signalled[0] = handles[h].signalled[1] = true;
	return handles[h].dead ? -ERR_PIPE : 0;
}

int64_t sys_clock(void)
{
	return 1;
}

static uint32_t now_ms;

u32_t sys_now(void)
{
	return now_ms;
}

int64_t netd_now(void)
{
	return (int64_t)now_ms * CLOCK_NS_PER_MS;
}

/* --- the pool as netd holds it: transmit slots kept, receive buffers posted --- */

static uint8_t arena[NET_POOL_PAGES * NET_PAGE_SIZE] __attribute__((aligned(4096)));
static uint64_t pool_pa[NET_POOL_PAGES];
static int posted[NET_RX_POSTED];
static unsigned nposted;
static struct pbuf_custom wrap[NET_POOL_MAX_BUFS];

static void refill(void)
{
	int b;

	while (nposted < NET_RX_POSTED && (b = net_pool_take(&netd_pool, NET_TAKE_RECEIVE)) >= 0)
		posted[nposted++] = b;
}

/* netif.c's: netd posts receive buffers again at every notification. */
void netd_netif_refill(void)
{
	refill();
}

static void pool_start(void)
{
	for (unsigned i = 0; i < NET_POOL_PAGES; i++)
		pool_pa[i] = 0x80000000u + i * NET_PAGE_SIZE;
	assert_int_equal(net_pool_init(&netd_pool, (uintptr_t)arena, pool_pa, NET_POOL_PAGES,
				       NET_POOL_RESERVE), 0);
	for (unsigned i = 0; i < NET_TX_SLOTS_MAX; i++)
		assert_true(net_pool_take(&netd_pool, NET_TAKE_ORDINARY) >= 0);
	nposted = 0;
	refill();
	assert_int_equal(nposted, NET_RX_POSTED);
}

/* Buffers the swap link's connection holds (its pcb's argument is
 * netd's own tag, not a program's connection). */
static uint32_t swap_held(void)
{
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->callback_arg && !sock_of_arg(pcb->callback_arg))
			return pcb_held(pcb);
	return 0;
}

/* Buffers programs' traffic holds: all taken but the slots, the posted
 * and the swap connection's. */
static uint32_t programs_hold(void)
{
	return netd_pool.nbufs - netd_pool.nfree - NET_TX_SLOTS_MAX - nposted - swap_held();
}

static void wrap_free(struct pbuf *p)
{
	net_pool_give(&netd_pool, (unsigned)((struct pbuf_custom *)p - wrap));
}

/* --- the interface: netd's segments caught, the peers' taken in --- */

struct pkt {
	uint16_t len;
	uint8_t b[1520];
};

#define QUEUE 512
static struct pkt outq[QUEUE];
static unsigned out_head, out_n;
/* netd.c's interface (netif.h): the address NET_SETUP answers is its. */
struct netif netd_netif;

static err_t catch_output(struct netif *n, struct pbuf *p, const ip4_addr_t *to)
{
	(void)n, (void)to;
	if (out_n == QUEUE)
		return ERR_OK;	/* lost on the wire */
	struct pkt *k = &outq[(out_head + out_n++) % QUEUE];

	k->len = pbuf_copy_partial(p, k->b, sizeof(k->b), 0);
	return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
	n->output = catch_output;
	n->mtu = 1500;
	return ERR_OK;
}

/* A packet into netd as netif.c takes one: in a posted receive buffer.
 * Whether netd took it in (not dropped for want of a buffer or by the
 * reserve rule: its payload may still be refused, as TCP may). */
static bool into_netd(const uint8_t *b, unsigned len)
{
	uint64_t dropped = netd_dropped_nomem;

	if (nposted == 0)
		return false;
	int buf = posted[--nposted];
	void *va = net_buf_va(&netd_pool, (unsigned)buf);

	memcpy(va, b, len);
	wrap[buf].custom_free_function = wrap_free;
	struct pbuf *p = pbuf_alloced_custom(PBUF_RAW, (u16_t)len, PBUF_REF, &wrap[buf], va,
					     (u16_t)len);
	if (!p)
		net_pool_give(&netd_pool, (unsigned)buf);
	else if (netd_netif.input(p, &netd_netif) != ERR_OK)
		pbuf_free(p);
	netd_input_done();
	return p && netd_dropped_nomem == dropped;
}

/* --- the peers --- */

enum peer_mode { ACCEPTS, REFUSES, SILENT };
enum peer_state { P_WAIT, P_EST, P_DEAD };

/* A connection as its peer sees it. Offsets count stream bytes from 0. */
struct peer {
	enum peer_mode mode;
	enum peer_state st;
	uint16_t port, rport;	/* netd's, the peer's */
	uint32_t gen;		/* which streams: the program's and the peer's */
	bool syn_seen;
	uint32_t irs, iss;	/* netd's and the peer's first sequence numbers */
	uint32_t rcv;		/* netd's stream received in order */
	bool fin_in;		/* netd's FIN received */
	uint32_t una, nxt;	/* the peer's stream: acknowledged by netd, next to send */
	uint32_t right;		/* netd's window's right edge, as an offset */
	uint32_t sent_max;	/* the most of its stream the peer has sent */
	bool fin_out;		/* the peer's FIN sent, after sent_max bytes */
	bool synack_in;		/* netd took a SYN-ACK in */
	bool rst_in;		/* netd took a reset in: refused before a SYN-ACK, else reset */
	bool lossy;		/* something of it was lost or left unanswered */
	bool stalled;		/* reads nothing: takes no data, offers no window */
	int slot;		/* the program's connection, -1 once closed */
	uint32_t *sent;		/* what netd took from the program, to check against */
	bool swap;		/* the swap link's: the NBD server's stream, not a generated one */
};

static struct peer peers[PEERS];

/* The NBD server's side of the swap link's connections (below). */
static uint8_t srv_byte(uint32_t at);
static bool srv_takes(struct peer *p, const uint8_t *d, uint32_t len);
static void srv_accepted(struct peer *p);
static void srv_push(struct peer *p);
static struct peer *srv_connection(uint16_t port);
static bool netd_ready;		/* NET_SETUP answered: the loop's notifications run */

/* What the seeds met, said at the end (and each kind asserted met). */
static struct {
	unsigned emfile, reaped_open, ebadf, bad_open, refused, reset, timedout, eof, again;
	unsigned nomem, woken, owed, settled, partial_send, zero_send, line_full, in_reserve, stalls;
	uint64_t bytes_out, bytes_in;
} met;
static unsigned npeers;

/* The weather of a seed. */
static struct {
	unsigned loss_out, loss_in;	/* percent of segments lost each way */
	unsigned tiny;			/* percent of the peer's segments of a few bytes */
	unsigned small_wnd;		/* percent of the peer's segments with a tiny window */
	unsigned refuse, silent;	/* percent of connections refused, never answered */
	unsigned burst;			/* sends at most in a row */
	unsigned reads;			/* percent of steps a program reads (at most 18) */
	bool calm;
	/* Peers that read little and programs that send much: the pool down
	 * to its reserve, where the swap connection alone may take. */
	bool pressure;
} wx;

static uint8_t stream_byte(uint32_t gen, char who, uint32_t i)
{
	uint32_t x = gen * 2654435761u ^ (uint32_t)who * 40503u ^ i * 2246822519u;

	return (uint8_t)(x ^ x >> 13 ^ x >> 7);
}

static struct peer *peer_of_port(uint16_t port)
{
	for (unsigned i = npeers; i-- > 0;)
		if (peers[i].port == port)
			return &peers[i];
	return NULL;
}

/* The peer sends a segment to netd: sequence offset seq of its stream. */
static bool peer_sends(struct peer *p, uint8_t flags, uint32_t seq, uint32_t len)
{
	uint8_t b[TCP_SEGMENT_MAX], data[TCP_MSS];
	uint16_t wnd = p->stalled ? 0 : !wx.calm && chance(wx.small_wnd) ? (uint16_t)rnd(600) : 0xffff;

	if (!wx.calm && chance(wx.loss_in)) {
		p->lossy = true;
		return false;
	}
	for (uint32_t i = 0; i < len; i++)
		data[i] = p->swap ? srv_byte(seq + i) : stream_byte(p->gen, 'p', seq + i);
	unsigned total = tcp_segment_build(b, &(struct tcp_segment){
		.src = PEER, .dst = US, .sport = p->rport, .dport = p->port,
		.seq = p->iss + (flags & TCP_SYN ? 0 : 1) + seq,
		.ack = p->irs + 1 + p->rcv + p->fin_in, .flags = flags, .wnd = wnd, .data = data,
		.len = (uint16_t)len });
	bool in = into_netd(b, total);

	trace("peer of slot %d (port %u) sends %#x at %u, %u bytes: %s", p->slot, p->port, flags,
	      seq, len, in ? "in" : "dropped");
	p->lossy |= !in;
	return in;
}

static void peer_ack(struct peer *p)
{
	peer_sends(p, TCP_ACK, p->nxt + (p->fin_out && p->nxt == p->sent_max), 0);
}

/* The peer's data from offset at, len bytes (FIN with the last). */
static void peer_data(struct peer *p, uint32_t at, uint32_t len)
{
	bool fin = p->fin_out && at + len == p->sent_max;

	peer_sends(p, TCP_ACK | TCP_PSH | (fin ? TCP_FIN : 0), at, len);
}

/* netd's segment for p: SYN, ACK, data, FIN or RST. */
static void peer_takes(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
		       const uint8_t *data, uint32_t len)
{
	if (p->st == P_DEAD)
		return;
	if (flags & TCP_RST) {
		p->st = P_DEAD;
		return;
	}
	if (flags & TCP_SYN) {
		p->syn_seen = true, p->irs = seq;
		if (p->mode == SILENT) {
			p->lossy = true;
		} else if (p->mode == REFUSES) {
			p->rst_in |= peer_sends(p, TCP_RST | TCP_ACK, 0, 0);
		} else {
			p->synack_in |= peer_sends(p, TCP_SYN | TCP_ACK, 0, 0);
			p->st = P_EST;
			if (p->swap)
				srv_accepted(p);
		}
		return;
	}
	if (p->st != P_EST || !(flags & TCP_ACK))
		return;
	uint32_t acked = ack - p->iss - 1;

	if (acked <= p->sent_max + p->fin_out && acked > p->una)
		p->una = acked > p->sent_max ? p->sent_max : acked;
	if (p->nxt < p->una)
		p->nxt = p->una;
	p->right = acked + wnd;
	uint32_t off = seq - p->irs - 1;

	if (p->swap)
		trace("server gets %#x at %u, %u bytes", flags, off, len);

	/* In order, or overlapping what came (a retransmission cut anew). */
	if (len > 0 && off <= p->rcv && off + len > p->rcv && !p->stalled && p->swap) {
		if (srv_takes(p, data + (p->rcv - off), off + len - p->rcv))
			p->rcv = off + len;
		if (p->st != P_EST)
			return;
		srv_push(p);
	} else if (len > 0 && off <= p->rcv && off + len > p->rcv && !p->stalled) {
		check(p->slot < 0 || off + len <= *p->sent,
		      "peer of slot %d got %u bytes past the %u netd took", p->slot,
		      off + len, *p->sent);
		for (uint32_t i = 0; i < len; i++)
			check(data[i] == stream_byte(p->gen, 'c', off + i),
			      "peer of slot %d: byte %u not the program's", p->slot, off + i);
		met.bytes_out += off + len - p->rcv;
		p->rcv = off + len;
	}
	if ((flags & TCP_FIN) && off + len == p->rcv && !p->fin_in) {
		p->fin_in = true;
		p->fin_out = true;	/* answer with its own */
	}
	if (len > 0 || (flags & TCP_FIN))
		peer_data(p, p->nxt, 0);
}

static void model_reap(void);
static void deliver_segments(void);

/* Deliver netd's segments caught (each perhaps lost), answers and all;
 * the answers taken in, netd's notification runs as after an interrupt
 * (lwIP's timers, the swap link's tick, the reap, receive buffers posted
 * again, the status page published), and so on while it sends more. */
static void deliver(void)
{
	for (unsigned round = 0; round < 64; round++) {
		deliver_segments();
		if (!netd_ready)
			return;
		netd_host_bits(NET_IRQ_BIT);
		model_reap();
		if (out_n == 0)
			return;
	}
}

/* netd's segments caught, each to its peer (or lost on the way). */
static void deliver_segments(void)
{
	for (unsigned guard = 0; out_n > 0 && guard < 4096; guard++) {
		struct pkt k = outq[out_head];

		out_head = (out_head + 1) % QUEUE, out_n--;
		const uint8_t *t = k.b + (k.b[0] & 15) * 4;
		unsigned tl = k.len - (unsigned)(t - k.b), doff = (t[12] >> 4) * 4u;
		uint16_t port = (uint16_t)(t[0] << 8 | t[1]);
		struct peer *p = peer_of_port(port);

		/* A new connection of the swap link's (not a SYN sent again):
		 * a new server process takes it, as nbdkit --single's. */
		if ((t[2] << 8 | t[3]) == SWAP_PORT && (t[13] & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
		    !(p && p->swap && p->syn_seen && p->irs == tcp_segment_get32(t + 4)))
			p = srv_connection(port);
		if (!p)
			continue;
		if (!wx.calm && chance(wx.loss_out)) {
			p->lossy = true;
			continue;
		}
		peer_takes(p, t[13], tcp_segment_get32(t + 4), tcp_segment_get32(t + 8),
			   (uint16_t)(t[14] << 8 | t[15]), t + doff, tl - doff);
	}
}

/* The peer sends new data (perhaps tiny, perhaps past a hole, within the
 * window), its FIN, a reset, or everything unacknowledged again. */
static void peer_acts(struct peer *p, bool settling)
{
	uint32_t r = rnd(100);

	if (p->st != P_EST || p->swap)
		return;		/* the swap server's acts: srv_act */
	if (r < 3 && !settling) {
		p->rst_in |= peer_sends(p, TCP_RST | TCP_ACK, p->nxt, 0);
		p->st = P_DEAD;
		return;
	}
	p->stalled &= !settling;
	if (r < 5 && !settling && !(wx.pressure && p->stalled)) {
		p->stalled = !p->stalled;
		met.stalls += p->stalled;
		return;
	}
	if (r < 6 && !p->fin_out && !settling) {
		p->fin_out = true;
		peer_data(p, p->sent_max, 0);
		return;
	}
	if (r < 30 || p->fin_out || settling) {
		for (uint32_t at = p->una; at < p->sent_max; at += 1000)
			peer_data(p, at, p->sent_max - at < 1000 ? p->sent_max - at : 1000);
		if (p->sent_max == p->una)
			peer_ack(p);
		p->nxt = p->sent_max;
		return;
	}
	uint32_t len = !wx.calm && chance(wx.tiny) ? 1 + rnd(8) : 1 + rnd(1460);
	uint32_t at = p->nxt;

	if (r < 40 && !wx.calm)
		at += 1 + rnd(3000);	/* out of order: past a hole */
	if (at + len > p->right || at + len > p->una + TCP_WND)
		return;
	if (at + len > p->sent_max)
		p->sent_max = at + len;
	peer_data(p, at, len);
	if (at == p->nxt)
		p->nxt = at + len;
}

/* Several of the peer's acts at once, as a fast sender's. */
static void peer_burst(struct peer *p)
{
	for (uint32_t n = 1 + rnd(24); n > 0; n--)
		peer_acts(p, false);
}

/* --- the programs and the model of their connections --- */

struct client {
	uint32_t pid, line;
	unsigned entry;		/* its admission table entry */
};

/* A connection of the model, by netd's slot. */
struct msock {
	bool used;
	unsigned client;
	uint32_t pid;		/* its owner's */
	bool doomed;		/* owner ended, or notification dropped: freed at the next reap */
	int note;
	struct peer *peer;
	uint32_t gen;
	uint32_t sent, read;	/* program bytes netd took; peer bytes read */
	long failed;		/* the error it answered, once failed */
	bool owed;		/* a send took nothing: the event is due by the tick after */
	bool waiting[2];	/* its latest answer said wait for the event: to send, to read */
};

static volatile uint64_t admitted[NET_ADMITTED_MAX];
static struct client clients[CLIENTS];
static struct msock model[NET_SOCKETS_MAX];
static uint32_t next_pid, next_gen;
static uint32_t sent_of_closed;	/* a closed connection's peer checks against this: no more */

static void admit(unsigned c)
{
	clients[c].pid = next_pid++;
	admitted[clients[c].entry] = net_admission(clients[c].pid, clients[c].line);
}

static int new_handle(int info)
{
	check(next_handle < HANDLES, "out of test handles");
	handles[next_handle] = (struct handle){ .held = true, .info = info };
	return next_handle++;
}

static long call(uint32_t pid, uint64_t label, uint64_t w0, uint64_t w1, int handle,
		 const void *data, uint32_t len, struct msg *out)
{
	static struct msg in;

	memset(&in, 0, MSG_HEADER_SIZE);
	in.label = label, in.pid = pid, in.handle = handle, in.w[0] = w0, in.w[1] = w1;
	in.len = len;
	if (len)
		memcpy(in.data, data, len);
	netd_host_call(&in, out);
	long r = (long)out->label;

	check(handle < 0 || !handles[handle].held || (label == NET_CONNECT && r >= 0),
	      "handle %d passed with call %#lx (answer %ld) kept", handle, (unsigned long)label, r);
	return r;
}

/* The model's slot freed (closed, or reaped): its peer checks no more. */
static void model_free(unsigned i)
{
	struct msock *m = &model[i];

	if (m->peer) {
		m->peer->slot = -1;
		m->peer->sent = &sent_of_closed;
		sent_of_closed = UINT32_MAX;
	}
	*m = (struct msock){ 0 };
}

/* A reap frees every doomed connection. */
static void model_reap(void)
{
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		if (model[i].used && model[i].doomed) {
			model_free(i);
			met.reaped_open++;
		}
}

/* Whether pid (of line) may open one more, as the model counts. */
static bool may_open(uint32_t pid, uint32_t line)
{
	unsigned all = 0, mine = 0, same = 0;

	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++) {
		const struct msock *m = &model[i];

		all += m->used;
		mine += m->used && m->pid == pid;
		same += m->used && clients[m->client].line == line;
	}
	return all < NET_SOCKETS_MAX && mine < NET_SOCKETS_PER_PROC &&
	       (line == 0 || same < NET_LINE_SOCKETS);
}

/* A connect well formed: a slot as the model expects, or -EMFILE. */
static void do_open(unsigned c)
{
	struct client *cl = &clients[c];
	struct msg out;
	bool ok = may_open(cl->pid, cl->line);

	if (!ok) {
		model_reap();
		ok = may_open(cl->pid, cl->line);
	}
	int h = new_handle(HANDLE_TYPE_NOTIFY << 8 | RIGHT_SEND);
	uint32_t gen = ++next_gen;
	uint16_t rport = (uint16_t)(1000 + rnd(50));
	long r = call(cl->pid, NET_CONNECT, PEER, rport, h, NULL, 0, &out);

	trace("client %u (pid %u) opens: %ld", c, cl->pid, r);
	if (!ok) {
		check(r == -EMFILE, "connect past a bound answered %ld", r);
		met.emfile++;
		return;
	}
	/* No buffer for its SYN: the pool down to its reserve (perhaps by the
	 * FIN of a connection reaped on the way), and so it stays. */
	if (r == -ENOMEM) {
		check(net_pool_in_reserve(&netd_pool), "connect answered -ENOMEM, the pool not short");
		met.nomem++;
		return;
	}
	check(r >= 0 && r < NET_SOCKETS_MAX, "connect answered %ld", r);
	check(!model[r].used, "connect gave slot %ld, still used", r);
	check(socks[r].pcb && socks[r].note == h, "slot %ld: not the new connection", r);
	check(npeers < PEERS, "out of peers");
	struct peer *p = &peers[npeers++];
	uint32_t m = rnd(100);

	*p = (struct peer){ .port = socks[r].pcb->local_port, .rport = rport, .gen = gen,
			    .iss = rnd(UINT32_MAX), .right = TCP_WND, .slot = (int)r,
			    .sent = &model[r].sent,
			    .mode = wx.calm ? ACCEPTS : m < wx.refuse ? REFUSES :
				    m < wx.refuse + wx.silent ? SILENT : ACCEPTS };
	p->stalled = wx.pressure && !wx.calm && chance(80);
	model[r] = (struct msock){ .used = true, .client = c, .pid = cl->pid, .note = h,
				   .peer = p, .gen = gen };
}

/* The slots netd must answer -EBADF for pid: any not its own. */
static uint64_t foreign_slot(uint32_t pid)
{
	uint64_t odd[] = { NET_SOCKETS_MAX, NET_SOCKETS_MAX + 1, UINT32_MAX, (uint64_t)1 << 40,
			   UINT64_MAX, (uint64_t)-1 - NET_SOCKETS_MAX };
	uint64_t i = rnd(NET_SOCKETS_MAX);

	if (chance(30))
		return odd[rnd(sizeof(odd) / sizeof(odd[0]))];
	if (model[i].used && model[i].pid == pid)
		return odd[0];
	return i;
}

/* One of c's connections, or -1. */
static int own_slot(unsigned c)
{
	int mine[NET_SOCKETS_MAX], n = 0;

	for (int i = 0; i < NET_SOCKETS_MAX; i++)
		if (model[i].used && model[i].pid == clients[c].pid)
			mine[n++] = i;
	return n ? mine[rnd((uint32_t)n)] : -1;
}

/* A failure as the weather allows: the error the peer's end explains. */
static void check_failure(struct msock *m, long r)
{
	const struct peer *p = m->peer;

	if (m->failed) {
		check(r == m->failed, "failed with %ld, now %ld", m->failed, r);
	} else if (r == -ECONNREFUSED) {
		check(p->rst_in && !p->synack_in, "refused, the peer did not");
		met.refused++;
	} else if (r == -ECONNRESET) {
		check(p->rst_in && p->synack_in, "reset, the peer did not");
		met.reset++;
	} else {
		check((r == -ETIMEDOUT || r == -ECONNABORTED) && p->lossy, "answer %ld", r);
		met.timedout++;
	}
	m->failed = r;
}

/* A program told to wait sleeps until its notification is signalled: if
 * a call now goes on (r not a wait), netd must have signalled since. */
static void check_wakeup(struct msock *m, unsigned dir, bool wait)
{
	if (!wait)
		check(!m->waiting[dir] || handles[m->note].signalled[dir],
		      "a program told to wait to %s was never woken, and now goes on",
		      dir ? "read" : "send");
	met.woken += !wait && m->waiting[dir];
	if (wait)
		handles[m->note].signalled[dir] = false;
	m->waiting[dir] = wait;
}

static bool is_failure(long r)
{
	return r == -ECONNREFUSED || r == -ECONNRESET || r == -ETIMEDOUT || r == -ECONNABORTED;
}

static void prog_send(unsigned c, int i, uint32_t len)
{
	static uint8_t data[MSG_DATA_MAX];
	struct msock *m = &model[i];
	struct msg out;

	for (uint32_t k = 0; k < len; k++)
		data[k] = stream_byte(m->gen, 'c', m->sent + k);
	long r = call(clients[c].pid, NET_SEND, (uint64_t)i, 0, -1, data, len, &out);

	trace("client %u sends %u on %d: %ld", c, len, i, r);
	/* Nothing taken says the connection is open (no wait checked: a
	 * smaller send may fit now), and that the event comes by the tick
	 * after (check_owed). */
	if (len > 0)
		check_wakeup(m, 0, r == -EINPROGRESS);
	if (len > 0 && r == 0) {
		m->owed = true;
		handles[m->note].signalled[0] = false;
	}
	if (r == -EINPROGRESS) {
		check(!m->peer->synack_in && !m->failed, "send: still opening, the peer answered");
	} else if (r >= 0) {
		check(m->peer->synack_in && !m->failed && (uint32_t)r <= len,
		      "send took %ld of %u", r, len);
		m->sent += (uint32_t)r;
		met.partial_send += r > 0 && (uint32_t)r < len;
		met.zero_send += r == 0 && len > 0;
	} else {
		check_failure(m, r);
	}
}

static void prog_recv(unsigned c, int i, uint32_t want)
{
	struct msock *m = &model[i];
	const struct peer *p = m->peer;
	struct msg out;
	long r = call(clients[c].pid, NET_RECV, (uint64_t)i, want, -1, NULL, 0, &out);

	trace("client %u reads %u on %d: %ld", c, want, i, r);
	if (want > 0)
		check_wakeup(m, 1, r == -EAGAIN);
	if (r > 0) {
		check((uint32_t)r <= want && r <= MSG_DATA_MAX && out.len == r, "read %ld of %u", r,
		      want);
		check(m->read + (uint32_t)r <= p->sent_max, "read past what the peer sent");
		for (long k = 0; k < r; k++)
			check(out.data[k] == stream_byte(m->gen, 'p', m->read + (uint32_t)k),
			      "slot %d: byte %u read is not the peer's", i, m->read + (uint32_t)k);
		m->read += (uint32_t)r;
		met.bytes_in += (uint64_t)r;
	} else if (r == 0) {
		check(p->fin_out && (want == 0 || m->read == p->sent_max),
		      "end of stream at %u, the peer's is %s at %u", m->read,
		      p->fin_out ? "sent" : "not sent", p->sent_max);
		met.eof += want > 0;
	} else if (r == -EAGAIN) {
		check(want == 0 || m->read >= p->una,
		      "nothing to read at %u, netd acknowledged %u", m->read, p->una);
		met.again++;
	} else {
		check(is_failure(r), "read answered %ld", r);
		check_failure(m, r);
	}
}

static void do_close(unsigned c, int i)
{
	struct msg out;
	long r = call(clients[c].pid, NET_CLOSE, (uint64_t)i, 0, -1, NULL, 0, &out);

	trace("client %u closes %d: %ld", c, i, r);
	check(r == 0, "close of its own answered %ld", r);
	model_free((unsigned)i);
}

/* A call on a connection not the caller's (or none), perhaps with a handle
 * passed: -EBADF, the handle closed, nothing else changed. */
static void do_foreign(uint32_t pid)
{
	static const uint64_t labels[] = { NET_SEND, NET_RECV, NET_CLOSE };
	uint64_t slot = foreign_slot(pid);
	int h = chance(30) ? new_handle(HANDLE_TYPE_NOTIFY << 8 | RIGHT_SEND) : -1;
	struct msg out;
	static const uint8_t data[64];
	long r = call(pid, labels[rnd(3)], slot, rnd(2000), h, data, rnd(64), &out);

	trace("pid %u on foreign %#lx: %ld", pid, (unsigned long)slot, r);
	check(r == -EBADF, "a call on slot %#lx not pid %u's answered %ld", (unsigned long)slot,
	      pid, r);
	check(out.len == 0, "a refused call answered data");
	met.ebadf++;
}

/* A connect malformed, or refused: its answer, the handle closed. */
static void do_bad_open(unsigned c)
{
	uint32_t pid = clients[c].pid;
	int rights[] = { RIGHT_SEND | RIGHT_RECV, 0, RIGHT_RECV, RIGHT_SEND | RIGHT_GRANT };
	int info = HANDLE_TYPE_NOTIFY << 8 | RIGHT_SEND;
	uint64_t addr = PEER, port = 80;
	long want = -EINVAL;
	struct msg out;

	switch (rnd(7)) {
	case 0: addr = 0; break;
	case 1: addr = (uint64_t)1 << 32 | PEER; break;
	case 2: port = rnd(2) ? 0 : 65536 + rnd(1000); break;
	case 3: info = HANDLE_TYPE_NOTIFY << 8 | rights[rnd(4)]; break;
	case 4: info = (int)(HANDLE_TYPE_PROC + rnd(2)) << 8 | RIGHT_SEND; break;
	case 5: port = SWAP_PORT, want = -EACCES; break;
	default: pid = STRANGER, want = -EPERM; break;
	}
	int h = -1;

	if (rnd(8))
		h = new_handle(info);
	else
		want = -EINVAL;	/* no notification */
	long r = call(pid, NET_CONNECT, addr, port, h, NULL, 0, &out);

	trace("pid %u bad connect: %ld", pid, r);
	check(r == want, "bad connect answered %ld, not %ld", r, want);
	met.bad_open++;
	if (r == -EPERM)
		model_reap();	/* refused, netd reaped and asked again */
}

/* Program c ends (its entry emptied, or at once another's), its
 * notifications with it; a new program takes its place. */
static void do_exit(unsigned c)
{
	trace("client %u (pid %u) ends", c, clients[c].pid);
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		if (model[i].used && model[i].pid == clients[c].pid) {
			model[i].doomed = true;
			handles[model[i].note].dead = true;
		}
	admitted[clients[c].entry] = 0;
	if (chance(50))
		admit(c);
	else
		clients[c].pid = 0;	/* admitted at its next call */
}

/* c drops its notification of one connection: netd frees it at its reap. */
static void do_drop_note(unsigned c)
{
	int i = own_slot(c);

	if (i < 0)
		return;
	trace("client %u drops the notification of %d", c, i);
	model[i].doomed = true;
	handles[model[i].note].dead = true;
}

/* A send that took nothing is answered with the event by the tick after,
 * unless data in flight brings it with its acknowledgement. */
static void check_owed(void)
{
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++) {
		struct msock *m = &model[i];
		const struct tcp_pcb *pcb = socks[i].pcb;

		if (!m->used || !m->owed)
			continue;
		check(handles[m->note].signalled[0] || (pcb && (pcb->unacked || pcb->unsent)),
		      "slot %u: a send took nothing, and no event came by the tick after", i);
		met.owed += handles[m->note].signalled[0];
		m->owed = false;
	}
}

static void tick(void);

/* --- the swap link's NBD server --- */

#define PAGER_PID 1		/* the first to call netd (NET_POOL): the pager */
#define EXPORT_PAGES 64
#define EXPORT_BYTES (EXPORT_PAGES * BLK_PAGE_SIZE)
#define SRV_BUF (1u << 18)	/* a connection's bytes either way, not yet taken */
#define NBD_EIO 5

enum srv_greet { G_NBD, G_NOT_NBD, G_WRONG_SIZE, G_SILENT };

struct held_reply {
	uint64_t cookie, off;
	uint32_t len;
	uint16_t type;
	bool forever;		/* not answered while the weather lasts */
};

/* The export, and the server process of the latest connection (one a
 * connection, as nbdkit --single's: an older one's is gone with it). */
static struct {
	uint8_t disk[EXPORT_BYTES];
	bool down;		/* every connection refused or never answered */
	bool next_not_nbd;	/* the next connection's greeting is another service's */
	struct peer *p;		/* the connection it serves, or NULL */
	enum srv_greet greet;
	bool hs_done;
	uint8_t in[SRV_BUF];	/* netd's bytes not yet taken as requests */
	uint32_t in_len;
	uint8_t out[SRV_BUF];	/* its stream: byte i at out[i % SRV_BUF] */
	uint32_t out_len;
	struct held_reply held[NBD_SLOTS];
	unsigned nheld;
} srv;

/* The server's weather: percent of requests, of connections; its acts. */
static struct {
	unsigned err, shut, hold, never, reset, cut;	/* requests */
	unsigned refuse, silent, not_nbd, wrong_size;	/* connections */
	unsigned fin, stall, bogus;			/* percent of its acts */
	unsigned down;					/* per mille of its acts */
} swx;

/* What the swap side met. */
static struct {
	unsigned answered, errors, held, resets, cuts, shut, bogus, fins, stalls, not_nbd,
		wrong_size, refused, silent, down, setup_failed;
	unsigned reads_ok, writes_ok, flushes, read_err, write_err, late, gone, outages,
		outage_ended, bad_submit, bad_flush, refused_call, stats, in_reserve,
		read_back;
} sm;

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint8_t srv_byte(uint32_t at)
{
	return srv.out[at % SRV_BUF];
}

/* Queue bytes on the server's stream, if there is room: what is queued
 * and not yet acknowledged stays in its buffer. */
static bool srv_queue(const uint8_t *b, uint32_t len)
{
	if (srv.p->fin_out || srv.out_len - srv.p->una + len > SRV_BUF)
		return false;
	for (uint32_t i = 0; i < len; i++)
		srv.out[(srv.out_len + i) % SRV_BUF] = b[i];
	srv.out_len += len;
	return true;
}

/* Send what is queued, within netd's window (a FIN with the last). */
static void srv_push(struct peer *p)
{
	while (p->st == P_EST && p == srv.p) {
		uint32_t end = min32(srv.out_len, min32(p->right, p->una + TCP_WND));

		if (end <= p->nxt)
			return;
		uint32_t n = min32(end - p->nxt, TCP_MSS);

		if (p->nxt + n > p->sent_max)
			p->sent_max = p->nxt + n;
		peer_data(p, p->nxt, n);
		p->nxt += n;
	}
}

static void srv_reset(struct peer *p)
{
	peer_sends(p, TCP_RST | TCP_ACK, p->nxt, 0);
	p->st = P_DEAD;
	sm.resets++;
}

/* The server closes: what it queued goes first, then its FIN. */
static void srv_fin(struct peer *p)
{
	p->fin_out = true;
	sm.fins++;
	if (p->nxt >= srv.out_len)
		peer_data(p, srv.out_len, 0);
	else
		srv_push(p);
}

/* A simple reply, a read's data from the export as it is now; whether
 * there was room for it. */
static bool srv_reply(uint64_t cookie, uint32_t error, uint16_t type, uint64_t off, uint32_t len)
{
	uint8_t h[NBD_REPLY_BYTES];
	uint32_t data = type == NBD_CMD_READ && error == 0 ? len : 0;

	if (srv.p->fin_out || srv.out_len - srv.p->una + sizeof(h) + data > SRV_BUF)
		return false;
	nbd_put32(h, NBD_SIMPLE_REPLY_MAGIC);
	nbd_put32(h + 4, error);
	nbd_put64(h + 8, cookie);
	srv_queue(h, sizeof(h));
	srv_queue(srv.disk + off, data);
	return true;
}

/* A reply cut part way, then the connection reset or closed. */
static void srv_cut(struct peer *p, uint64_t cookie, uint16_t type, uint64_t off, uint32_t len)
{
	static uint8_t b[NBD_REPLY_BYTES + NET_MAX_PAGES * BLK_PAGE_SIZE];
	uint32_t whole = NBD_REPLY_BYTES + (type == NBD_CMD_READ ? len : 0);

	nbd_put32(b, NBD_SIMPLE_REPLY_MAGIC);
	nbd_put32(b + 4, 0);
	nbd_put64(b + 8, cookie);
	if (type == NBD_CMD_READ)
		memcpy(b + NBD_REPLY_BYTES, srv.disk + off, len);
	srv_queue(b, 1 + rnd(whole - 1));
	sm.cuts++;
	if (rnd(2))
		return srv_fin(p);
	srv_push(p);
	srv_reset(p);
}

/* The greeting, nbdkit's (fixed newstyle) or another service's. */
static void srv_accepted(struct peer *p)
{
	static const char ssh[] = "SSH-2.0-OpenSSH_9.6\r\n";
	uint8_t b[18];

	if (p != srv.p || srv.out_len > 0 || srv.greet == G_SILENT)
		return;		/* its SYN-ACK again, or a server that says nothing */
	if (srv.greet == G_NOT_NBD) {
		srv_queue((const uint8_t *)ssh, sizeof(ssh) - 1);
	} else {
		nbd_put64(b, NBD_MAGIC);
		nbd_put64(b + 8, NBD_OPT_MAGIC);
		nbd_put16(b + 16, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
		srv_queue(b, sizeof(b));
	}
	srv_push(p);
}

/* NBD_OPT_GO answered: the export (of another size, for G_WRONG_SIZE). */
static void srv_handshake(void)
{
	uint8_t b[NBD_GO_REPLY_BYTES];
	uint64_t size = EXPORT_BYTES;

	if (srv.greet == G_WRONG_SIZE)
		size -= BLK_PAGE_SIZE * (1 + rnd(8));
	nbd_go_reply(b, size, NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH);
	srv_queue(b, sizeof(b));
}

/* One request taken whole: performed (a write at once, as it comes) and
 * answered as the weather says. */
static void srv_request(struct peer *p, uint16_t type, uint64_t cookie, uint64_t off, uint32_t len,
			const uint8_t *data)
{
	uint32_t r = wx.calm ? 100 : rnd(100), c = 0;
	bool write = type == NBD_CMD_WRITE;

	if (r < (c += swx.reset)) {
		if (write && rnd(2))
			memcpy(srv.disk + off, data, len);
		return srv_reset(p);
	}
	if (r < (c += swx.cut)) {
		if (write)
			memcpy(srv.disk + off, data, len);
		return srv_cut(p, cookie, type, off, len);
	}
	if (r < (c += swx.err) && srv_reply(cookie, NBD_EIO, type, off, len)) {
		sm.errors++;
		return;
	}
	if (r < (c += swx.shut) && srv_reply(cookie, NBD_ESHUTDOWN, type, off, len)) {
		sm.shut++;
		return;
	}
	if (write)
		memcpy(srv.disk + off, data, len);
	c += swx.hold + swx.never;
	if (r >= c && srv_reply(cookie, 0, type, off, len)) {
		sm.answered++;
		return;
	}
	check(srv.nheld < NBD_SLOTS, "more requests out than netd has slots");
	srv.held[srv.nheld++] = (struct held_reply){ .cookie = cookie, .off = off, .len = len,
						     .type = type,
						     .forever = r < c && r >= c - swx.never };
	sm.held++;
}

/* netd's bytes, in order: the handshake's, then requests. Whether they
 * were taken (not: no room, as a server that reads no more). */
static bool srv_takes(struct peer *p, const uint8_t *d, uint32_t len)
{
	uint32_t used = 0;

	if (p != srv.p)
		return true;	/* an old connection's server: gone */
	if (srv.in_len + len > SRV_BUF)
		return false;
	memcpy(srv.in + srv.in_len, d, len);
	srv.in_len += len;
	while (p->st == P_EST && !p->fin_out) {
		const uint8_t *b = srv.in + used;
		uint32_t have = srv.in_len - used;

		if (!srv.hs_done && srv.greet != G_NBD && srv.greet != G_WRONG_SIZE) {
			used = srv.in_len;	/* not NBD's: read, never answered */
			break;
		}
		if (!srv.hs_done) {
			if (have < 20)
				break;
			check(nbd_get64(b + 4) == NBD_OPT_MAGIC && nbd_get32(b + 12) == NBD_OPT_GO,
			      "netd's handshake is not NBD_OPT_GO");
			uint32_t olen = nbd_get32(b + 16);

			check(olen < 1024, "an option of %u bytes", olen);
			if (have < 20 + olen)
				break;
			used += 20 + olen;
			srv_handshake();
			srv.hs_done = true;
			continue;
		}
		if (have < NBD_REQUEST_BYTES)
			break;
		uint16_t type = nbd_get16(b + 6);
		uint64_t cookie = nbd_get64(b + 8), off = nbd_get64(b + 16);
		uint32_t rlen = nbd_get32(b + 24);

		check(nbd_get32(b) == NBD_REQUEST_MAGIC, "a request without its magic");
		check(type == NBD_CMD_READ || type == NBD_CMD_WRITE || type == NBD_CMD_FLUSH,
		      "a request of type %u", type);
		check(off <= EXPORT_BYTES && rlen <= EXPORT_BYTES - off &&
		      rlen <= NET_MAX_PAGES * BLK_PAGE_SIZE, "a request past the export: %lu + %u",
		      (unsigned long)off, rlen);
		uint32_t need = NBD_REQUEST_BYTES + (type == NBD_CMD_WRITE ? rlen : 0);

		if (have < need)
			break;
		used += need;
		trace("server takes request %u (cookie %#lx) at %lu, %u bytes", type,
		      (unsigned long)cookie, (unsigned long)off, rlen);
		srv_request(p, type, cookie, off, rlen, b + NBD_REQUEST_BYTES);
	}
	memmove(srv.in, srv.in + used, srv.in_len - used);
	srv.in_len -= used;
	return true;
}

/* netd opens a new connection to the swap server (port: netd's end). */
static struct peer *srv_connection(uint16_t port)
{
	bool calm = wx.calm;
	enum peer_mode mode = ACCEPTS;

	check(npeers < PEERS, "out of peers");
	if (srv.p)
		srv.p->st = P_DEAD;
	if (srv.down)
		mode = rnd(2) ? REFUSES : SILENT;
	else if (!calm && chance(swx.refuse))
		mode = REFUSES;
	else if (!calm && chance(swx.silent))
		mode = SILENT;
	sm.refused += mode == REFUSES, sm.silent += mode == SILENT;
	struct peer *p = &peers[npeers++];

	*p = (struct peer){ .mode = mode, .port = port, .rport = SWAP_PORT, .iss = rnd(UINT32_MAX),
			    .right = TCP_WND, .slot = -1, .sent = &sent_of_closed, .swap = true };
	srv.p = p;
	srv.hs_done = false;
	srv.in_len = srv.out_len = srv.nheld = 0;
	srv.greet = G_NBD;
	if (srv.next_not_nbd || (!calm && chance(swx.not_nbd)))
		srv.greet = G_NOT_NBD;
	else if (!calm && swap_link_started() && chance(swx.wrong_size))
		srv.greet = G_WRONG_SIZE;
	else if (!calm && chance(swx.silent))
		srv.greet = G_SILENT;
	srv.next_not_nbd = false;
	sm.not_nbd += srv.greet == G_NOT_NBD, sm.wrong_size += srv.greet == G_WRONG_SIZE;
	return p;
}

/* The server acts of itself: answers held, a reply nobody asked for, a
 * stall (its window shut) or its end, going down (or up again), what was
 * lost sent again. */
static void srv_act(bool settling)
{
	struct peer *p = srv.p;
	uint32_t r = rnd(100);

	if (settling || (srv.down && rnd(100) < 4))
		srv.down = false;
	else if (!srv.down && rnd(1000) < swx.down) {
		srv.down = true;
		sm.down++;
		if (p && p->st == P_EST)
			srv_reset(p);
		return;
	}
	if (!p || p->st != P_EST)
		return;
	if (settling && p->stalled) {
		p->stalled = false;
		peer_ack(p);
	}
	if (!settling && r < swx.fin)
		return srv_fin(p);
	if (!settling && r < swx.fin + swx.stall) {
		p->stalled = !p->stalled;
		sm.stalls += p->stalled;
		if (!p->stalled)
			peer_ack(p);	/* its window open again */
		return;
	}
	if (!settling && r < swx.fin + swx.stall + swx.bogus &&
	    srv_reply((uint64_t)rnd(UINT32_MAX) << 20 | rnd(1u << 20), 0, NBD_CMD_FLUSH, 0, 0))
		sm.bogus++;
	for (unsigned k = srv.nheld ? rnd(srv.nheld) : 0; k < srv.nheld;) {
		struct held_reply h = srv.held[k];

		if ((!settling && (h.forever || chance(50))) ||
		    !srv_reply(h.cookie, 0, h.type, h.off, h.len)) {
			k++;
			continue;
		}
		srv.held[k] = srv.held[--srv.nheld];
		sm.answered++;
	}
	if (settling || r < 40)
		p->nxt = p->una;	/* what was lost, again */
	srv_push(p);
	if (p->fin_out && p->una >= srv.out_len)
		peer_data(p, srv.out_len, 0);
	else if (p->nxt == p->una)
		peer_ack(p);
}

/* --- the pager: swap requests through netd's dispatch --- */

enum page_state { PG_KNOWN, PG_UNKNOWN, PG_RETIRED };

struct ptag {
	bool busy, write, flush;
	uint32_t page, npages, notify, ver;
};

static struct {
	bool set_up, gone;
	uint8_t state[EXPORT_PAGES];	/* enum page_state */
	uint32_t ver[EXPORT_PAGES];	/* a known page's last write answered */
	bool busy[EXPORT_PAGES];	/* a request in flight names it */
	struct ptag tag[BLK_TAGS];
	unsigned inflight;
	uint32_t next_ver;
	int64_t until, ended;		/* the status page's, as last looked at */
} pg;

static uint8_t page_byte(uint32_t page, uint32_t ver, uint32_t i)
{
	uint32_t x = page * 2654435761u ^ ver * 40503u ^ i * 2246822519u ^ 0x5a5a;

	return (uint8_t)(x ^ x >> 13 ^ x >> 7);
}

static uint8_t *win(uint32_t tag)
{
	return netd_host_window + (size_t)tag * NET_MAX_PAGES * BLK_PAGE_SIZE;
}

static long pager_call(uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, int handle,
		       const void *data, uint32_t len, struct msg *out)
{
	static struct msg in;

	memset(&in, 0, MSG_HEADER_SIZE);
	in.label = label, in.pid = PAGER_PID, in.handle = handle;
	in.w[0] = w0, in.w[1] = w1, in.w[2] = w2;
	in.len = len;
	if (len)
		memcpy(in.data, data, len);
	netd_host_call(&in, out);
	check(handle < 0 || !handles[handle].held, "handle %d passed with pager call %#lx kept",
	      handle, (unsigned long)label);
	return (long)out->label;
}

/* A write is answered: its pages as they may now be on the export. Pages
 * of a write that went out on a lost connection (its late word) may be
 * written late, at any time: the pager never uses them again. */
static void written(const struct ptag *q, int err, uint32_t late)
{
	for (uint32_t k = 0; k < q->npages; k++) {
		uint32_t pgno = q->page + k;

		if (late & 1u << k)
			pg.state[pgno] = PG_RETIRED;
		else if (err == 0 && late == 0)
			pg.state[pgno] = PG_KNOWN, pg.ver[pgno] = q->ver;
		else if (late == 0)
			pg.state[pgno] = PG_UNKNOWN;	/* performed or not */
		/* else: none of it left netd; the page is as it was */
	}
}

/* A read is answered: each page known is as last written. */
static void read_back(const struct ptag *q, uint32_t tag)
{
	for (uint32_t k = 0; k < q->npages; k++) {
		uint32_t pgno = q->page + k;
		const uint8_t *b = win(tag) + k * BLK_PAGE_SIZE;

		if (pg.state[pgno] != PG_KNOWN)
			continue;
		for (uint32_t i = 0; i < BLK_PAGE_SIZE; i++)
			check(b[i] == page_byte(pgno, pg.ver[pgno], i),
			      "tag %u: page %u byte %u read is %#x, not its version %u's %#x", tag,
			      pgno, i, b[i], pg.ver[pgno], page_byte(pgno, pg.ver[pgno], i));
	}
}

static bool known_error(int err)
{
	return err == -EIO || err == -ENXIO;
}

static void collect_one(uint32_t tag, int err)
{
	struct ptag *q = &pg.tag[tag];
	uint32_t late = netd_host_status.late[tag];

	trace("tag %u done: %s pages %u+%u, error %d, late %#x", tag,
	      q->flush ? "flush" : q->write ? "write" : "read", q->page, q->npages, err, late);

	if (q->flush) {
		check(err == 0 || known_error(err), "a flush answered %d", err);
		check(late == 0, "a flush said late");
		sm.flushes++;
	} else if (!q->write) {
		check(err == 0 || known_error(err), "a read answered %d", err);
		check(late == 0, "a read said late");
		if (err == 0)
			read_back(q, tag);
		sm.reads_ok += err == 0, sm.read_err += err != 0;
	} else {
		check(err == 0 || known_error(err), "a write answered %d", err);
		check(late < 1u << q->npages, "late word %#x for %u pages", late, q->npages);
		written(q, err, late);
		sm.writes_ok += err == 0, sm.write_err += err != 0, sm.late += late != 0;
	}
	for (uint32_t k = 0; k < q->npages; k++)
		pg.busy[q->page + k] = false;
	q->busy = false;
	pg.inflight--;
}

/* The pager's threads collect what netd completed: each request in flight
 * once, and no other tag. */
static void swap_collect(void)
{
	for (uint32_t t = 0; t < BLK_TAGS; t++) {
		struct blk_status *st = &netd_host_status.slot[t];

		if (!pg.tag[t].busy) {
			check(st->state != BLK_DONE, "tag %u completed, none in flight", t);
			continue;
		}
		if (st->state != BLK_DONE)
			continue;
		collect_one(t, st->error);
		st->state = BLK_FREE;
	}
}

/* The status page's swap fields against the link's, and the outage's
 * bound as netd publishes it: never passed while it stands. */
static void swap_check(void)
{
	const struct net_shared *sh = &netd_host_status;
	int64_t until = sh->swap_outage_until, ended = sh->swap_outage_ended, now = netd_now();

	if (!pg.set_up)
		return;
	check(until == swap_link_outage_until(), "outage bound %ld published, the link's %ld",
	      (long)until, (long)swap_link_outage_until());
	check(ended == swap_link_outage_ended(), "outage end %ld published, the link's %ld",
	      (long)ended, (long)swap_link_outage_ended());
	check(sh->swap_gone == (swap_link_state() == SWAP_GONE), "swap_gone %u, the link %d",
	      sh->swap_gone, swap_link_state());
	check(until == 0 || now <= until, "an outage ridden out %ld ms past its published bound",
	      (long)((now - until) / CLOCK_NS_PER_MS));
	check(ended >= pg.ended && ended <= now, "the latest outage's end %ld (was %ld, now %ld)",
	      (long)ended, (long)pg.ended, (long)now);
	if (until != 0 && pg.until == 0) {
		/* An outage began: each thread with a request in flight told. */
		for (uint32_t t = 0; t < BLK_TAGS; t++)
			check(!pg.tag[t].busy || sh->slot[t].state != BLK_SUBMITTED ||
			      done_told[pg.tag[t].notify],
			      "an outage began; the thread waiting for tag %u was not told", t);
		sm.outages++;
	}
	sm.outage_ended += ended != pg.ended;
	sm.gone += sh->swap_gone && !pg.gone;
	pg.gone |= sh->swap_gone;
	pg.until = until, pg.ended = ended;
}

/* A free tag, and pages [*page, +n) no request in flight names, none
 * retired: -1 if the ones drawn are not. */
static int pick(uint32_t *page, uint32_t *n)
{
	uint32_t tag = rnd(BLK_TAGS);

	for (uint32_t k = 0; k < BLK_TAGS && pg.tag[tag].busy; k++)
		tag = (tag + 1) % BLK_TAGS;
	if (pg.tag[tag].busy || netd_host_status.slot[tag].state != BLK_FREE)
		return -1;
	*n = 1 + (chance(70) ? 0 : rnd(NET_MAX_PAGES));
	*page = 1 + rnd(EXPORT_PAGES - 1);
	if (*page + *n > EXPORT_PAGES)
		*n = EXPORT_PAGES - *page;
	for (uint32_t k = 0; k < *n; k++)
		if (pg.busy[*page + k] || pg.state[*page + k] == PG_RETIRED)
			return -1;
	return (int)tag;
}

/* The tags of a batch refused, or taken. */
static void batch_end(const struct blk_request *r, unsigned n, bool taken)
{
	for (unsigned i = 0; i < n; i++) {
		struct ptag *q = &pg.tag[r[i].tag];

		if (!taken) {
			netd_host_status.slot[r[i].tag].state = BLK_FREE;
			continue;
		}
		*q = (struct ptag){ .busy = true, .write = r[i].write, .page = (uint32_t)(r[i].sector / BLK_SECTORS_PER_PAGE),
				    .npages = r[i].npages, .notify = r[i].notify, .ver = q->ver };
		for (uint32_t k = 0; k < q->npages; k++)
			pg.busy[q->page + k] = true;
		pg.inflight++;
	}
}

/* Ways a batch is malformed, and what netd answers each. */
enum bad { BAD_NONE, BAD_TAG, BAD_WRITE, BAD_NOTIFY, BAD_RESERVED, BAD_NPAGES, BAD_SECTOR,
	   BAD_LIST, BAD_STATE, BAD_LEN, BAD_IN_FLIGHT, BAD_TWICE, BAD_KINDS };

static long bad_answer(enum bad b)
{
	return b == BAD_STATE || b == BAD_IN_FLIGHT || b == BAD_TWICE ? -EBUSY : -EINVAL;
}

/* The pager submits a batch (BLK_SUBMIT, or one as BLK_SUBMIT_ONE), well
 * formed or not. */
static void pager_submit(void)
{
	struct blk_request r[BLK_SUBMIT_MAX];
	unsigned n = 0, want = chance(60) ? 1 : 1 + rnd(BLK_SUBMIT_MAX);
	enum bad bad = chance(12) ? (enum bad)(1 + rnd(BAD_KINDS - 1)) : BAD_NONE;
	struct msg out;

	for (unsigned i = 0; i < want; i++) {
		bool write = chance(50);
		uint32_t page, np;
		int tag = pick(&page, &np);

		if (tag < 0)
			break;
		r[n] = (struct blk_request){ .tag = (uint32_t)tag, .write = write,
					     .sector = (uint64_t)page * BLK_SECTORS_PER_PAGE,
					     .npages = np, .notify = rnd(BLK_DONE_NOTES) };
		pg.tag[tag].busy = true;	/* picked: not again in this batch */
		for (uint32_t k = 0; k < np; k++)
			pg.busy[page + k] = true;
		if (write) {
			pg.tag[tag].ver = ++pg.next_ver;
			for (uint32_t k = 0; k < np; k++)
				for (uint32_t b = 0; b < BLK_PAGE_SIZE; b++)
					win((uint32_t)tag)[k * BLK_PAGE_SIZE + b] =
						page_byte(page + k, pg.next_ver, b);
		} else {
			memset(win((uint32_t)tag), 0xa5, np * BLK_PAGE_SIZE);
		}
		netd_host_status.slot[tag].state = BLK_SUBMITTED;
		netd_host_status.late[tag] = 0;
		n++;
	}
	for (unsigned i = 0; i < n; i++) {
		pg.tag[r[i].tag].busy = false;
		for (uint32_t k = 0; k < r[i].npages; k++)
			pg.busy[r[i].sector / BLK_SECTORS_PER_PAGE + k] = false;
	}
	if (n == 0)
		return;
	struct blk_request *x = &r[rnd(n)], keep = *x;
	uint32_t len = n * sizeof(r[0]);
	int busy_tag = -1;

	switch (bad) {
	case BAD_TAG: x->tag = BLK_TAGS + rnd(1000); break;
	case BAD_WRITE: x->write = 2 + rnd(5); break;
	case BAD_NOTIFY: x->notify = BLK_DONE_NOTES + rnd(30); break;
	case BAD_RESERVED: x->reserved = 1 + rnd(5); break;
	case BAD_NPAGES: x->npages = rnd(2) ? 0 : NET_MAX_PAGES + 1 + rnd(100); break;
	case BAD_SECTOR: x->sector = EXPORT_BYTES / BLK_SECTOR - rnd(8); x->npages = 2; break;
	case BAD_LIST: x->list = BLK_LIST_ENTRIES + rnd(9); break;
	case BAD_STATE: netd_host_status.slot[x->tag].state = BLK_FREE; break;
	case BAD_LEN: len = rnd(2) ? len - 1 - rnd(8) : n == BLK_SUBMIT_MAX ? len + 32 : len + 1; break;
	case BAD_IN_FLIGHT:
		for (uint32_t t = 0; t < BLK_TAGS && busy_tag < 0; t++)
			if (pg.tag[t].busy && netd_host_status.slot[t].state == BLK_SUBMITTED)
				busy_tag = (int)t;
		if (busy_tag < 0)
			bad = BAD_NONE;
		break;
	case BAD_TWICE: if (n < 2) bad = BAD_NONE; break;
	default: break;
	}
	if (bad == BAD_LEN && len > MSG_DATA_MAX)
		len = MSG_DATA_MAX - 1;
	if (bad == BAD_IN_FLIGHT)
		x->tag = (uint32_t)busy_tag;
	if (bad == BAD_TWICE)
		x->tag = r[x == r ? 1 : 0].tag;
	bool one = n == 1 && bad != BAD_LEN && chance(50);
	enum swap_state s = swap_link_state();
	long want_r = s == SWAP_GONE ? -ENXIO : bad ? bad_answer(bad) : one ? 1 : (long)n;
	long got;

	if (net_pool_in_reserve(&netd_pool))
		sm.in_reserve++;
	if (one) {
		uint64_t w[BLK_REQUEST_WORDS];

		memcpy(w, r, sizeof(w));
		static struct msg in;

		memset(&in, 0, MSG_HEADER_SIZE);
		in.label = BLK_SUBMIT_ONE, in.pid = PAGER_PID, in.handle = -1;
		memcpy(in.w, w, sizeof(w));
		netd_host_call(&in, &out);
		got = (long)out.label;
	} else {
		got = pager_call(BLK_SUBMIT, 0, 0, 0, -1, r, len, &out);
	}
	trace("pager submits %u (bad %d): %ld", n, bad, got);
	for (unsigned i = 0; i < n; i++)
		trace("  tag %u %s pages %lu+%u", r[i].tag, r[i].write ? "write" : "read",
		      (unsigned long)(r[i].sector / BLK_SECTORS_PER_PAGE), r[i].npages);
	check(got == want_r, "a batch of %u (malformed: %d) answered %ld, not %ld", n, bad, got,
	      want_r);
	*x = keep;	/* the pager's own record of it */
	sm.bad_submit += bad != BAD_NONE;
	batch_end(r, n, got > 0);
}

/* A flush under a free tag, or one malformed. */
static void pager_flush(void)
{
	uint32_t tag = rnd(BLK_TAGS), notify = rnd(BLK_DONE_NOTES);
	int bad = chance(20) ? 1 + (int)rnd(3) : 0;
	struct msg out;

	if (pg.tag[tag].busy || netd_host_status.slot[tag].state != BLK_FREE)
		return;
	if (bad != 3)
		netd_host_status.slot[tag].state = BLK_SUBMITTED;
	netd_host_status.late[tag] = 0;
	uint64_t t = bad == 1 ? BLK_TAGS + rnd(100) : tag;
	uint64_t c = bad == 2 ? BLK_DONE_NOTES + rnd(100) : notify;
	long want = swap_link_state() == SWAP_GONE ? -ENXIO : bad ? -EINVAL : 0;
	long got = pager_call(NET_SWAP_FLUSH, t, c, 0, -1, NULL, 0, &out);

	trace("pager flushes %u (bad %d): %ld", tag, bad, got);
	check(got == want, "a flush (malformed: %d) answered %ld, not %ld", bad, got, want);
	sm.bad_flush += bad != 0;
	if (got < 0) {
		netd_host_status.slot[tag].state = BLK_FREE;
		return;
	}
	pg.tag[tag] = (struct ptag){ .busy = true, .flush = true, .notify = notify };
	pg.inflight++;
}

/* A call netd must refuse, by whom it comes from and what it asks; or
 * netstat's, which anyone may make. The pager's requests themselves:
 * pager_submit, pager_flush; programs': the steps above. */
static void odd_call(void)
{
	static const uint64_t pagers[] = { NET_POOL, NET_SETUP, NET_SWAP_SETUP, BLK_SUBMIT,
					   BLK_SUBMIT_ONE, NET_SWAP_FLUSH, NET_SWAP_START,
					   NET_SWAP_STOP };
	static uint8_t junk[MSG_DATA_MAX];
	uint32_t pid = chance(50) ? PAGER_PID : chance(70) && clients[0].pid ? clients[rnd(2)].pid :
		       STRANGER;
	uint64_t label = chance(50) ? pagers[rnd(8)] : chance(30) ? NET_STATS :
			 chance(50) ? rnd(0x400) : (uint64_t)rnd(UINT32_MAX) << 8 | 0x55;
	bool pagers_label = false;
	struct msg out;
	long want;

	for (unsigned k = 0; k < 8; k++)
		pagers_label |= label == pagers[k];
	if (label == NET_CONNECT || label == NET_SEND || label == NET_RECV || label == NET_CLOSE)
		label = 0x9999;		/* programs' own: the steps above */
	if (label == NET_STATS)
		want = 0;
	else if (pid != PAGER_PID)
		want = -EPERM;
	else if (!pagers_label)
		want = -ENOSYS;
	else if (label == NET_POOL || label == NET_SETUP || label == NET_SWAP_SETUP)
		want = -EINVAL;		/* done already */
	else if (label == NET_SWAP_START)
		want = swap_link_state() == SWAP_GONE ? -ENXIO : -EALREADY;
	else if (label == NET_SWAP_STOP)
		want = -EALREADY;
	else
		return;
	int h = chance(30) ? new_handle(HANDLE_TYPE_NOTIFY << 8 | RIGHT_SEND) : -1;
	uint32_t len = rnd(2) ? 0 : rnd(MSG_DATA_MAX + 1);
	long got = call(pid, label, rng, rng >> 5, h, junk, len, &out);

	trace("pid %u calls %#lx: %ld", pid, (unsigned long)label, got);
	check(got == want, "pid %u's call %#lx answered %ld, not %ld", pid, (unsigned long)label,
	      got, want);
	if (label == NET_STATS) {
		struct net_stats s;

		check(out.len == sizeof(s), "netstat's answer of %u bytes", out.len);
		memcpy(&s, out.data, sizeof(s));
		check(s.pool_free == netd_pool.nfree && s.sockets == sockets_open() &&
		      s.swap_state == (uint32_t)swap_link_state() && s.addr == US,
		      "netstat says free %u, %u open, swap %u, address %#x", s.pool_free,
		      s.sockets, s.swap_state, s.addr);
		sm.stats++;
	} else {
		check(out.len == 0, "a refused call answered data");
		sm.refused_call++;
	}
}

/* --- swap's life in a seed --- */

/* netd as the pager starts it, once (netd lives on from seed to seed):
 * its pool named, a message at a time, then its device and address. */
static void netd_start(void)
{
	uint64_t pa[NET_POOL_PER_MSG], dma[NET_DMA_PAGES] = { 0x90000000, 0x90001000, 0x90002000,
							       0x90003000 };
	struct msg out;

	if (netd_ready)
		return;
	for (uint32_t first = 0; first < NET_POOL_PAGES; first += NET_POOL_PER_MSG) {
		for (uint32_t k = 0; k < NET_POOL_PER_MSG; k++)
			pa[k] = pool_pa[first + k];
		check(pager_call(NET_POOL, first, 0, 0, -1, pa, sizeof(pa), &out) == 0,
		      "NET_POOL at page %u refused", first);
	}
	check(pager_call(NET_SETUP, 5, US, 24, -1, dma, sizeof(dma), &out) == 0 &&
	      out.w[0] == US && out.w[1] == 24, "NET_SETUP answered %ld", (long)out.label);
	netd_ready = true;
}

/* The export as mkswap leaves it (a swap header the pager takes, its
 * last page inside), every other page at its version 0. */
static void export_fresh(void)
{
	memset(srv.disk, 0, BLK_PAGE_SIZE);
	srv.disk[1024] = 1;			/* version, little-endian */
	srv.disk[1028] = EXPORT_PAGES - 1;	/* last page */
	for (unsigned i = 0; i < 16; i++)
		srv.disk[1036 + i] = (uint8_t)(seed * 31 + i);
	memcpy(srv.disk + BLK_PAGE_SIZE - 10, "SWAPSPACE2", 10);
	for (uint32_t p = 1; p < EXPORT_PAGES; p++)
		for (uint32_t i = 0; i < BLK_PAGE_SIZE; i++)
			srv.disk[p * BLK_PAGE_SIZE + i] = page_byte(p, 0, i);
}

static void swap_weather(void)
{
	static const unsigned pct[] = { 0, 0, 1, 3, 8 };

	swx.err = pct[rnd(5)], swx.shut = pct[rnd(4)], swx.hold = pct[rnd(5)] * 3;
	swx.never = pct[rnd(4)] / 2, swx.reset = pct[rnd(4)], swx.cut = pct[rnd(4)];
	swx.refuse = pct[rnd(5)] * 2, swx.silent = pct[rnd(4)], swx.not_nbd = pct[rnd(3)];
	swx.wrong_size = rnd(3) ? 0 : 6;
	swx.fin = pct[rnd(4)], swx.stall = pct[rnd(5)], swx.bogus = pct[rnd(3)];
	swx.down = pct[rnd(5)];
}

/* The pager sets swap up over the export (NET_SWAP_SETUP, then
 * NET_SWAP_START), netd's swap link as at its start. The first attempt
 * perhaps meets no server or another service's; later ones the weather,
 * then calm. */
static void swap_setup(void)
{
	struct net_shared *sh = &netd_host_status;
	unsigned outage_s = chance(40) ? 1 + rnd(6) : 8 + rnd(40);
	struct msg out;
	long r;

	swap_link_host_reset();
	memset(&pg, 0, sizeof(pg));
	memset(sh->slot, 0, sizeof(sh->slot));
	memset((void *)sh->late, 0, sizeof(sh->late));
	sh->swap_gone = sh->swap_lost_writes = 0;
	sh->swap_outage_until = sh->swap_outage_ended = 0;
	export_fresh();
	srv.p = NULL;
	srv.down = srv.next_not_nbd = false;
	for (unsigned k = 0;; k++) {
		bool calm = wx.calm;

		check(k < 8, "swap never set up");
		if (k == 0 && chance(20))
			srv.down = true;
		else if (k == 0 && chance(20))
			srv.next_not_nbd = true;
		wx.calm = k >= 2;
		r = pager_call(NET_SWAP_SETUP, PEER, SWAP_PORT, outage_s, -1, NULL, 0, &out);
		wx.calm = calm;
		srv.down = srv.next_not_nbd = false;
		trace("swap setup: %ld", r);
		if (r == 0)
			break;
		check(r < 0 && swap_link_state() == SWAP_OFF, "swap setup answered %ld, the link %d",
		      r, swap_link_state());
		sm.setup_failed++;
	}
	check(out.w[0] == EXPORT_BYTES / BLK_SECTOR && out.w[1] == 0,
	      "the export of %lu sectors%s", (unsigned long)out.w[0], out.w[1] ? ", read-only" : "");
	r = pager_call(NET_SWAP_START, 0, 0, 0, -1, NULL, 0, &out);
	check(r == 0, "NET_SWAP_START answered %ld", r);
	pg.set_up = true;
}

static void swap_step(void)
{
	uint32_t r = rnd(100);

	if (r < 40)
		pager_submit();
	else if (r < 48)
		pager_flush();
	else if (r < 58)
		odd_call();
	else
		srv_act(false);
}

/* Until nothing is in flight: calm, the server back and answering. Each
 * request is answered (or failed, the server given up) within the time
 * the link takes to come back from any state: NET_SWAP_GIVE_UP_LATE_NS
 * (the wait before an attempt, the attempt's bound and an answer's, each
 * seen a tick late: a connection whose server is gone without its reset
 * arriving is dropped at the answer's bound), twice for a loss met on the
 * way; and a few ticks for the traffic. */
static void swap_drain(void)
{
	unsigned rounds = 2 * (unsigned)(NET_SWAP_GIVE_UP_LATE_NS / NET_TICK_NS) + 8;

	for (unsigned k = 0; k < rounds && pg.inflight > 0; k++) {
		srv_act(true);
		deliver();
		swap_collect();
		swap_check();
		if (pg.inflight > 0)
			tick();
	}
	check(pg.inflight == 0, "%u swap requests unanswered with the server back, calm",
	      pg.inflight);
}

/* At a seed's end: the weather calm, every request answered; then every
 * page known read back whole, as last written. */
static void swap_settle(void)
{
	struct msg out;

	swap_drain();
	if (swap_link_state() == SWAP_GONE)
		return;
	for (uint32_t page = 1; page < EXPORT_PAGES; page++) {
		if (pg.state[page] != PG_KNOWN)
			continue;
		struct blk_request r = { .tag = page, .sector = (uint64_t)page * BLK_SECTORS_PER_PAGE,
					 .npages = 1, .notify = rnd(BLK_DONE_NOTES) };

		memset(win(page), 0xa5, BLK_PAGE_SIZE);
		netd_host_status.slot[page].state = BLK_SUBMITTED;
		netd_host_status.late[page] = 0;
		long got = pager_call(BLK_SUBMIT, 0, 0, 0, -1, &r, sizeof(r), &out);

		check(got == 1 || (got == -ENXIO && swap_link_state() == SWAP_GONE),
		      "a read back answered %ld", got);
		batch_end(&r, 1, got == 1);
		sm.read_back += got == 1;
	}
	swap_drain();
}

bool netd_run_until(bool (*done)(void *ctx), void *ctx, int64_t deadline)
{
	for (;;) {
		deliver();
		if (done(ctx))
			return true;
		if (netd_now() >= deadline)
			return false;
		tick();
		srv_act(false);
	}
}

/* netd's tick: lwIP's timers (netd_tcp_timers, as netd runs them),
 * the reap, the receive buffers posted again. */
static void tick(void)
{
	now_ms += 250;
	netd_host_bits(NET_TIMER_BIT);
	model_reap();
	check_owed();
	swap_collect();
}

/* --- the checks after every step --- */

static void check_slots(void)
{
	unsigned open = 0;

	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++) {
		const struct msock *m = &model[i];

		open += m->used;
		check(m->used == (socks[i].state != S_FREE), "slot %u: %s in netd, %s in the model",
		      i, socks[i].state != S_FREE ? "open" : "free", m->used ? "open" : "free");
		if (!m->used)
			continue;
		check(owners_holds(i, m->pid), "slot %u: not pid %u's", i, m->pid);
		check(socks[i].note == m->note && handles[m->note].held,
		      "slot %u: netd lost its notification", i);
	}
	check(sockets_open() == open, "netd says %u open, the model %u", sockets_open(), open);
	unsigned held = 0;

	for (int h = 0; h < next_handle; h++)
		held += handles[h].held;
	check(held == open, "netd holds %u handles for %u connections", held, open);
}

static unsigned worst_line_over, worst_pool_over;
static int worst_margin = 1 << 30;

/* Whether b counts against a's share: its line's, or line 0's process's. */
static bool same_share(const struct msock *a, const struct msock *b)
{
	uint32_t line = clients[a->client].line;

	return clients[b->client].line == line && (line || b->pid == a->pid);
}

/* Each line's share (line 0: each process's), and the reserve. */
static void check_pool(void)
{
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++) {
		if (!model[i].used)
			continue;
		uint32_t held[NET_SOCKETS_MAX], sum = 0, n = 0;

		for (unsigned j = 0; j < NET_SOCKETS_MAX; j++)
			held[j] = socks[j].state != S_FREE ? held_by(&socks[j]) : 0;
		uint32_t room = owners_room(i, held);

		met.line_full += room == 0;
		for (unsigned j = 0; j < NET_SOCKETS_MAX; j++)
			if (model[j].used && same_share(&model[i], &model[j]))
				sum += held[j], n++;
		/* Past the share by what netd cannot refuse: a segment to a
		 * connection holding none, lwIP's one refused chain, and a
		 * segment split by the persist timer, each connection. */
		if (room == 0 && sum > NET_LINE_BUFS && sum - NET_LINE_BUFS > worst_line_over)
			worst_line_over = sum - NET_LINE_BUFS;
		check(sum <= NET_LINE_BUFS + 3 * n, "slot %u's share: %u buffers held by %u", i, sum,
		      n);
	}
	uint32_t hold = programs_hold();

	met.in_reserve += net_pool_in_reserve(&netd_pool);
	/* The swap connection's part of the reserve (pool_shares.h: its send
	 * queue, the segment taken in, its out-of-order ones) stays free with
	 * every receive buffer posted again: programs' data may take the
	 * buffers it came in, reposted from the reserve, and no more. */
	uint32_t swap = swap_held();
	int margin = (int)(netd_pool.nfree + NET_RX_POSTED - nposted + swap) -
		     (int)(NET_POOL_RESERVE - NET_RX_POSTED);

	check(swap <= NET_POOL_RESERVE - NET_RX_POSTED,
	      "the swap connection holds %u buffers, past its part of the reserve", swap);

	if (margin < worst_margin)
		worst_margin = margin;
	check(margin >= 0, "programs hold %u buffers: the swap connection's part is short by %d",
	      hold, -margin);
	if (hold > NET_POOL_ORDINARY && hold - NET_POOL_ORDINARY > worst_pool_over)
		worst_pool_over = hold - NET_POOL_ORDINARY;

}

/* --- a seed --- */

static void net_up(void)
{
	static bool up;

	if (up)
		return;
	tcp_segment_netif_up(&netd_netif, nif_init);
	up = true;
}

static void start_seed(void)
{
	static const unsigned pct[] = { 0, 0, 2, 10, 30 };

	rng = seed * 0x9e3779b97f4a7c15ull | 1;
	memset(handles, 0, sizeof(handles));
	next_handle = 100;
	npeers = 0, out_n = 0, out_head = 0;
	memset(model, 0, sizeof(model));
	for (unsigned k = 0; k < NET_ADMITTED_MAX; k++)
		admitted[k] = 0;
	wx.loss_out = pct[rnd(5)], wx.loss_in = pct[rnd(5)], wx.tiny = pct[rnd(5)] * 2;
	wx.small_wnd = pct[rnd(4)], wx.refuse = pct[rnd(4)], wx.silent = pct[rnd(3)];
	wx.burst = rnd(2) ? 1 : 1 + rnd(60);
	wx.reads = 2 + rnd(17);
	wx.calm = false;
	wx.pressure = chance(40);
	if (wx.pressure)
		wx.burst = 60, wx.reads = 2;
	pool_start();
	owners_init(admitted, NET_LINE_BUFS);
	next_pid = 10;
	for (unsigned c = 0; c < CLIENTS; c++) {
		/* Two of line 1 (its 8 reached with those ended not yet
		 * reaped), one each of lines 2 to 4 (four lines' shares pass
		 * the ordinary part), two of line 0 (a share each). */
		clients[c].line = c < 2 ? 1 : c < 5 ? c : 0;
		clients[c].entry = 3 + c * 7;
		admit(c);
	}
	netd_start();
	swap_weather();
	swap_setup();
}

static void random_step(void)
{
	unsigned c = rnd(CLIENTS);
	uint32_t r = rnd(100);
	int i;

	memset(done_told, 0, sizeof(done_told));
	if (clients[c].pid == 0)
		admit(c);
	if (chance(25))
		swap_step();
	else if (r < 12)
		do_open(c);
	else if (r < 30 && (i = own_slot(c)) >= 0)
		for (uint32_t n = 1 + rnd(wx.burst); n > 0 && model[i].used; n--)
			prog_send(c, i, chance(10) ? 0 : 1 + rnd(MSG_DATA_MAX));
	else if (r < 30 + wx.reads && (i = own_slot(c)) >= 0)
		prog_recv(c, i, chance(5) ? 0 : 1 + rnd(700));
	else if (r < 48)
		;	/* the program reads less than it might */
	else if (r < 53 && (i = own_slot(c)) >= 0)
		do_close(c, i);
	else if (r < 60)
		do_foreign(chance(20) ? STRANGER : clients[c].pid);
	else if (r < 64)
		do_bad_open(c);
	else if (r < 66)
		do_exit(c);
	else if (r < 67)
		do_drop_note(c);
	else if (r < 80)
		tick();
	else if (npeers > 0)
		peer_burst(&peers[npeers - 1 - rnd(npeers < 24 ? npeers : 24)]);
	deliver();
	swap_collect();
	swap_check();
	check_slots();
	check_pool();
}

/* Calm weather: everything sent arrives, both ways, on every connection
 * still open and not failed. */
static void settle(void)
{
	wx.calm = true;
	for (unsigned round = 0; round < 3000; round++) {
		bool done = true;

		for (int i = 0; i < NET_SOCKETS_MAX; i++) {
			struct msock *m = &model[i];

			if (!m->used || m->failed || m->doomed || m->peer->st != P_EST)
				continue;
			prog_recv(m->client, i, MSG_DATA_MAX);
			peer_acts(m->peer, true);
			deliver();
			done &= m->read == m->peer->sent_max && m->peer->rcv == m->sent;
		}
		if (done)
			break;
		tick();
		deliver();
		check_slots();
	}
	for (int i = 0; i < NET_SOCKETS_MAX; i++) {
		const struct msock *m = &model[i];

		if (!m->used || m->failed || m->doomed || m->peer->st != P_EST)
			continue;
		check(m->read == m->peer->sent_max, "slot %d read %u of %u", i, m->read,
		      m->peer->sent_max);
		check(m->peer->rcv == m->sent, "slot %d's peer got %u of %u", i, m->peer->rcv, m->sent);
		met.settled++;
	}
	swap_settle();
}

/* Every program ends: at the tick after, nothing is open, and once lwIP's
 * lingering pcbs are gone the pool is whole. */
static void end_all(void)
{
	for (unsigned c = 0; c < CLIENTS; c++) {
		do_exit(c);
		admitted[clients[c].entry] = 0;
		clients[c].pid = 0;
	}
	tick();
	check_slots();
	check(sockets_open() == 0, "%u connections outlive their programs", sockets_open());
	pg.set_up = false;
	swap_link_host_reset();
	while (tcp_active_pcbs)
		tcp_abort(tcp_active_pcbs);
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
	check(programs_hold() == 0, "%u buffers held with nothing open", programs_hold());
}

static bool running;

/* lwIP's assertions end the process (the port's, as netd's): say where. */
static void said_at_exit(void)
{
	if (running)
		fprintf(stderr, "ended during seed %lu step %u\n", seed, step);
}

static void run_seed(unsigned long s)
{
	seed = s;
	start_seed();
	for (step = 0; step < STEPS; step++)
		random_step();
	settle();
	end_all();
}

static const struct met_kind met_kinds[] = {
	{ "connect past a bound", &met.emfile }, { "connection reaped", &met.reaped_open },
	{ "foreign connection", &met.ebadf }, { "bad connect", &met.bad_open },
	{ "refused", &met.refused }, { "reset", &met.reset }, { "timed out", &met.timedout },
	{ "end of stream", &met.eof }, { "nothing to read", &met.again },
	{ "send partly taken", &met.partial_send }, { "send taken none", &met.zero_send },
	{ "line at its share", &met.line_full }, { "peer stalled", &met.stalls },
	{ "woken from a wait", &met.woken }, { "send answered by the tick", &met.owed },
	{ "connection settled, every byte through", &met.settled },
	{ "swap: answered", &sm.answered }, { "swap: error answered", &sm.errors },
	{ "swap: answer held", &sm.held }, { "swap: reset by the server", &sm.resets },
	{ "swap: reply cut", &sm.cuts }, { "swap: ESHUTDOWN", &sm.shut },
	{ "swap: reply nobody asked for", &sm.bogus }, { "swap: server closed", &sm.fins },
	{ "swap: server stalled", &sm.stalls }, { "swap: not NBD", &sm.not_nbd },
	{ "swap: export of another size", &sm.wrong_size }, { "swap: refused", &sm.refused },
	{ "swap: never answered", &sm.silent }, { "swap: server down", &sm.down },
	{ "swap: setup failed", &sm.setup_failed }, { "swap: read", &sm.reads_ok },
	{ "swap: written", &sm.writes_ok }, { "swap: flushed", &sm.flushes },
	{ "swap: read failed", &sm.read_err }, { "swap: write failed", &sm.write_err },
	{ "swap: write late", &sm.late }, { "swap: gone for good", &sm.gone },
	{ "swap: outage began", &sm.outages }, { "swap: outage ended", &sm.outage_ended },
	{ "swap: malformed batch", &sm.bad_submit }, { "swap: malformed flush", &sm.bad_flush },
	{ "call refused", &sm.refused_call }, { "netstat", &sm.stats },
	{ "swap: batch in the reserve", &sm.in_reserve }, { "swap: read back", &sm.read_back },
};

/* What the kinds of met_kinds do not say. */
static void said_measures(void)
{
	fprintf(stderr, "bytes out %llu, in %llu; data refused %llu; steps with the pool in its "
		"reserve %u, connects refused for it %u; a line past its share by %u at most, "
		"programs past the ordinary part by %u, the swap connection's margin %d\n",
		(unsigned long long)met.bytes_out, (unsigned long long)met.bytes_in,
		(unsigned long long)sockets_rx_refused(), met.in_reserve, met.nomem, worst_line_over,
		worst_pool_over, worst_margin);
}

static void test_random(void **state)
{
	unsigned long first, n = SEEDS;
	bool by_hand = rand_seeds("NETD_RAND_SEEDS", &first, &n);

	(void)state;
	tracing = getenv("NETD_RAND_TRACE") ? atoi(getenv("NETD_RAND_TRACE")) : 0;
	net_up();
	atexit(said_at_exit);
	running = true;
	for (unsigned long s = first; s < first + n; s++)
		run_seed(s);
	running = false;
	said_measures();
	rand_met(met_kinds, sizeof(met_kinds) / sizeof(met_kinds[0]), by_hand);
}

/* The swap connection's pcb. */
static struct tcp_pcb *swap_pcb(void)
{
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->callback_arg && !sock_of_arg(pcb->callback_arg))
			return pcb;
	fail_msg("no swap connection");
	return NULL;
}

/* The pager reads page tag (tag and page the same), one request. */
static void read_one(uint32_t tag)
{
	struct blk_request r = { .tag = tag, .sector = (uint64_t)tag * BLK_SECTORS_PER_PAGE,
				 .npages = 1 };
	struct msg out;

	netd_host_status.slot[tag].state = BLK_SUBMITTED;
	assert_int_equal(pager_call(BLK_SUBMIT, 0, 0, 0, -1, &r, sizeof(r), &out), 1);
	batch_end(&r, 1, true);
}

/* The swap link writes its requests from lwIP's callbacks and at any
 * call, so a retransmitted segment left last on the unsent queue would
 * take them (tcp_append.h): five requests out, the server acknowledges
 * the first, shuts its window and acknowledges the same three times more
 * (lwIP's fast retransmission puts the second back on the unsent queue,
 * where the shut window keeps it); the next request must not be appended
 * to it. Once the window opens, every request is answered with its page
 * (before session 27, the server read a request's header where another's
 * bytes were: a stream that no longer parses, or a write's data shifted). */
static void request_not_appended_to_rexmit(void **state)
{
	(void)state;
	net_up();
	seed = 0;
	start_seed();
	wx.calm = true;
	memset(&swx, 0, sizeof(swx));
	for (unsigned i = 0; i < 100 && (swap_stamp_pending() || swap_pcb()->unacked); i++) {
		srv_act(true);	/* the stamp's write and flush answered */
		deliver();
		tick();
	}
	assert_false(swap_stamp_pending());
	struct peer *p = srv.p;

	p->st = P_DEAD;	/* it answers nothing, for now: the test acknowledges */
	for (uint32_t tag = 1; tag <= 5; tag++)
		read_one(tag);
	struct tcp_pcb *pcb = swap_pcb();

	assert_null(pcb->unsent);
	assert_non_null(pcb->unacked);
	uint32_t first = lwip_ntohl(pcb->unacked->tcphdr->seqno);

	p->rcv = first + NBD_REQUEST_BYTES - p->irs - 1;	/* the first one taken */
	p->stalled = true;	/* its window shut */
	for (unsigned i = 0; i < 4; i++)
		peer_ack(p);
	assert_non_null(pcb->unsent);
	assert_null(pcb->unsent->next);
	read_one(6);
	assert_int_equal(pcb->unsent->len, NBD_REQUEST_BYTES);
	/* The server back: it takes the stream from the second request on. */
	srv.in_len = 0;
	p->st = P_EST;
	p->stalled = false;
	peer_ack(p);
	swap_drain();
	end_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(request_not_appended_to_rexmit),
					    cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
