/*
 * Host tests for netd's swap link (drivers/netd/swap_link.c) over a fake
 * TCP connection and clock kept here, with a scripted NBD server behind
 * them: a reconnection reads the export's first page before it sends
 * anything again and gives up on another export (or the same one without
 * its flush), or on the same export restarted from a copy made before
 * setup (its generation stamp older); a write the server drops
 * the connection on, before it has even gone out whole, fails instead of
 * breaking connections for ever; a server that answers nothing is gone
 * once the outage's budget has passed, however well it shakes hands, and
 * not before, however often it refuses; idle losses are
 * not held against it; a request made while reconnecting leaves the
 * attempt's deadline alone; a request the server never answers fails
 * though it answers others, and so does one it answers ESHUTDOWN on
 * every connection after answering others, while a server that answers nothing fails no
 * request before the outage's budget; a stale or duplicate reply is
 * refused; header bytes trickled are not answers; a server closing idle
 * connections is reconnected to backing off, said once. While it rides an
 * outage out, the link names
 * the time by which it will have given up (swap_link_outage_until, which
 * the pager's reclaim waits on), and gives up before it. The pager's
 * flushes wait behind the stamp's, and nothing is written to the export
 * (the stamp neither) before the pager takes it (swap_link_start).
 *
 * swap_link.c is included, so that each test starts from its state at
 * boot; its console lines go to stderr (tap_stdout.c), the last one kept.
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

static char said[512];		/* swap_link's last console line */
static unsigned said_lost, said_back;	/* its "connection lost" and "reconnected" lines */

static int say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(said, sizeof(said), fmt, ap);
	va_end(ap);
	said_lost += strstr(said, "connection lost") != NULL;
	said_back += strstr(said, "reconnected") != NULL;
	return printf("%s", said);
}

#define printf say
#include "netd/swap_link.c"
#undef printf
#include "nbd_go_reply.h"

#define DISK (1u << 20)
#define PG 4096u
#define MS_ (1000 * 1000LL)

/* --- the fake connection, clock and server --- */

static struct {
	int64_t now;
	const struct swap_tcp_events *ev;
	bool open, connected;
	unsigned opens;			/* connections started */
	uint8_t in[1 << 20];		/* this connection's bytes to the server */
	uint32_t in_len, in_used;
	uint32_t sndbuf;		/* bytes it holds that the server has not read */
	bool hs_done;			/* the server's side of the handshake */
	unsigned requests;		/* on this connection, the first page's read included */
	/* It takes no bytes now (swap_tcp_waits), as lwIP's with a
	 * retransmitted segment last on its unsent queue (tcp_append.h). */
	bool waits;
	bool waits_at_greeting;		/* the next greeting sets waits */
} net;

static struct {
	uint8_t disk[DISK];
	bool greet;			/* answer a connection (false: silence) */
	bool not_nbd;			/* greet as another service does */
	bool answer;			/* answer requests (false: hold them) */
	bool read0_fails;		/* a read of page 0 gets EIO */
	uint32_t drop_write_over;	/* close on a write longer than this (0: never) */
	bool drop_after_first;		/* close on a connection's second request */
	uint64_t withhold;		/* never answer a read of this offset (0: none) */
	bool writes_hang;		/* take writes, never perform nor answer them */
	bool no_flush;			/* the export does not offer flush */
	unsigned writes;		/* write requests taken, every connection */
	uint16_t first_type[8];		/* the first requests of the latest connection */
	bool refuse;			/* close every new connection at once (restarting) */
	unsigned hold_flushes;		/* hold the next so many flushes unanswered */
	unsigned flushes;		/* flush requests taken, every connection */
	/* A read of this offset is held (0: none), and answered ESHUTDOWN
	 * once another request has been answered after it went out. */
	uint64_t shut_at;
	uint64_t shut_cookie;		/* that read's, while held */
} srv;

static struct {
	uint8_t mem[64 * PG];		/* request id's data at id * PG */
	int done[64];			/* result + 1, 0 while pending */
	bool late[64];			/* swap_link_done_late as it ended */
	struct nbd_late lates[64];	/* and what it said */
	unsigned gone;
	unsigned lost;			/* the lost hook's calls */
	uint64_t lost_writes_seen;	/* lost_writes as the hook last saw it */
} pgr;

int swap_tcp_open(uint32_t addr, uint16_t port, const struct swap_tcp_events *ev)
{
	(void)addr;
	(void)port;
	net.ev = ev;
	net.open = true;
	net.connected = net.hs_done = false;
	net.in_len = net.in_used = net.requests = 0;
	net.opens++;
	return 0;
}

void swap_tcp_close(void)
{
	net.open = false;
}

bool swap_tcp_is_open(void)
{
	return net.open;
}

uint32_t swap_tcp_write(const uint8_t *d, uint32_t len, bool more)
{
	(void)more;
	uint32_t room = net.sndbuf - (net.in_len - net.in_used);

	if (!net.open || net.waits)
		return 0;
	if (len > room)
		len = room;
	memcpy(net.in + net.in_len, d, len);
	net.in_len += len;
	return len;
}

bool swap_tcp_waits(void)
{
	return net.open && net.waits;
}

void swap_tcp_output(void)
{
}

int64_t netd_now(void)
{
	return net.now;
}

static void server_close(void)
{
	if (!net.open)
		return;
	net.open = false;
	net.ev->failed("the server closed the connection");
}

/* Send the client bytes, as one segment. */
static void deliver(const uint8_t *b, uint32_t n)
{
	if (net.open)
		net.ev->received(b, n);
}

static void greeting(void)
{
	uint8_t b[18];

	if (srv.not_nbd) {
		memcpy(b, "SSH-2.0-OpenSSH\r\n", sizeof(b));
		return deliver(b, sizeof(b));
	}
	net.waits = net.waits_at_greeting;
	net.waits_at_greeting = false;
	nbd_put64(b, NBD_MAGIC);
	nbd_put64(b + 8, NBD_OPT_MAGIC);
	nbd_put16(b + 16, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
	deliver(b, sizeof(b));
}

/* The client's flags and NBD_OPT_GO for "": the export and an ACK back. */
static bool handshake(void)
{
	uint8_t b[NBD_GO_REPLY_BYTES];

	if (net.in_len - net.in_used < 26)
		return false;
	net.in_used += 26;
	nbd_go_reply(b, DISK, NBD_FLAG_HAS_FLAGS | (srv.no_flush ? 0 : NBD_FLAG_SEND_FLUSH));
	net.hs_done = true;
	deliver(b, sizeof(b));
	return true;
}

static void reply(uint64_t cookie, uint32_t error, const uint8_t *data, uint32_t len)
{
	static uint8_t b[NBD_REPLY_BYTES + 64 * PG];

	nbd_put32(b, NBD_SIMPLE_REPLY_MAGIC);
	nbd_put32(b + 4, error);
	nbd_put64(b + 8, cookie);
	if (data)
		memcpy(b + NBD_REPLY_BYTES, data, len);
	deliver(b, NBD_REPLY_BYTES + (data ? len : 0));
}

/* Take one request the client sent, whole; whether there was one. */
static bool request(void)
{
	const uint8_t *h = net.in + net.in_used;
	uint32_t have = net.in_len - net.in_used;

	if (have < NBD_REQUEST_BYTES)
		return false;
	uint16_t type = nbd_get16(h + 6);
	uint64_t cookie = nbd_get64(h + 8), off = nbd_get64(h + 16);
	uint32_t len = nbd_get32(h + 24);

	assert_int_equal(nbd_get32(h), NBD_REQUEST_MAGIC);
	if (net.requests < 8)
		srv.first_type[net.requests] = type;
	if ((type == NBD_CMD_WRITE && srv.drop_write_over && len > srv.drop_write_over) ||
	    (srv.drop_after_first && net.requests == 1)) {
		server_close();
		return false;
	}
	uint32_t need = NBD_REQUEST_BYTES + (type == NBD_CMD_WRITE ? len : 0);
	if (have < need)
		return false;
	net.in_used += need;
	net.requests++;
	if (type == NBD_CMD_WRITE) {
		srv.writes++;
		if (srv.writes_hang)
			return true;
		memcpy(srv.disk + off, h + NBD_REQUEST_BYTES, len);
	}
	srv.flushes += type == NBD_CMD_FLUSH;
	if (type == NBD_CMD_FLUSH && srv.hold_flushes > 0) {
		srv.hold_flushes--;
		return true;
	}
	if (!srv.answer || (type == NBD_CMD_READ && srv.withhold && off == srv.withhold))
		return true;
	if (type == NBD_CMD_READ && srv.shut_at && off == srv.shut_at) {
		srv.shut_cookie = cookie;
		return true;
	}
	if (type == NBD_CMD_READ && off == 0 && srv.read0_fails)
		reply(cookie, 5, NULL, 0);
	else
		reply(cookie, 0, type == NBD_CMD_READ ? srv.disk + off : NULL, len);
	/* Not the first page's read: a pager's request answered after it. */
	if (srv.shut_cookie && off != 0) {
		reply(srv.shut_cookie, NBD_ESHUTDOWN, NULL, 0);
		srv.shut_cookie = 0;
	}
	return true;
}

/* The network until nothing more happens: connecting, the server's
 * handshake and requests, room in the send buffer. */
static void net_run(void)
{
	bool more = true;

	while (more && net.open) {
		more = false;
		if (!net.connected) {
			if (srv.refuse) {
				server_close();
				break;
			}
			net.connected = more = true;
			net.ev->connected();
			if (srv.greet)
				greeting();
			continue;
		}
		uint32_t used = net.in_used;
		if (!net.hs_done ? handshake() : request())
			more = true;
		if (net.open && net.in_used != used) {
			net.ev->pump();		/* the bytes read made room */
			more = true;
		}
	}
}

bool netd_run_until(bool (*done)(void *ctx), void *ctx, int64_t deadline)
{
	for (;;) {
		net_run();
		if (done(ctx))
			return true;
		if (net.now >= deadline)
			return false;
		net.now += 10 * MS_;
	}
}

/* Time passes, 100 ms at a time, netd's timer ticking. */
static void wait_ms(unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 100) {
		net.now += 100 * MS_;
		swap_link_tick();
		net_run();
	}
}

/* --- the pager's side --- */

static uint8_t *pager_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	(void)ctx;
	*run = (uint32_t)(sizeof(pgr.mem) - id * PG - off);
	return pgr.mem + id * PG + off;
}

static void pager_done(void *ctx, uint64_t id, int error)
{
	(void)ctx;
	assert_int_equal(pgr.done[id], 0);
	pgr.done[id] = error + 1;
	pgr.late[id] = swap_link_done_late(&pgr.lates[id]);
}

static void pager_gone(void)
{
	pgr.gone++;
}

static void pager_lost(void)
{
	pgr.lost++;
	pgr.lost_writes_seen = swap_link_counters()->lost_writes;
}

/* A swap header's page: its UUID from seed. */
/* A swap header the pager takes (version 1, its last page inside the
 * export), its uuid from seed. */
static void mkswap(unsigned seed)
{
	memset(srv.disk, 0, PG);
	srv.disk[1024] = 1;		/* version, little-endian */
	srv.disk[1028] = 7;		/* last page */
	for (unsigned i = 0; i < 16; i++)
		srv.disk[1036 + i] = (uint8_t)(seed * 31 + i);
	memcpy(srv.disk + PG - 10, "SWAPSPACE2", 10);
}

#define OUTAGE_S 120			/* swap.nbd_outage's default */
#define OUTAGE_NS_ ((int64_t)OUTAGE_S * 1000 * MS_)

static const struct nbd_io pager_io = { NULL, pager_data, pager_done, NULL };

/* netd at boot (swap_link's state as it starts), the export as it is. */
static long link_open(void)
{
	memset(&sc, 0, sizeof(sc));
	memset(&first, 0, sizeof(first));
	return swap_link_open(0x0a000264, 10809, OUTAGE_S, &pager_io, pager_gone, pager_lost);
}

/* The same, and the pager takes the export (NET_SWAP_START): open's result. */
static long link_take(void)
{
	long r = link_open();

	if (r == 0)
		assert_int_equal(swap_link_start(), 0);
	return r;
}

/* A fresh server that answers everything, no link yet (no_flush: one
 * that does not offer flush). */
static void fresh(bool no_flush)
{
	memset(&net, 0, sizeof(net));
	memset(&srv, 0, sizeof(srv));
	memset(&pgr, 0, sizeof(pgr));
	net.now = 1000 * MS_;
	net.sndbuf = 1u << 20;
	srv.greet = srv.answer = true;
	srv.no_flush = no_flush;
	mkswap(1);
}

/* A link up to a fresh server. */
static int setup_with(bool no_flush)
{
	fresh(no_flush);
	assert_int_equal(link_take(), 0);
	assert_int_equal(swap_link_state(), SWAP_UP);
	net_run();			/* the stamp's write and flush */
	srv.writes = 0;			/* the stamp's: not the tests' */
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_with(false);
}

static int setup_no_flush(void **state)
{
	(void)state;
	return setup_with(true);
}

static void submit(enum nbd_cmd cmd, uint64_t id, uint64_t offset, uint32_t len)
{
	assert_int_equal(swap_link_submit(cmd, id, offset, len), 0);
	swap_link_push();
	net_run();
}

/* The server restarts with a write waiting (taken, performed, not
 * answered): the same export comes back, its first page is read before
 * anything else, and the write goes again as its check, a read of its
 * place (never written again), and ends late. */
static void reconnect_same_export(void **state)
{
	(void)state;
	srv.answer = false;
	memset(pgr.mem + PG, 0x5a, PG);
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	assert_int_equal(srv.writes, 1);
	server_close();
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(srv.first_type[0], NBD_CMD_READ);
	assert_int_equal(srv.first_type[1], NBD_CMD_READ);
	assert_int_equal(srv.writes, 1);
	assert_int_equal(pgr.done[1], 1);
	assert_true(pgr.late[1]);
	assert_int_equal(pgr.lates[1].out, PG);
	assert_memory_equal(srv.disk + 8 * PG, pgr.mem + PG, PG);
	assert_int_equal(pgr.gone, 0);
}

/* A write answered and not flushed, then the connection lost: the pager
 * hears of the loss as it happens, with the lost writes already counted,
 * before any answer on the next connection (a write batch beginning
 * meanwhile must see it as before its own writes). */
static void loss_told_at_once(void **state)
{
	(void)state;
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	assert_int_equal(pgr.done[1], 1);
	assert_int_equal(pgr.lost, 0);
	srv.greet = false;		/* no new connection answers for now */
	server_close();
	wait_ms(100);
	assert_int_equal(pgr.lost, 1);
	assert_int_equal(pgr.lost_writes_seen, 1);
	assert_int_equal(swap_link_state(), SWAP_RETRYING);
}

/* The server comes back serving another export of the same size (mkswap
 * made again: another UUID): the link gives up at once, says why, and
 * the write waiting is not sent to it. */
static void reconnect_other_export(void **state)
{
	(void)state;
	srv.answer = false;
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	server_close();
	mkswap(2);
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_int_equal(pgr.gone, 1);
	assert_int_equal(pgr.done[1], -ENXIO + 1);
	assert_int_equal(srv.writes, 1);		/* only the first connection's */
	assert_non_null(strstr(said, "not the one swap was set up on"));
}

/* The server comes back with the same export but no flush: a write
 * answered and not flushed on the lost connection could then never be
 * vouched for, and a flush would be refused as one the server cannot do
 * (taken as done): the link gives up, as for another disk. */
static void reconnect_without_flush(void **state)
{
	(void)state;
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	assert_int_equal(pgr.done[1], 1);
	srv.answer = false;
	submit(NBD_CMD_READ, 2, 4 * PG, PG);
	server_close();
	srv.no_flush = true;
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_int_equal(pgr.done[2], -ENXIO + 1);
	assert_non_null(strstr(said, "flags changed"));
}

/* Flush gained on reconnection harms nothing: the same disk, the request
 * in flight goes again and the link goes on. */
static void reconnect_gaining_flush(void **state)
{
	(void)state;
	srv.answer = false;
	submit(NBD_CMD_READ, 2, 4 * PG, PG);
	server_close();
	srv.no_flush = false;
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(pgr.done[2], 1);
}

/* The first page cannot be read on a new connection: that attempt fails,
 * the next one reads it and the request goes again. The failed attempt
 * is no lost connection of the pager's requests (none went out on it):
 * one connection was lost, one reconnection counted and one loss told
 * the pager, as for an attempt that failed at its handshake. */
static void first_page_unreadable(void **state)
{
	(void)state;
	srv.answer = false;
	submit(NBD_CMD_READ, 2, 4 * PG, PG);
	server_close();
	srv.answer = true;
	srv.read0_fails = true;
	wait_ms(600);
	assert_int_equal(pgr.done[2], 0);
	assert_int_equal(swap_link_state(), SWAP_RETRYING);
	assert_int_equal(net.opens, 2);			/* the setup's and the failed attempt */
	srv.read0_fails = false;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(pgr.done[2], 1);
	assert_int_equal(swap_link_counters()->reconnects, 1);
	assert_int_equal(pgr.lost, 1);
}

/* A 64 KiB write, larger than the send buffer, that the server drops the
 * connection on as soon as it sees it: it never goes out whole, and is
 * never written again (its first 23 KiB went out: the old server might
 * have them): read back on the next connection, the link goes on, and it
 * ends late, its first six pages out. Before session
 * 23 it was written again on each connection, each dropped, until it
 * failed after NBD_BLAME_MAX of them. */
static void large_write_dropped(void **state)
{
	(void)state;
	net.sndbuf = 23 * 1024;
	srv.drop_write_over = 32 * 1024;
	memset(pgr.mem, 0x33, 16 * PG);		/* not the export's zeros */
	submit(NBD_CMD_WRITE, 0, 16 * PG, 16 * PG);
	wait_ms(60 * 1000);
	assert_int_equal(pgr.done[0], 1);
	assert_true(pgr.late[0]);
	assert_int_equal(pgr.lates[0].out, 23 * 1024 - NBD_REQUEST_BYTES);
	assert_int_equal(net.opens, 2);
	assert_int_equal(srv.writes, 0);
	assert_int_equal(swap_link_state(), SWAP_UP);
	submit(NBD_CMD_READ, 20, 16 * PG, PG);
	assert_int_equal(pgr.done[20], 1);
	assert_int_equal(pgr.gone, 0);
}

/* A server that shakes hands and reads the first page on every connection
 * but drops each before answering a request: its handshakes do not count
 * as answers, and once the outage's budget has passed it is gone, not
 * after four connections for each request waiting. A send buffer of 100
 * bytes lets one request out per connection, so that more requests wait
 * than the budget's connections can send NBD_BLAME_MAX times each. */
static void answers_nothing_gone(void **state)
{
	int64_t t0 = net.now, until = 0;
	unsigned enxio = 0;

	(void)state;
	net.sndbuf = 100;
	srv.drop_after_first = true;
	for (unsigned id = 0; id < 32; id++)
		submit(NBD_CMD_WRITE, id, id * PG, PG);
	assert_int_equal(swap_link_outage_until(), 0);		/* not lost yet */
	while (swap_link_state() != SWAP_GONE && net.now - t0 < 2 * OUTAGE_NS_) {
		wait_ms(100);
		if (!until)
			until = swap_link_outage_until();
		/* Handshakes and first pages read do not move it. */
		assert_true(swap_link_state() == SWAP_GONE || swap_link_outage_until() == until);
	}
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_true(until > 0 && net.now < until);	/* given up by the time it named */
	assert_int_equal(swap_link_outage_until(), 0);
	assert_true(net.now - t0 >= OUTAGE_NS_);
	assert_int_equal(pgr.gone, 1);
	assert_true(net.opens > 1 + NBD_BLAME_MAX);
	for (unsigned id = 0; id < 32; id++)
		enxio += pgr.done[id] == -ENXIO + 1;
	assert_true(enxio > 0);		/* waiting still, failed with the link */
}

/* The server restarting: every connection refused at once, a read
 * waiting, until just before the outage's budget runs out (an attempt
 * every RETRY_MAX_NS at most then). The outage's start. */
static int64_t refused_until_near_budget(void)
{
	int64_t t0 = net.now;

	srv.answer = false;
	submit(NBD_CMD_READ, 2, 4 * PG, PG);
	srv.refuse = true;
	server_close();
	while (net.now - t0 < OUTAGE_NS_ - RETRY_MAX_NS - 200 * MS_)
		wait_ms(100);
	return t0;
}

/* The link keeps trying, backing off to RETRY_MAX_NS between attempts, for
 * the outage's whole budget, then gives up. */
static void outage_budget(void **state)
{
	int64_t t0 = refused_until_near_budget(), until = swap_link_outage_until();

	(void)state;
	assert_int_equal(swap_link_state(), SWAP_RETRYING);
	assert_int_equal(pgr.done[2], 0);
	assert_true(until >= t0 + OUTAGE_NS_);		/* the budget at least, from the loss */
	/* Attempts back off: after the first few seconds, one every
	 * RETRY_MAX_NS, not one every RETRY_NS. */
	assert_true(net.opens <= 1 + 4 + OUTAGE_NS_ / RETRY_MAX_NS);
	while (swap_link_state() != SWAP_GONE && net.now - t0 < 2 * OUTAGE_NS_)
		wait_ms(100);
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_true(net.now - t0 >= OUTAGE_NS_);
	assert_true(net.now - t0 <= OUTAGE_NS_ + RETRY_MAX_NS + CONNECT_NS);
	assert_int_equal(pgr.done[2], -ENXIO + 1);
	assert_true(net.now < until);
	assert_int_equal(swap_link_outage_until(), 0);
}

/* The same outage, the server back before the budget runs out: it is
 * found, and the read waiting goes again and is answered; the outage's
 * end is named (swap_link_outage_ended: the pager's writes sent again
 * have their whole life from then), none before. */
static void outage_within_budget(void **state)
{
	int64_t back;

	(void)state;
	refused_until_near_budget();
	assert_true(swap_link_outage_until() > net.now);
	assert_int_equal(swap_link_outage_ended(), 0);	/* not over yet */
	srv.refuse = false;
	srv.answer = true;
	back = net.now;
	wait_ms(RETRY_MAX_NS / MS_ + 100);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(pgr.done[2], 1);
	assert_int_equal(swap_link_outage_until(), 0);	/* answered: over */
	assert_true(swap_link_outage_ended() > back && swap_link_outage_ended() <= net.now);
	assert_memory_equal(pgr.mem + 2 * PG, srv.disk + 4 * PG, PG);
}

/* Until the stamp is written and flushed a copy of the export from before
 * setup still passes a reconnection, so a flush of the pager's answered
 * then would vouch for writes such a copy has lost: it waits behind the
 * stamp's. Here the server holds the stamp's flush; the pager's write is
 * answered, its flush not even sent; the connection lost, the stamp goes
 * again (the pager's write was answered unflushed on the lost
 * connection, so the stamp's write too), is flushed, and then the pager's
 * flush goes and is answered. */
static void pager_flush_behind_stamp(void **state)
{
	(void)state;
	fresh(false);
	srv.hold_flushes = 1;
	assert_int_equal(link_take(), 0);
	net_run();
	assert_int_equal(srv.flushes, 1);		/* the stamp's, held */
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	assert_int_equal(pgr.done[1], 1);
	submit(NBD_CMD_FLUSH, 2, 0, 0);
	assert_int_equal(srv.flushes, 1);		/* not sent */
	assert_int_equal(pgr.done[2], 0);
	server_close();
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(swap_stamp_get(srv.disk), 1);
	/* The new connection: the first page, the stamp's flush sent again
	 * (not vouching for the write, answered before a loss of writes
	 * unflushed), its write and flush, then the pager's flush. */
	assert_int_equal(srv.first_type[0], NBD_CMD_READ);
	assert_int_equal(srv.first_type[1], NBD_CMD_FLUSH);
	assert_int_equal(srv.first_type[2], NBD_CMD_WRITE);
	assert_int_equal(srv.first_type[3], NBD_CMD_FLUSH);
	assert_int_equal(srv.first_type[4], NBD_CMD_FLUSH);
	assert_int_equal(pgr.done[2], 1);
	assert_int_equal(pgr.gone, 0);
}

/* An export set up without flush gains it on a reconnection while the
 * stamp is pending (its write lost unanswered, written again, then
 * flushed: the flush held by the server), so the pager's flush waits
 * behind the stamp's; the next connection offers no flush again (no harm,
 * as at setup). The stamp's flush ends -ENOTSUP, unsent, the stamp is
 * given up, and the pager's flush is refused as one the export cannot
 * do, -ENOTSUP (the pager's "no flush"), not -ENXIO, which says the
 * server is gone for good while the link goes on (before session 25). */
static void held_flush_export_without_flush(void **state)
{
	(void)state;
	fresh(true);
	assert_int_equal(link_open(), 0);
	srv.answer = false;
	assert_int_equal(swap_link_start(), 0);
	net_run();			/* the stamp's write taken, unanswered */
	server_close();
	srv.no_flush = false;
	srv.answer = true;
	srv.hold_flushes = 1;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_true(swap_stamp_pending());	/* its flush held */
	assert_int_equal(swap_link_submit(NBD_CMD_FLUSH, 2, 0, 0), 0);
	server_close();
	srv.no_flush = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_false(swap_stamp_pending());
	assert_int_equal(pgr.done[2], -ENOTSUP + 1);
	assert_int_equal(pgr.gone, 0);
}

/* Setup stamps the swap header with the next generation, written then
 * flushed, the link's first requests; a second setup on the same export
 * (another boot) counts on. An export with no swap signature is not
 * written at all: the pager refuses it, unchanged. */
static void setup_stamps_header(void **state)
{
	static uint8_t before[PG];

	(void)state;
	assert_int_equal(swap_stamp_get(srv.disk), 1);
	assert_memory_equal(swap_stamp_page(), srv.disk, PG);
	assert_int_equal(srv.first_type[1], NBD_CMD_WRITE);
	assert_int_equal(srv.first_type[2], NBD_CMD_FLUSH);
	assert_int_equal(nbd_pending(&sc.cl), 0);
	server_close();
	assert_int_equal(link_take(), 0);
	net_run();
	assert_int_equal(swap_stamp_get(srv.disk), 2);
	memset(srv.disk, 0x33, PG);
	memcpy(before, srv.disk, PG);
	server_close();
	srv.writes = 0;
	assert_int_equal(link_open(), 0);
	net_run();
	assert_int_equal(srv.writes, 0);
	assert_memory_equal(srv.disk, before, PG);
}

/* Nothing is written to the export before the pager takes it (the stamp
 * included): a writable swap header, set up and even reconnected to, is
 * left as it was while the pager's writes and flushes are refused (it may
 * still refuse the export: too large for memory, no memory for its
 * tables); reads go. Once taken, the stamp is written, and the pager's
 * writes go. Before, setup wrote the stamp whatever the pager did next. */
static void nothing_written_before_start(void **state)
{
	static uint8_t before[PG];

	(void)state;
	fresh(false);
	memcpy(before, srv.disk, PG);
	memset(&sc, 0, sizeof(sc));			/* netd at boot */
	assert_int_equal(swap_link_start(), -ENODEV);	/* no export opened */
	assert_int_equal(link_open(), 0);
	net_run();
	assert_int_equal(swap_link_submit(NBD_CMD_WRITE, 1, 8 * PG, PG), -EACCES);
	assert_int_equal(swap_link_submit(NBD_CMD_FLUSH, 2, 0, 0), -EACCES);
	submit(NBD_CMD_READ, 3, 0, PG);
	assert_int_equal(pgr.done[3], 1);
	server_close();
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(srv.writes, 0);
	assert_int_equal(srv.flushes, 0);
	assert_memory_equal(srv.disk, before, PG);
	assert_int_equal(swap_link_start(), 0);
	net_run();
	assert_int_equal(swap_stamp_get(srv.disk), 1);
	assert_int_equal(srv.flushes, 1);
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	assert_int_equal(pgr.done[1], 1);
	assert_int_equal(swap_link_start(), -EALREADY);
}

/* An export the pager refuses (no swap signature, too large for memory)
 * is let go (NET_SWAP_STOP): the connection closed, the server's address
 * anyone's again, no reconnection, and no "gone for good" however long
 * the server stays away. Before, the link stayed up for an export nobody
 * used, reconnecting, and gave the server up after swap.nbd_outage. Once
 * the pager has taken it, swap is not let go. */
static void refused_export_let_go(void **state)
{
	unsigned opens;

	(void)state;
	fresh(false);
	memset(&sc, 0, sizeof(sc));			/* netd at boot */
	assert_int_equal(swap_link_stop(), -ENODEV);	/* none opened */
	assert_int_equal(link_open(), 0);
	net_run();
	assert_true(swap_link_serves(0x0a000264, 10809));
	assert_int_equal(swap_link_stop(), 0);
	assert_false(net.open);
	assert_int_equal(swap_link_state(), SWAP_OFF);
	assert_false(swap_link_serves(0x0a000264, 10809));
	assert_int_equal(swap_link_outage_until(), 0);
	opens = net.opens;
	said[0] = 0;
	wait_ms(2 * OUTAGE_S * 1000);
	assert_int_equal(net.opens, opens);		/* never reconnected */
	assert_int_equal(pgr.gone, 0);
	assert_null(strstr(said, "gone for good"));
	assert_int_equal(swap_link_start(), -ENODEV);
	assert_int_equal(swap_link_stop(), -ENODEV);
	/* Taken: not let go. */
	assert_int_equal(link_take(), 0);
	net_run();
	assert_int_equal(swap_link_stop(), -EALREADY);
	assert_true(net.open);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_true(swap_link_serves(0x0a000264, 10809));
}

/* Only a header the pager takes is stamped: one it refuses (an area past
 * the export's end, another version, the old signature) or an export
 * netd may not write is left as it was, never written. */
static void stamp_only_what_the_pager_takes(void **state)
{
	static uint8_t page[PG];

	(void)state;
	mkswap(1);
	memcpy(page, srv.disk, PG);
	assert_true(swap_stamp_begin(page, true, DISK / 512));
	assert_false(swap_stamp_begin(page, false, DISK / 512));
	page[1028] = 0;
	page[1029] = 1;				/* last page 256: past the export */
	assert_false(swap_stamp_begin(page, true, DISK / 512));
	memcpy(page, srv.disk, PG);
	page[1024] = 2;				/* version 2 */
	assert_false(swap_stamp_begin(page, true, DISK / 512));
	memcpy(page, srv.disk, PG);
	memcpy(page + PG - 10, "SWAP-SPACE", 10);
	assert_false(swap_stamp_begin(page, true, DISK / 512));
}

/* A header whose stamp is at the largest generation (hand-made: a count
 * from 0 never gets there) cannot be stamped again: the next would wrap to
 * 0, older than any. Setup refuses the export, said, and writes nothing;
 * one short of it is stamped with the largest. Before, the count wrapped,
 * and the stamped page read as carrying no stamp. */
static void stamp_at_last_generation_refused(void **state)
{
	static uint8_t before[PG];

	(void)state;
	fresh(false);
	memcpy(srv.disk + SWAP_STAMP_OFF, "netdgen1\xfe\xff\xff\xff\xff\xff\xff\xff",
	       SWAP_STAMP_LEN);
	assert_int_equal(swap_stamp_begin(srv.disk, true, DISK / 512), 1);
	assert_int_equal(swap_stamp_get(swap_stamp_page()), UINT64_MAX);
	srv.disk[SWAP_STAMP_OFF + 8] = 0xff;	/* the largest (little-endian) */
	memcpy(before, srv.disk, PG);
	assert_int_equal(swap_stamp_begin(srv.disk, false, DISK / 512), 0);	/* not written */
	assert_int_equal(link_open(), -EOVERFLOW);
	assert_non_null(strstr(said, "generation stamp is the largest there is"));
	assert_int_equal(swap_link_state(), SWAP_OFF);
	assert_false(net.open);
	assert_int_equal(swap_link_start(), -ENODEV);
	net_run();
	assert_int_equal(srv.writes, 0);
	assert_memory_equal(srv.disk, before, PG);
}

/* The stamp given up after its write may have landed (its answer lost
 * with its connection until the client ends it, or its flush failed):
 * the export may hold the page stamped or as it was, and a reconnection
 * takes either as the same export, an older generation as older once
 * something is vouched for since setup (before that, the same export,
 * and the page as it was from then on: session 25). Before, the stamped
 * page was taken for another disk and swap given up. */
static void stamp_given_up_either(void **state)
{
	static uint8_t page[PG], stamped[PG], older[PG];

	(void)state;
	for (int route = 0; route < 2; route++) {
		mkswap(1);
		memcpy(page, srv.disk, PG);
		memcpy(older, page, PG);
		assert_true(swap_stamp_begin(page, true, DISK / 512));	/* generation 1 */
		memcpy(stamped, swap_stamp_page(), PG);
		if (route == 0) {
			assert_int_equal(swap_stamp_answered(NBD_CMD_WRITE, -EIO, true, 0), -1);
		} else {
			assert_int_equal(swap_stamp_answered(NBD_CMD_WRITE, 0, true, 0), NBD_CMD_FLUSH);
			assert_int_equal(swap_stamp_answered(NBD_CMD_FLUSH, -EIO, true, 0), -1);
		}
		assert_int_equal(swap_stamp_check(stamped, true), STAMP_SAME);
		assert_int_equal(swap_stamp_check(page, true), STAMP_SAME);
		memcpy(page, stamped, PG);
		assert_true(swap_stamp_begin(page, true, DISK / 512));	/* generation 2 */
		assert_int_equal(swap_stamp_answered(NBD_CMD_WRITE, -EIO, true, 0), -1);
		assert_int_equal(swap_stamp_check(older, true), STAMP_OLDER);
		/* Nothing vouched for since setup: setup may have read an
		 * earlier boot's stamp from a cache lost since (session 25). */
		assert_int_equal(swap_stamp_check(older, false), STAMP_SAME);
		/* and is the page as it was from then on, vouched for or not */
		assert_int_equal(swap_stamp_check(older, true), STAMP_SAME);
	}
}

/* The server restarts before the stamp's write was answered, and that
 * write never landed (a server holding writes: nbdkit's delay filter):
 * the page as it was is the same export still, the stamp goes again, and
 * once answered and flushed only the stamped page will do. */
static void stamp_unanswered_restart(void **state)
{
	static uint8_t before[PG];

	(void)state;
	mkswap(1);
	memcpy(before, srv.disk, PG);
	server_close();
	assert_int_equal(link_take(), 0);
	srv.answer = false;		/* the stamp's write is queued, not yet taken */
	net_run();			/* the write lands (the fake takes it) ... */
	memcpy(srv.disk, before, PG);	/* ... or not: a restart lost it */
	server_close();
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(swap_stamp_get(srv.disk), 1);
	assert_int_equal(nbd_pending(&sc.cl), 0);
	memcpy(srv.disk, before, PG);	/* now a copy from before is found out */
	server_close();
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_non_null(strstr(said, "lost what was written since swap was set up"));
}

/* The stamp's write went out whole, unanswered, and the server comes back
 * with another disk: the check of page 0 fails, the link is gone, and the
 * stamp's write, requeued as a read of what it wrote (its data went out),
 * fails with every other request, given up: not written again onto the
 * client of a link that is gone. Before, its late failure was taken as a
 * check answered, the write queued again into the slot it had just left,
 * behind nbd_fail_all's loop, for ever pending. */
static void stamp_not_resent_when_gone(void **state)
{
	(void)state;
	mkswap(1);
	server_close();
	assert_int_equal(link_take(), 0);
	srv.answer = false;		/* the stamp's write taken, unanswered */
	net_run();
	assert_true(swap_stamp_pending());
	server_close();
	mkswap(2);			/* another disk */
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_non_null(strstr(said, "not the one swap was set up on"));
	assert_false(swap_stamp_pending());
	assert_int_equal(nbd_pending(&sc.cl), 0);
}

/* Setup reads the swap header from a server's cache: an earlier boot's
 * stamp (generation 1), written and never flushed. The server restarts,
 * losing it, before this boot's stamp (2) is answered and flushed: page 0
 * is older than setup read, yet nothing of this boot's was vouched for
 * (the pager's flushes wait behind the stamp's), so it is the same export,
 * the read waiting is answered and the stamp goes again. Before, the link
 * gave the server up for good as a copy from before (found by
 * host-nbd-rand, session 25). */
static void stamp_read_from_cache(void **state)
{
	static uint8_t stable[PG];

	(void)state;
	mkswap(1);
	memcpy(stable, srv.disk, PG);		/* on the server's disk: no stamp */
	memcpy(srv.disk + SWAP_STAMP_OFF, "netdgen1\1\0\0\0\0\0\0\0", SWAP_STAMP_LEN);
	server_close();
	assert_int_equal(link_take(), 0);	/* reads generation 1 (cached) */
	srv.answer = false;			/* the stamp's write taken, unanswered */
	net_run();
	submit(NBD_CMD_READ, 2, 4 * PG, PG);
	memcpy(srv.disk, stable, PG);		/* the restart: the cache lost */
	server_close();
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(pgr.gone, 0);
	assert_int_equal(pgr.done[2], 1);
	assert_int_equal(swap_stamp_get(srv.disk), 2);
	assert_false(swap_stamp_pending());
}

/* A write the server takes and holds unanswered (nbdkit paused, a slow
 * disk) until the link gives its connection up: on the next connection it
 * is read back, not written again (nothing else may write its place, or
 * a late copy from the old server could not be told from it), and its
 * completion says it went out on a lost connection, with the bytes that
 * went out. A write answered on its first connection says nothing. */
static void resent_write_marked(void **state)
{
	(void)state;
	srv.answer = false;
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	for (unsigned i = 0; i < 300 && pgr.lost == 0; i++)
		wait_ms(100);
	assert_int_equal(pgr.lost, 1);
	unsigned writes = srv.writes;
	srv.answer = true;
	wait_ms(2000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(srv.writes, writes);		/* not written again */
	assert_int_equal(pgr.done[1], 1);
	assert_true(pgr.late[1]);
	assert_int_equal(pgr.lates[1].out, PG);
	submit(NBD_CMD_WRITE, 2, 9 * PG, PG);
	assert_int_equal(pgr.done[2], 1);
	assert_false(pgr.late[2]);
}

/* The server restarts from a pristine copy of the export (nbdkit's cow
 * filter: a fresh overlay per process; a memory plugin; a snapshot): page
 * 0 is the header as it was before setup, every page written since is
 * gone. The link gives up for good, says why, and the read waiting fails
 * rather than be answered with what the copy holds. */
static void fresh_copy_gone(void **state)
{
	static uint8_t pristine[DISK];

	(void)state;
	mkswap(1);			/* the image as it was made, before the stamp */
	memcpy(pristine, srv.disk, PG);
	memset(pristine + PG, 0, DISK - PG);
	memset(pgr.mem + PG, 0x5a, PG);
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	submit(NBD_CMD_FLUSH, 3, 0, 0);
	assert_int_equal(pgr.done[1], 1);
	assert_int_equal(pgr.done[3], 1);
	srv.answer = false;
	submit(NBD_CMD_READ, 2, 8 * PG, PG);
	server_close();
	memcpy(srv.disk, pristine, DISK);	/* the restart */
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_int_equal(pgr.gone, 1);
	assert_int_equal(pgr.done[2], -ENXIO + 1);
	assert_non_null(strstr(said, "lost what was written since swap was set up"));
}

/* Connections lost while nothing waits (a server restarted while idle)
 * are not held against the server, however many. */
static void idle_losses_not_gone(void **state)
{
	(void)state;
	for (unsigned k = 0; k < 30; k++) {
		server_close();
		wait_ms(RETRY_MAX_NS / MS_ + 1000);	/* backing off (idle_close_backs_off) */
		assert_int_equal(swap_link_state(), SWAP_UP);
	}
	submit(NBD_CMD_READ, 3, 0, PG);
	assert_int_equal(pgr.done[3], 1);
	assert_memory_equal(pgr.mem + 3 * PG, srv.disk, PG);
}

/* A request made while an attempt waits for the server's handshake does
 * not stretch the attempt's bound (3 s) to the answers' (20 s). */
static void submit_while_retrying(void **state)
{
	(void)state;
	srv.greet = false;
	server_close();
	wait_ms(600);			/* the next attempt: connected, no greeting */
	assert_int_equal(net.opens, 2);
	assert_true(net.open);
	assert_int_equal(swap_link_submit(NBD_CMD_READ, 3, 0, PG), 0);
	wait_ms(4000);
	assert_true(net.opens >= 3);	/* dropped at its bound, tried again */
	srv.greet = true;
	wait_ms(8000);			/* the attempt under way fails, backing off */
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(pgr.done[3], 1);
}

/* Read 1 of page 8, which the server will not serve, while it answers a
 * read every 5 s: read 1 fails (-EIO) once NBD_BLAME_MAX connections are
 * lost over it, and the link goes on. */
static void read_fails_among_answers(void)
{
	submit(NBD_CMD_READ, 1, 8 * PG, PG);
	for (unsigned s = 0; s < 300 && pgr.done[1] == 0; s += 5) {
		assert_int_equal(swap_link_submit(NBD_CMD_READ, 2, 4 * PG, PG), 0);
		swap_link_push();
		wait_ms(5000);
		assert_int_equal(pgr.done[2], 1);
		pgr.done[2] = 0;
	}
	assert_int_equal(pgr.done[1], -EIO + 1);
	assert_int_equal(net.opens, 1 + NBD_BLAME_MAX);	/* each loss its */
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(pgr.gone, 0);
}

/* A server that never answers one read while it answers the others, a
 * read every 5 s: the link stays busy, yet that read fails (-EIO) once it
 * has gone out NBD_BLAME_MAX times, each waiting ANSWER_NS, and the link
 * goes on. */
static void one_read_never_answered(void **state)
{
	(void)state;
	srv.withhold = 8 * PG;
	read_fails_among_answers();
}

/* A server that answers one read ESHUTDOWN on every connection, after
 * it has answered the read made after it: it is not shutting down, only
 * refusing that read. The read fails (-EIO) after NBD_BLAME_MAX
 * connections, the link going on. Before, it went again for ever: the
 * answers to the other read ended each outage as it began, and the
 * console said a loss and a reconnection every time (three such reads
 * held every fault thread). */
static void one_read_always_shutdown(void **state)
{
	(void)state;
	srv.shut_at = 8 * PG;
	read_fails_among_answers();
}

/* A server whose storage hangs: it takes connections, shakes hands and
 * answers the first page, and never answers the pager's read, until
 * back_s after it was made. The read is not failed before the outage's
 * budget has run out. Returns the read's result + 1. Before, each
 * connection dropped for no answer counted as a send of the read, which
 * failed (-EIO, its owner killed) after four of them, at 83.5 s, with
 * the outage published to run 84 s more. */
static int hung_read(unsigned back_s)
{
	int64_t t0 = net.now;

	srv.withhold = 8 * PG;
	submit(NBD_CMD_READ, 1, 8 * PG, PG);
	while (pgr.done[1] == 0 && net.now - t0 < 2 * OUTAGE_NS_) {
		wait_ms(100);
		if (net.now - t0 >= (int64_t)back_s * 1000 * MS_)
			srv.withhold = 0;
		if (pgr.done[1] == 0)
			continue;
		/* Ended: answered, or with the link once its budget is spent. */
		assert_true(pgr.done[1] == 1 || net.now - t0 >= OUTAGE_NS_);
	}
	return pgr.done[1];
}

/* Never answered: the read waits out the outage's whole budget, and fails
 * with the link given up (-ENXIO), not as a bad request (-EIO). */
static void hung_server_not_blamed(void **state)
{
	(void)state;
	assert_int_equal(hung_read(~0u), -ENXIO + 1);
	assert_int_equal(swap_link_state(), SWAP_GONE);
	assert_int_equal(pgr.gone, 1);
}

/* Answering again at 90 s, within the budget: the read is answered. */
static void hung_server_recovers(void **state)
{
	(void)state;
	assert_int_equal(hung_read(90), 1);
	assert_memory_equal(pgr.mem + PG, srv.disk + 8 * PG, PG);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(pgr.gone, 0);
}

/* A server whose writes alone hang (its reads answered): a write lost
 * with its connection is read back on the next, not written again, and
 * that read's answer is an answer: the outage ends, the server is not
 * given up, and the write ends late, all of it out (the pager
 * retires its slots: the storage may perform it when it wakes). Before
 * session 23 it was written again, hung again, and the server was given
 * up once the outage's budget had passed, every page in swap lost. */
static void write_hung_server_kept(void **state)
{
	(void)state;
	srv.writes_hang = true;
	memset(pgr.mem + PG, 0x6e, PG);
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	wait_ms(ANSWER_NS / MS_ + 2000);
	assert_int_equal(pgr.lost, 1);
	assert_int_equal(pgr.done[1], 1);
	assert_true(pgr.late[1]);
	assert_int_equal(pgr.lates[1].out, PG);
	assert_int_equal(srv.writes, 1);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(swap_link_outage_until(), 0);
	assert_int_equal(pgr.gone, 0);
}

/* A reply that is not the answer to a request waiting (a duplicate of
 * one answered, its slot now another request's; the first page's,
 * whose cookie the pager's first request on that connection had) is
 * refused: the connection is dropped and the request goes again, to be
 * answered for itself. Before, a stale error failed write 2 (-EIO) and a
 * stale success would have said it was done unwritten; the first page's
 * duplicate answered the pager's read with page 0. */
static void stale_reply_refused(void **state)
{
	uint64_t ck;

	(void)state;
	srv.answer = false;
	submit(NBD_CMD_WRITE, 1, 8 * PG, PG);
	ck = nbd_get64(net.in + net.in_used - NBD_REQUEST_BYTES - PG + 8);
	reply(ck, 0, NULL, 0);
	assert_int_equal(pgr.done[1], 1);
	memset(pgr.mem + 2 * PG, 0x2b, PG);
	submit(NBD_CMD_WRITE, 2, 9 * PG, PG);		/* the same slot */
	reply(ck, 5, NULL, 0);				/* write 1's again, an error */
	assert_int_equal(pgr.done[2], 0);
	assert_int_equal(pgr.lost, 1);			/* refused: the connection goes */
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(pgr.done[2], 1);
	assert_memory_equal(srv.disk + 9 * PG, pgr.mem + 2 * PG, PG);

	/* The setup connection: the first page's reply again, after the
	 * pager's first read went out. */
	fresh(false);
	memset(srv.disk + 8 * PG, 0x3c, PG);
	assert_int_equal(link_open(), 0);
	net_run();
	ck = nbd_get64(net.in + 26 + 8);		/* the first request after the handshake's */
	srv.answer = false;
	submit(NBD_CMD_READ, 3, 8 * PG, PG);
	reply(ck, 0, srv.disk, PG);
	assert_int_equal(pgr.done[3], 0);
	srv.answer = true;
	wait_ms(1000);
	assert_int_equal(pgr.done[3], 1);
	assert_memory_equal(pgr.mem + 3 * PG, srv.disk + 8 * PG, PG);
}

/* A write the server stops reading part way (room bytes of send buffer;
 * 0: nothing of it goes out), then a byte of a reply header now and then,
 * never a whole one: not an answer. The connection is dropped at the
 * answer's bound from the write's submission, and the write goes again
 * once the server reads: as its check if some of its data went out (the
 * old server never had it whole: nothing lands), else written. Before, every byte put the bound off: the link
 * stayed up for as long as bytes came, no outage published, a direct
 * reclaimer holding the pager lock waiting all of it. */
static void trickled(uint32_t room)
{
	uint8_t b = 0x67;

	net.sndbuf = room;
	srv.answer = false;
	memset(pgr.mem + PG, 0x4d, PG);
	assert_int_equal(swap_link_submit(NBD_CMD_WRITE, 1, 8 * PG, PG), 0);
	swap_link_push();
	net_run();
	for (unsigned k = 0; k < 3; k++) {
		wait_ms(ANSWER_NS / MS_ / 2);
		if (pgr.lost == 0)
			deliver(&b, 1);
	}
	assert_int_equal(pgr.lost, 1);			/* by ANSWER_NS, once */
	net.sndbuf = 1u << 20;
	srv.answer = true;
	wait_ms((CONNECT_NS + RETRY_MAX_NS) / MS_ + 1000);	/* an attempt failing, the next */
	assert_int_equal(pgr.done[1], 1);
	assert_int_equal(pgr.late[1], room > NBD_REQUEST_BYTES);
	if (room > NBD_REQUEST_BYTES) {
		assert_int_equal(pgr.lates[1].out, room - NBD_REQUEST_BYTES);
	} else {
		assert_memory_equal(srv.disk + 8 * PG, pgr.mem + PG, PG);
	}
}

static void trickle_part_way(void **state)
{
	(void)state;
	trickled(1000);
}

static void trickle_nothing_out(void **state)
{
	(void)state;
	trickled(0);
}

/* A server that closes every connection once its first page is read,
 * nothing waiting: the link reconnects backing off to RETRY_MAX_NS, not
 * at RETRY_NS for ever, and says the run of losses once. A request
 * answered ends the run: the next loss is said again and reconnects at
 * once. Before, each idle reconnection reset the backoff: 120
 * connections a minute, two console lines each. */
static void idle_close_backs_off(void **state)
{
	unsigned opens = net.opens;

	(void)state;
	said_lost = said_back = 0;
	server_close();
	for (unsigned t = 0; t < 60 * 1000; t += 100) {
		wait_ms(100);
		if (net.open && net.hs_done && net.requests >= 1)
			server_close();
	}
	assert_true(net.opens - opens <= 4 + 60 * 1000 * MS_ / RETRY_MAX_NS);
	assert_int_equal(said_lost, 1);
	assert_int_equal(said_back, 1);
	wait_ms(RETRY_MAX_NS / MS_ + 1000);		/* up, and left up */
	submit(NBD_CMD_READ, 3, 0, PG);
	assert_int_equal(pgr.done[3], 1);
	opens = net.opens;
	server_close();
	wait_ms(RETRY_NS / MS_ + 200);
	assert_int_equal(net.opens, opens + 1);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(said_lost, 2);
	assert_int_equal(said_back, 2);
}

/* A server that closed an idle connection once, and hours later hangs
 * with a read waiting: the idle loss's run is still open (nothing was
 * answered since), yet the outage with a request waiting is said, and
 * its reconnection, not first heard of as "gone for good". */
static void idle_loss_then_outage_said(void **state)
{
	(void)state;
	said_lost = said_back = 0;
	server_close();
	wait_ms(5000);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(said_lost, 1);
	srv.answer = false;
	assert_int_equal(swap_link_submit(NBD_CMD_READ, 3, 0, PG), 0);
	swap_link_push();
	wait_ms(ANSWER_NS / MS_ + 2000);
	assert_int_equal(said_lost, 2);
	srv.answer = true;
	wait_ms(GIVE_UP_LATE_NS / MS_);
	assert_int_equal(pgr.done[3], 1);
	assert_int_equal(said_back, 2);
	assert_int_equal(said_lost, 2);
}

/* A connection that cannot take the handshake's request whole (lwIP out
 * of memory for it): the attempt fails at once and says so, rather than
 * wait for an answer to a request the server never saw. */
static void handshake_not_taken(void **state)
{
	(void)state;
	memset(&net, 0, sizeof(net));
	net.now = 1000 * MS_;
	net.sndbuf = 10;
	assert_int_equal(link_open(), -ECONNREFUSED);
	assert_non_null(strstr(said, "handshake's request could not be sent"));
	assert_true(net.now < 1000 * MS_ + CONNECT_NS);	/* not at an attempt's bound */
}

/* A connection lost, and as the server's greeting comes on the next one
 * the connection takes no bytes (lwIP's, with a retransmitted segment
 * last on its unsent queue: tcp_append.h); once that has been
 * acknowledged (the sent event's pump) the handshake's request goes and
 * the link is up again on that connection, no further loss counted
 * (before session 27 the request not taken failed the attempt, a loss
 * more: its backoff, and on towards the outage's budget). */
static void handshake_waits_for_rexmit(void **state)
{
	unsigned opens = net.opens;

	(void)state;
	server_close();
	assert_int_equal(sc.losses, 1);
	net.waits_at_greeting = true;
	wait_ms(RETRY_NS / MS_);		/* connected, greeted */
	assert_true(net.open && net.waits);
	assert_int_equal(net.opens, opens + 1);
	assert_int_equal(net.in_len, 0);	/* nothing written under old numbers */
	net.waits = false;
	net.ev->pump();				/* the retransmission acknowledged */
	net_run();
	assert_true(net.hs_done);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(net.opens, opens + 1);
	assert_int_equal(sc.losses, 1);
	submit(NBD_CMD_READ, 3, 0, PG);
	assert_int_equal(pgr.done[3], 1);
}

/* The same, the connection never taking bytes again: the attempt ends at
 * its own bound (CONNECT_NS, no handshake in time), one loss, and the
 * next attempt, the connection taking bytes, is up. */
static void handshake_wait_bounded(void **state)
{
	unsigned opens = net.opens;

	(void)state;
	server_close();
	net.waits_at_greeting = true;
	wait_ms(RETRY_NS / MS_);
	assert_true(net.open && net.waits);
	int64_t bound = sc.deadline;

	while (net.open && net.now < bound + 1000 * MS_)
		wait_ms(100);
	assert_false(net.open);
	assert_string_equal(sc.why, "no handshake in time");
	assert_true(net.now >= bound);
	assert_int_equal(sc.losses, 2);
	assert_int_equal(net.in_len, 0);
	wait_ms(RETRY_MAX_NS / MS_);
	assert_int_equal(swap_link_state(), SWAP_UP);
	assert_int_equal(net.opens, opens + 2);
}

/* A setup that met a server not speaking NBD, then another setup with
 * the server speaking it: the second connects and takes the export
 * (before session 27 the first's failed handshake stayed in the link's
 * state and ended the second's attempts before the first: its old error
 * answered again, nothing tried). */
static void setup_again_after_not_nbd(void **state)
{
	(void)state;
	fresh(false);
	srv.not_nbd = true;
	assert_true(link_open() < 0);
	assert_int_equal(swap_link_state(), SWAP_OFF);
	srv.not_nbd = false;
	unsigned opens = net.opens;

	assert_int_equal(swap_link_open(0x0a000264, 10809, OUTAGE_S, &pager_io, pager_gone,
					pager_lost), 0);
	assert_true(net.opens > opens);
	assert_int_equal(swap_link_state(), SWAP_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(reconnect_same_export, setup),
		cmocka_unit_test_setup(handshake_waits_for_rexmit, setup),
		cmocka_unit_test_setup(handshake_wait_bounded, setup),
		cmocka_unit_test_setup(reconnect_other_export, setup),
		cmocka_unit_test_setup(reconnect_without_flush, setup),
		cmocka_unit_test_setup(reconnect_gaining_flush, setup_no_flush),
		cmocka_unit_test_setup(loss_told_at_once, setup),
		cmocka_unit_test_setup(first_page_unreadable, setup),
		cmocka_unit_test_setup(large_write_dropped, setup),
		cmocka_unit_test_setup(answers_nothing_gone, setup),
		cmocka_unit_test_setup(idle_losses_not_gone, setup),
		cmocka_unit_test_setup(submit_while_retrying, setup),
		cmocka_unit_test_setup(one_read_never_answered, setup),
		cmocka_unit_test_setup(one_read_always_shutdown, setup),
		cmocka_unit_test_setup(handshake_not_taken, setup),
		cmocka_unit_test(setup_again_after_not_nbd),
		cmocka_unit_test_setup(outage_budget, setup),
		cmocka_unit_test_setup(outage_within_budget, setup),
		cmocka_unit_test(pager_flush_behind_stamp),
		cmocka_unit_test_setup(setup_stamps_header, setup),
		cmocka_unit_test_setup(stamp_unanswered_restart, setup),
		cmocka_unit_test_setup(stamp_read_from_cache, setup),
		cmocka_unit_test_setup(stamp_not_resent_when_gone, setup),
		cmocka_unit_test(held_flush_export_without_flush),
		cmocka_unit_test(stamp_given_up_either),
		cmocka_unit_test(stamp_only_what_the_pager_takes),
		cmocka_unit_test(stamp_at_last_generation_refused),
		cmocka_unit_test(nothing_written_before_start),
		cmocka_unit_test(refused_export_let_go),
		cmocka_unit_test_setup(fresh_copy_gone, setup),
		cmocka_unit_test_setup(resent_write_marked, setup),
		cmocka_unit_test_setup(hung_server_not_blamed, setup),
		cmocka_unit_test_setup(hung_server_recovers, setup),
		cmocka_unit_test_setup(stale_reply_refused, setup),
		cmocka_unit_test_setup(trickle_part_way, setup),
		cmocka_unit_test_setup(trickle_nothing_out, setup),
		cmocka_unit_test_setup(write_hung_server_kept, setup),
		cmocka_unit_test_setup(idle_close_backs_off, setup),
		cmocka_unit_test_setup(idle_loss_then_outage_said, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
