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
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "pool_shares.h"
#include "rand_met.h"
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
#define PEERS 512

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

int sys_notify_signal(int h, uint64_t bits)
{
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

bool swap_link_serves(uint32_t addr, uint16_t port)
{
	return addr == PEER && port == SWAP_PORT;
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

/* Buffers programs' traffic holds: all taken but the slots and the posted. */
static uint32_t programs_hold(void)
{
	return netd_pool.nbufs - netd_pool.nfree - NET_TX_SLOTS_MAX - nposted;
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
static struct netif nif;

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
	else if (nif.input(p, &nif) != ERR_OK)
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
};

static struct peer peers[PEERS];

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
		data[i] = stream_byte(p->gen, 'p', seq + i);
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

	/* In order, or overlapping what came (a retransmission cut anew). */
	if (len > 0 && off <= p->rcv && off + len > p->rcv && !p->stalled) {
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

/* Deliver netd's segments caught (each perhaps lost), answers and all. */
static void deliver(void)
{
	for (unsigned guard = 0; out_n > 0 && guard < 4096; guard++) {
		struct pkt k = outq[out_head];

		out_head = (out_head + 1) % QUEUE, out_n--;
		const uint8_t *t = k.b + (k.b[0] & 15) * 4;
		unsigned tl = k.len - (unsigned)(t - k.b), doff = (t[12] >> 4) * 4u;
		struct peer *p = peer_of_port((uint16_t)(t[0] << 8 | t[1]));

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

	if (p->st != P_EST)
		return;
	if (r < 3 && !settling) {
		p->rst_in |= peer_sends(p, TCP_RST | TCP_ACK, p->nxt, 0);
		p->st = P_DEAD;
		return;
	}
	p->stalled &= !settling;
	if (r < 5 && !settling) {
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
	long r = sockets_serve(&in, out);

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

/* netd's tick: lwIP's timers (netd_tcp_timers, as netd runs them),
 * the reap, the receive buffers posted again. */
static void tick(void)
{
	now_ms += 250;
	netd_tcp_timers();
	sockets_reap();
	model_reap();
	refill();
	check_owed();
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
	int margin = (int)(netd_pool.nfree + NET_RX_POSTED - nposted) -
		     (int)(NET_POOL_RESERVE - NET_RX_POSTED);

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
	tcp_segment_netif_up(&nif, nif_init);
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
}

static void random_step(void)
{
	unsigned c = rnd(CLIENTS);
	uint32_t r = rnd(100);
	int i;

	if (clients[c].pid == 0)
		admit(c);
	if (r < 12)
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

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
