/*
 * Host tests for netd's programs' connections (drivers/netd/sockets.c and
 * owners.c) over lwIP's own TCP, built for the host with netd's lwipopts.h,
 * an interface whose packets the test catches and a peer it plays by hand
 * (segments built by tcp_segment.c, checksums and all): a connection
 * closed while it holds buffers (data the peer has not acknowledged) is
 * reset, its pcb freed at once, while one that holds nothing is closed
 * with a FIN and lingers; out-of-order segments are kept up to
 * TCP_OOSEQ_MAX_PBUFS, no more than the owner's line has room for, and
 * none for a pcb whose connection is closed (no one is charged for them).
 * Before session 23 no test showed either: no peer of the test network
 * leaves data unacknowledged or sends out of order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "net_protocol.h"
#include "owners.h"
#include "sockets.h"
#include "sys.h"
#include "tcp_segment.h"
#include "tcp_timers.h"

#define US 0x0a00020fu		/* 10.0.2.15 */
#define PEER 0x0a000202u	/* 10.0.2.2 */
#define PEER_PORT 80
#define PID 7
#define ISS 5000u		/* the peer's first sequence number */

/* --- what lwIP and sockets.c call out of the test --- */

void *netd_mem_malloc(size_t size)
{
	return malloc(size);
}

void *netd_mem_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

void netd_mem_free(void *p)
{
	free(p);
}

uint32_t netd_rand(void)
{
	return 12345;
}

signed char netd_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, uint16_t optlen,
			      uint16_t opt1len, uint8_t *opt2, struct pbuf *p)
{
	(void)pcb, (void)hdr, (void)optlen, (void)opt1len, (void)opt2, (void)p;
	return ERR_OK;
}

static u32_t now_ms;

u32_t sys_now(void)
{
	return now_ms;
}

/* netd_mem.c's, not linked: the test's heap has no reserve. */
void netd_memalloc_begin(void)
{
}

void netd_memalloc_end(void)
{
}

bool swap_link_serves(uint32_t addr, uint16_t port)
{
	(void)addr, (void)port;
	return false;
}

int sys_notify_signal(int h, uint64_t bits)
{
	(void)h, (void)bits;
	return 0;
}

int sys_handle_close(int h)
{
	(void)h;
	return 0;
}

/* Every handle a program passes is a notification it may only signal. */
int sys_handle_info(int h)
{
	(void)h;
	return HANDLE_TYPE_NOTIFY << 8 | RIGHT_SEND;
}

/* --- the interface and the peer --- */

/* A segment netd sent, as the peer sees it. */
struct seg {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t len;		/* data bytes */
	uint16_t port;		/* netd's */
};

static struct netif nif;
static struct seg sent[256];
static unsigned nsent;
static uint16_t our_port;
static uint32_t peer_next;	/* the peer's next sequence number */

static err_t catch_output(struct netif *n, struct pbuf *p, const ip4_addr_t *to)
{
	uint8_t b[1600];
	uint16_t len = pbuf_copy_partial(p, b, sizeof(b), 0);
	unsigned ihl = (b[0] & 15) * 4, doff = (b[ihl + 12] >> 4) * 4;

	(void)n, (void)to;
	assert_true(nsent < 256);
	sent[nsent++] = (struct seg){ .seq = lwip_ntohl(*(uint32_t *)(b + ihl + 4)),
				      .ack = lwip_ntohl(*(uint32_t *)(b + ihl + 8)),
				      .flags = b[ihl + 13],
				      .len = (uint16_t)(len - ihl - doff),
				      .port = (uint16_t)(b[ihl] << 8 | b[ihl + 1]) };
	return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
	n->output = catch_output;
	n->mtu = 1500;
	return ERR_OK;
}

/* The peer sends a segment (with the MSS option when it carries SYN). */
static void peer_sends_wnd(uint32_t seq, uint32_t ack, uint8_t flags, const void *data,
			   uint16_t len, uint16_t wnd)
{
	uint8_t b[TCP_SEGMENT_MAX];
	unsigned total = tcp_segment_build(b, &(struct tcp_segment){
		.src = PEER, .dst = US, .sport = PEER_PORT, .dport = our_port, .seq = seq,
		.ack = ack, .flags = flags, .wnd = wnd, .data = data, .len = len });

	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)total, PBUF_RAM);
	assert_non_null(p);
	assert_int_equal(pbuf_take(p, b, (u16_t)total), ERR_OK);
	nif.input(p, &nif);
}

/* The same with the window wide open. */
static void peer_sends(uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint16_t len)
{
	peer_sends_wnd(seq, ack, flags, data, len, 0xffff);
}

/* netd's tick: lwIP's timers as netd runs them, 250 ms on. */
static void tick(void)
{
	now_ms += 250;
	netd_tcp_timers();
}

/* --- programs' calls --- */

static volatile uint64_t admitted[NET_ADMITTED_MAX];

static long call(uint64_t label, uint64_t w0, uint64_t w1, const void *data, uint32_t len)
{
	static struct msg in, out;

	memset(&in, 0, sizeof(in));
	in.label = label;
	in.pid = PID;
	in.handle = label == NET_CONNECT ? 40 : -1;
	in.w[0] = w0;
	in.w[1] = w1;
	in.len = len;
	if (len)
		memcpy(in.data, data, len);
	return sockets_serve(&in, &out);
}

/* lwIP's one pcb (the test makes one connection). */
static struct tcp_pcb *the_pcb(void)
{
	assert_non_null(tcp_active_pcbs);
	assert_null(tcp_active_pcbs->next);
	return tcp_active_pcbs;
}

/* A connection of PID's (of a line whose share is line_bufs), made with
 * the peer: its number. */
static long open_conn(uint32_t line_bufs)
{
	static bool up;

	if (!up) {
		tcp_segment_netif_up(&nif, nif_init);
		up = true;
	}
	admitted[3] = net_admission(PID, 1);
	owners_init(admitted, line_bufs);
	nsent = 0;
	long c = call(NET_CONNECT, PEER, PEER_PORT, NULL, 0);
	assert_true(c >= 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].flags & (TCP_SYN | TCP_ACK), TCP_SYN);
	our_port = sent[0].port;
	peer_sends(ISS, sent[0].seq + 1, TCP_SYN | TCP_ACK, NULL, 0);
	peer_next = ISS + 1;
	assert_int_equal(the_pcb()->state, ESTABLISHED);
	assert_int_equal(call(NET_SEND, (uint64_t)c, 0, NULL, 0), 0);	/* open */
	return c;
}

/* Whether netd sent a segment with flag since segment from. */
static bool sent_flag(unsigned from, uint8_t flag)
{
	for (unsigned i = from; i < nsent; i++)
		if (sent[i].flags & flag)
			return true;
	return false;
}

/* Every connection closed, every pcb gone: the next test starts afresh
 * (owners_init frees the owners' slots; sockets.c's own are freed here). */
static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		call(NET_CLOSE, i, 0, NULL, 0);
	while (tcp_active_pcbs)
		tcp_abort(tcp_active_pcbs);
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
	return 0;
}

/* --- reset on close --- */

/* 100 bytes sent, the peer acknowledging none of them: closed, the
 * connection holds its send queue, so it is reset (RST, no FIN) and its
 * pcb freed at once, not left lingering with its buffers charged to no
 * line. */
static void close_holding_resets(void **state)
{
	static const char data[100];

	(void)state;
	long c = open_conn(200);
	unsigned from = nsent;

	assert_int_equal(call(NET_SEND, (uint64_t)c, 0, data, sizeof(data)), sizeof(data));
	assert_true(nsent > from && sent[nsent - 1].len == sizeof(data));
	assert_true(the_pcb()->snd_queuelen > 0);
	from = nsent;
	assert_int_equal(call(NET_CLOSE, (uint64_t)c, 0, NULL, 0), 0);
	assert_true(sent_flag(from, TCP_RST));
	assert_false(sent_flag(from, TCP_FIN));
	assert_null(tcp_active_pcbs);
}

/* The same, the peer having acknowledged the data: nothing held, so the
 * close is a FIN, and the pcb lingers (FIN_WAIT_1), its connection's no
 * longer (no callback argument). */
static void close_holding_nothing_fins(void **state)
{
	static const char data[100];

	(void)state;
	long c = open_conn(200);

	assert_int_equal(call(NET_SEND, (uint64_t)c, 0, data, sizeof(data)), sizeof(data));
	peer_sends(peer_next, sent[nsent - 1].seq + sizeof(data), TCP_ACK, NULL, 0);
	assert_int_equal(the_pcb()->snd_queuelen, 0);
	unsigned from = nsent;
	assert_int_equal(call(NET_CLOSE, (uint64_t)c, 0, NULL, 0), 0);
	assert_true(sent_flag(from, TCP_FIN));
	assert_false(sent_flag(from, TCP_RST));
	assert_int_equal(the_pcb()->state, FIN_WAIT_1);
	assert_null(the_pcb()->callback_arg);
}

/* --- out-of-order segments kept --- */

/* The pool buffers pcb keeps out of order. */
static unsigned ooseq_bufs(const struct tcp_pcb *pcb)
{
	unsigned n = 0;

	for (const struct tcp_seg *g = pcb->ooseq; g; g = g->next)
		n += pbuf_clen(g->p);
	return n;
}

/* The peer sends n segments of 10 bytes past a hole of one byte at the
 * next it owes: each out of order, each a buffer of its own. */
static void out_of_order(unsigned n)
{
	static const char data[10];

	for (unsigned i = 0; i < n; i++)
		peer_sends(peer_next + 1 + 10 * i, the_pcb()->snd_nxt, TCP_ACK, data, sizeof(data));
}

/* With room in the line's share, lwIP keeps TCP_OOSEQ_MAX_PBUFS of them. */
static void ooseq_kept_to_max(void **state)
{
	(void)state;
	open_conn(200);
	out_of_order(3 * TCP_OOSEQ_MAX_PBUFS);
	assert_int_equal(ooseq_bufs(the_pcb()), TCP_OOSEQ_MAX_PBUFS);
}

/* A line whose share has room for 5 buffers more: lwIP keeps 5, the rest
 * dropped (the peer sends them again), so out-of-order segments too stay
 * within the line's share. */
static void ooseq_kept_to_line_room(void **state)
{
	(void)state;
	open_conn(5);
	out_of_order(3 * TCP_OOSEQ_MAX_PBUFS);
	assert_int_equal(ooseq_bufs(the_pcb()), 5);
}

/* A pcb whose connection the program closed lingers charged to no line:
 * it keeps none out of order (what it holds is its FIN alone). */
static void ooseq_none_once_closed(void **state)
{
	(void)state;
	long c = open_conn(200);

	assert_int_equal(call(NET_CLOSE, (uint64_t)c, 0, NULL, 0), 0);
	assert_int_equal(the_pcb()->state, FIN_WAIT_1);
	out_of_order(TCP_OOSEQ_MAX_PBUFS);
	assert_null(the_pcb()->ooseq);
}

/* --- the persist timer --- */

/* 100 bytes sent; the peer closes its window (a byte of its own carries
 * the update) and acknowledges nothing until lwIP retransmits: the
 * retransmission, back on the unsent queue, finds the window closed and
 * starts the persist timer. The peer then acknowledges all 100 bytes, the
 * window still closed: nothing is left to send, and netd goes on ticking
 * (before session 26, lwIP 2.1.3 left the persist timer running and its
 * next slow tick asserted: netd ended, exit 3). */
static void persist_stops_with_nothing_to_send(void **state)
{
	static const char data[100];
	static const char one = 'x';

	(void)state;
	long c = open_conn(200);

	assert_int_equal(call(NET_SEND, (uint64_t)c, 0, data, sizeof(data)), sizeof(data));
	uint32_t first = sent[nsent - 1].seq;

	peer_sends_wnd(peer_next, first, TCP_ACK, &one, 1, 0);
	peer_next++;
	for (unsigned i = 0; i < 200 && !the_pcb()->persist_backoff; i++)
		tick();
	assert_true(the_pcb()->persist_backoff > 0);
	assert_null(the_pcb()->unacked);
	peer_sends_wnd(peer_next, first + sizeof(data), TCP_ACK, NULL, 0, 0);
	assert_null(the_pcb()->unsent);
	for (unsigned i = 0; i < 40; i++)
		tick();
	assert_int_equal(the_pcb()->state, ESTABLISHED);
	assert_int_equal(the_pcb()->persist_backoff, 0);
}

/* --- a retransmitted segment last unsent --- */

/* Three segments out, the peer acknowledges the first and shuts its
 * window, then acknowledges the same again three times: lwIP's fast
 * retransmission puts the second back on the unsent queue, alone there,
 * and the shut window keeps it. A send then must not be appended to it
 * (lwIP 2.1.3's tcp_write would: its bytes would go out under sequence
 * numbers already used by the third, and the peer take either): it takes
 * nothing now, and once the segment has gone out again the send goes on
 * at the stream's end. Nagle is off, as on the swap connection, so that
 * each send goes out at once. */
static void send_not_appended_to_rexmit(void **state)
{
	static const char a[100], b[100], c[100], d[100];

	(void)state;
	long k = open_conn(200);

	tcp_nagle_disable(the_pcb());
	assert_int_equal(call(NET_SEND, (uint64_t)k, 0, a, sizeof(a)), sizeof(a));
	uint32_t first = sent[nsent - 1].seq;

	assert_int_equal(call(NET_SEND, (uint64_t)k, 0, b, sizeof(b)), sizeof(b));
	assert_int_equal(call(NET_SEND, (uint64_t)k, 0, c, sizeof(c)), sizeof(c));
	for (unsigned i = 0; i < 4; i++)
		peer_sends_wnd(peer_next, first + sizeof(a), TCP_ACK, NULL, 0, 0);
	assert_non_null(the_pcb()->unsent);
	assert_null(the_pcb()->unsent->next);
	assert_int_equal(lwip_ntohl(the_pcb()->unsent->tcphdr->seqno), first + sizeof(a));
	long took = call(NET_SEND, (uint64_t)k, 0, d, sizeof(d));
	unsigned from = nsent;

	peer_sends(peer_next, first + sizeof(a), TCP_ACK, NULL, 0);	/* the window opens */
	assert_true(nsent > from);
	assert_int_equal(sent[from].seq, first + sizeof(a));
	assert_int_equal(sent[from].len, sizeof(b));	/* b's bytes, and only they */
	assert_int_equal(took, 0);
	assert_int_equal(call(NET_SEND, (uint64_t)k, 0, d, sizeof(d)), sizeof(d));
	assert_int_equal(sent[nsent - 1].seq, first + sizeof(a) + sizeof(b) + sizeof(c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(close_holding_resets, teardown),
		cmocka_unit_test_teardown(close_holding_nothing_fins, teardown),
		cmocka_unit_test_teardown(ooseq_kept_to_max, teardown),
		cmocka_unit_test_teardown(ooseq_kept_to_line_room, teardown),
		cmocka_unit_test_teardown(ooseq_none_once_closed, teardown),
		cmocka_unit_test_teardown(persist_stops_with_nothing_to_send, teardown),
		cmocka_unit_test_teardown(send_not_appended_to_rexmit, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
