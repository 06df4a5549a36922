/*
 * The swap connection's link (swap_link.h): the plain-C NBD client over
 * the TCP connection of swap_tcp.h, and the link's states. Every wait has
 * a bound: connecting, negotiating and reading the export's first page
 * (CONNECT_NS), a reply once requests are out (ANSWER_NS, then the link
 * is dropped and made again: an answer at all, a reply header whole or
 * read data, not a byte of one, and each request's own answer from its
 * first byte out, so a server that answers others and never one request,
 * or stops reading one part way, cannot keep it waiting), reconnecting
 * (backing off from RETRY_NS to RETRY_MAX_NS until a request is
 * answered again, and the server gone for good once none has been for the
 * outage's budget; SETUP_TRIES at boot). A run of lost connections is
 * said on the console once, not once a connection.
 *
 * Every connection reads the export's first page (its swap header, with
 * mkswap's UUID) before anything else goes out; after a reconnection it
 * must be the page read at setup, or the export is another disk (of the
 * same size and flags, read-only and flush: those were checked at the
 * handshake) and no request is sent to it. At setup netd stamps that page
 * with a generation (swap_stamp.h), its write and flush the link's first
 * requests: a server restarted from a copy made before has the same header
 * but an older stamp, and has lost every write since. Until the stamp is
 * answered and flushed such a copy still passes, so the pager's flushes
 * wait behind the stamp's: no page of the pager's counts as written
 * before a copy from before setup is found out, and writes a restored
 * copy lost unflushed are the pager's to keep (its flush fails for a
 * connection lost with writes unflushed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blk_protocol.h"
#include "kernel/abi/clock.h"
#include "loop.h"
#include "swap_link.h"
#include "swap_stamp.h"
#include "swap_tcp.h"

#define MS CLOCK_NS_PER_MS
#define CONNECT_NS NET_SWAP_CONNECT_NS	/* connect and handshake */
#define ANSWER_NS NET_SWAP_ANSWER_NS	/* no byte back while requests wait, or
					 * no answer to a request that went out */
/* Between attempts: RETRY_NS after a loss, doubled at each failed attempt
 * up to RETRY_MAX_NS, so a server that comes back is found within a few
 * seconds of it, while one that stays away costs an attempt (a SYN, a
 * pcb) every few seconds, not twice a second. */
#define RETRY_NS (500 * MS)
#define RETRY_MAX_NS NET_SWAP_RETRY_MAX_NS
#define SETUP_TRIES 3			/* attempts at boot */
/* How late after the outage's budget has run out the link may still be
 * riding it out (net_protocol.h: the pager reckons with it too). */
#define GIVE_UP_LATE_NS NET_SWAP_GIVE_UP_LATE_NS

static struct {
	enum swap_state state;
	bool connected;			/* TCP is up (handshake or transmission) */
	bool negotiated;		/* transmission phase */
	bool checking;			/* reading the export's first page */
	uint32_t server;
	uint16_t port;
	struct nbd_handshake hs;
	struct nbd_client cl;
	struct nbd_io io;		/* the pager's data and done behind ours, our send */
	struct nbd_io pager;		/* the pager's */
	bool stamp_due;			/* setup: the header is to be stamped */
	int stamp_refused;		/* setup: the header cannot be stamped (-errno, said) */
	bool started;			/* the pager took the export: it may be written */
	enum nbd_cmd stamp_cmd;		/* the stamp's request queued or out */
	void (*gone)(void);		/* the pager's: the server is gone */
	void (*lost)(void);		/* the pager's: a connection was lost */
	/* The first of a run of lost connections with no request answered
	 * was lost then (0: none; idle losses start none). */
	int64_t outage_since;
	int64_t outage_ended;		/* the latest outage ended then (0: none) */
	/* Connections lost in a row with no request answered on them, idle
	 * ones too (unlike outage_since): the backoff, and the run said once. */
	unsigned losses;
	bool said_back;			/* this run's reconnection was said */
	/* This run said a loss with requests waiting. A run begun by idle
	 * losses (a server closing idle connections) says its first loss
	 * with requests waiting too: that is an outage someone waits on,
	 * and it is said; at most two such lines a run, however many idle
	 * connections the server closes. */
	bool said_waiting;
	int64_t outage_ns;		/* the outage's budget (swap.nbd_outage) */
	const char *why;		/* the last attempt's failure, at setup */
	int64_t deadline;		/* connect, handshake or answer bound */
	int64_t retry_at;
	uint64_t capacity;		/* sectors */
	uint16_t flags;			/* the export's READ_ONLY and SEND_FLUSH at setup */
	uint64_t held[NBD_SLOTS];	/* the pager's flushes (ids) held until the
					 * stamp is answered and flushed */
	unsigned nheld;
} sc;

/* The swap header's stamp (swap_stamp.h): its requests' id, no pager tag. */
#define STAMP_ID UINT64_MAX

/* The first page's read's submission number (nbd_req's seq): the top of
 * the 48 bits a cookie gives seq (nbd_client.c: seq << 16 | slot), past
 * any the pager's requests reach. */
#define FIRST_SEQ (1ull << 47)

/* The first page's read: a client of its own, so that the pager's
 * requests waiting to go again stay queued until it is checked. */
static struct {
	struct nbd_client cl;
	uint8_t page[BLK_PAGE_SIZE];
	int result;			/* 1 while it waits, then 0 or -EIO */
} first;

/* --- the NBD client's view of the connection --- */

static int64_t link_now(void *ctx)
{
	(void)ctx;
	return netd_now();
}

static uint32_t link_send(void *ctx, const uint8_t *d, uint32_t len)
{
	(void)ctx;
	return sc.negotiated ? swap_tcp_write(d, len, true) : 0;
}

static void lost(const char *why);

/* The handshake's request, the first bytes on a new connection, written
 * whole or not at all. Not while the connection takes no bytes now
 * (swap_tcp_waits: not the server's doing): the next pump or tick writes
 * it, the attempt's deadline bounding the wait. Taken in part or refused
 * otherwise, the attempt fails (the rest would never be sent). Whether
 * the connection is still up. */
static bool hs_send(void)
{
	if (sc.hs.out_len == 0 || swap_tcp_waits())
		return true;
	if (swap_tcp_write(sc.hs.out, sc.hs.out_len, false) != sc.hs.out_len) {
		lost("the handshake's request could not be sent");
		return false;
	}
	swap_tcp_output();
	sc.hs.out_len = 0;
	return true;
}

static void output(void)
{
	if (!swap_tcp_is_open())
		return;
	if (!sc.negotiated) {
		hs_send();
		return;
	}
	nbd_pump(sc.checking ? &first.cl : &sc.cl);
	swap_tcp_output();
}

/* The stamp's page is ours; every other request's data the pager's. */
static uint8_t *link_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	if (id != STAMP_ID)
		return sc.pager.data(ctx, id, off, run);
	*run = BLK_PAGE_SIZE - off;
	return (uint8_t *)swap_stamp_page() + off;
}

/* The stamp's next request (cmd < 0: none); one at a time, so its
 * answer is that request's. */
static void stamp_send(int cmd)
{
	if (cmd < 0)
		return;
	sc.stamp_cmd = (enum nbd_cmd)cmd;
	if (swap_link_submit(sc.stamp_cmd, STAMP_ID, 0, cmd == NBD_CMD_FLUSH ? 0 : BLK_PAGE_SIZE) < 0)
		swap_stamp_answered(sc.stamp_cmd, -EBUSY, false, 0);	/* no slot: cannot be */
}

/* The stamp is done (or given up): the pager's flushes held behind it go,
 * or fail with the link if it is gone, or as the client refuses them (an
 * export without flush now: -ENOTSUP, the pager's "no flush"). */
static void release_flushes(void)
{
	for (unsigned k = 0; k < sc.nheld; k++) {
		int err = sc.state == SWAP_GONE ? -ENXIO :
			  nbd_submit(&sc.cl, NBD_CMD_FLUSH, sc.held[k], 0, 0);
		if (err < 0)
			sc.pager.done(NULL, sc.held[k], err);
	}
	sc.nheld = 0;
}

static void link_done(void *ctx, uint64_t id, int error)
{
	struct nbd_late late;

	if (id != STAMP_ID)
		return sc.pager.done(ctx, id, error);
	/* Its data went out on a lost connection, and was read back, not
	 * written again: written again now. Page 0 is the stamp's alone, so
	 * a late copy from the old connection's server harms nothing. Only
	 * if that read was answered: one that failed (the link gone, its
	 * check of page 0 failed: nbd_fail_all's -ENXIO) is the write's
	 * failure, given up; written again, it went into the client of a
	 * link that is gone, into the slot it had just left, for ever queued. */
	if (sc.stamp_cmd == NBD_CMD_WRITE && error == 0 && nbd_done_late(&sc.cl, &late))
		return stamp_send(NBD_CMD_WRITE);
	stamp_send(swap_stamp_answered(sc.stamp_cmd, error, sc.cl.can_flush,
				       sc.cl.cnt.lost_writes));
	if (!swap_stamp_pending())
		release_flushes();
}

static uint8_t *first_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	(void)ctx;
	(void)id;
	*run = BLK_PAGE_SIZE - off;
	return first.page + off;
}

static void first_done(void *ctx, uint64_t id, int error)
{
	(void)ctx;
	(void)id;
	first.result = error;
}

/* --- the connection's life --- */

/* Give up for good: every request fails, the pager is told. */
static void gone(const char *why)
{
	unsigned n = nbd_pending(&sc.cl);

	swap_tcp_close();
	sc.connected = sc.negotiated = sc.checking = false;	/* nothing more is read */
	sc.state = SWAP_GONE;
	sc.gone();
	printf("netd: swap: the NBD server is gone for good (%s); %u requests failed\n", why, n);
	nbd_fail_all(&sc.cl, -ENXIO);
	release_flushes();	/* the stamp's failure has let them go already */
}

/* The wait before attempt n + 1 of an outage (n >= 1). */
static int64_t retry_delay(unsigned n)
{
	int64_t d = RETRY_NS;

	while (--n > 0 && d < RETRY_MAX_NS)
		d *= 2;
	return d < RETRY_MAX_NS ? d : RETRY_MAX_NS;
}

/* A request answered, or nothing waiting to prove anything: no outage. */
static void outage_over(void)
{
	if (sc.outage_since != 0)
		sc.outage_ended = netd_now();
	sc.outage_since = 0;
}

/* The connection failed or stopped answering (how: nbd_loss's): try
 * again soon, or give up. */
static void lost_as(const char *why, enum nbd_loss how)
{
	bool was_up = sc.negotiated && !sc.checking;	/* requests went out on it */

	if (sc.state == SWAP_GONE)
		return;		/* given up already: stays gone */
	swap_tcp_close();
	sc.connected = sc.negotiated = sc.checking = false;
	sc.why = why;
	if (sc.state == SWAP_OFF)
		return;		/* still in NET_SWAP_SETUP: it reports */
	if (was_up) {
		nbd_lost(&sc.cl, how);
		sc.lost();	/* its counts, before a new connection's answers */
		unsigned waiting = nbd_pending(&sc.cl);

		if (sc.losses == 0 || (waiting > 0 && !sc.said_waiting)) {
			printf("netd: swap: connection lost (%s); reconnecting, %u requests to send "
			       "again\n", why, waiting);
			sc.said_back = false;	/* and its reconnection */
			sc.said_waiting = waiting > 0;
		}
	}
	sc.losses++;
	/* Counted until a request is answered, not reset by a handshake: a
	 * server that takes connections and answers nothing is gone. */
	int64_t now = netd_now();

	if (sc.outage_since == 0)
		sc.outage_since = now;
	if (now - sc.outage_since >= sc.outage_ns)
		return gone(why);
	sc.state = SWAP_RETRYING;
	sc.retry_at = now + retry_delay(sc.losses);
}

/* The server closed or reset the connection, or broke the protocol. */
static void lost(const char *why)
{
	lost_as(why, NBD_LOST_BROKEN);
}

/* A request answered on this connection: a run of losses is over. */
static void answered(void)
{
	outage_over();
	if (sc.losses > 1)
		printf("netd: swap: answering again after %u connections lost in a row\n",
		       sc.losses);
	sc.losses = 0;
	sc.said_back = sc.said_waiting = false;
}

/* The same export again: its requests go again. */
static void resume(void)
{
	nbd_client_resume(&sc.cl, &sc.hs);
	sc.state = SWAP_UP;
	if (nbd_pending(&sc.cl) == 0)
		outage_over();	/* nothing waits: nothing to prove */
	sc.deadline = netd_now() + ANSWER_NS;
	if (!sc.said_back)
		printf("netd: swap: reconnected; sending %u requests again\n", nbd_pending(&sc.cl));
	sc.said_back = true;
	output();
}

/* The first page has been read (or not): at setup, keep it and stamp it
 * with the next generation (swap_stamp.h); after a reconnection it must be
 * the same, or this is another disk, or the same one without the writes
 * made since setup: never taken as holding our data. */
static void first_page_read(void)
{
	static char why[160];

	/* Lost while still checking: none of the pager's requests went out
	 * on this connection, so it is no lost connection of theirs
	 * (lost_as: nothing requeued, no reconnection counted, the pager not
	 * told), as for an attempt that failed at its handshake. */
	if (first.result < 0)
		return lost("the export's first page could not be read");
	sc.checking = false;
	if (sc.state == SWAP_OFF) {
		int r = swap_stamp_begin(first.page, !first.cl.read_only, sc.capacity);

		sc.stamp_due = r > 0;
		sc.stamp_refused = r < 0 ? r : 0;
		return;
	}
	/* Anything vouched for since setup: a flush answered, or any answered
	 * write of an export set up without flush. */
	bool vouched = !(sc.flags & NBD_FLAG_SEND_FLUSH) || sc.cl.cnt.flushes_ok > 0;
	enum swap_stamp_verdict v = swap_stamp_check(first.page, vouched);

	if (v == STAMP_OTHER_DISK)
		return gone("the export is not the one swap was set up on: its first page, "
			    "the swap header, differs");
	if (v == STAMP_OLDER) {
		snprintf(why, sizeof(why),
			 "the export has lost what was written since swap was set up: its swap "
			 "header's generation is %lu, not %lu (a copy from before)",
			 (unsigned long)swap_stamp_get(first.page),
			 (unsigned long)swap_stamp_get(swap_stamp_page()));
		return gone(why);
	}
	resume();
}

static void read_first_page(void)
{
	static const struct nbd_io io = { link_send, first_data, first_done, NULL };

	nbd_client_init(&first.cl, &io, NULL, &sc.hs);
	/* Its cookies apart from the pager's, which follow on this
	 * connection: a duplicate of its reply is nobody's. */
	first.cl.seq = FIRST_SEQ;
	first.result = 1;
	sc.checking = true;
	/* An export smaller than a page has none: the pager refuses it. */
	if (nbd_submit(&first.cl, NBD_CMD_READ, 0, 0, BLK_PAGE_SIZE) < 0) {
		first.result = 0;
		memset(first.page, 0, sizeof(first.page));
		return first_page_read();
	}
	output();
}

static void on_negotiated(void)
{
	uint64_t sectors = sc.hs.size / BLK_SECTOR;
	uint16_t flags = sc.hs.flags & (NBD_FLAG_READ_ONLY | NBD_FLAG_SEND_FLUSH);

	sc.negotiated = true;
	if (sc.state == SWAP_OFF) {
		nbd_client_init(&sc.cl, &sc.io, NULL, &sc.hs);
		sc.capacity = sectors;
		sc.flags = flags;
	} else if (sectors != sc.capacity) {
		/* The same export again, or nothing: another size is another disk. */
		return gone("the export changed size");
	} else if ((flags & ~sc.flags & NBD_FLAG_READ_ONLY) ||
		   (sc.flags & ~flags & NBD_FLAG_SEND_FLUSH)) {
		/* Read-only now, or no flush to vouch for writes (the pager's
		 * check of writes lost with a connection rides on flushes):
		 * not the disk swap was set up on. A flush gained or
		 * read-only lost harms nothing. */
		return gone("the export's flags changed (read-only or flush)");
	}
	read_first_page();
}

/* nbd_input refused the server's bytes: the connection goes. */
static void input_failed(int r)
{
	if (r == -ECONNRESET)
		return lost_as("the server is shutting down", NBD_LOST_SHUTDOWN);
	lost("a reply no request asked for");
}

/* Bytes from the server: the handshake's, then replies. */
static void take(const uint8_t *d, uint32_t len)
{
	if (!sc.negotiated) {
		size_t used = nbd_hs_input(&sc.hs, d, len);

		if (!hs_send())
			return;
		if (sc.hs.state == NBD_HS_FAILED)
			return lost(sc.hs.why);
		if (sc.hs.state != NBD_HS_DONE)
			return;
		on_negotiated();
		d += used;
		len -= (uint32_t)used;
		if (!sc.negotiated || len == 0)
			return;
	}
	if (sc.checking) {
		/* Nothing else was asked on this connection: bytes after the
		 * page's are a reply nobody asked for. */
		int r = nbd_input(&first.cl, d, len);
		if (r < 0)
			return input_failed(r);
		if (first.result <= 0)
			first_page_read();
		return;
	}
	uint64_t completed = sc.cl.cnt.completed, progress = sc.cl.progress;
	int r = nbd_input(&sc.cl, d, len);

	if (sc.cl.progress != progress)
		sc.deadline = netd_now() + ANSWER_NS;	/* the server answers */
	if (sc.cl.cnt.completed != completed)
		answered();
	if (r < 0)
		input_failed(r);
}

static void on_connected(void)
{
	sc.connected = true;
	nbd_hs_start(&sc.hs, "");
}

static const struct swap_tcp_events events = { on_connected, take, output, lost };

static void start_connect(void)
{
	sc.deadline = netd_now() + CONNECT_NS;
	int err = swap_tcp_open(sc.server, sc.port, &events);

	/* No memory for a pcb even from the reserve: wait for memory, which
	 * reclaim frees, rather than count it against the server. */
	if (err == -ENOMEM)
		sc.retry_at = netd_now() + RETRY_NS;
	else if (err < 0)
		lost("the connection could not be started");
}

/* What an attempt still waits for when its time is up. */
static const char *waiting_for(void)
{
	return !sc.connected ? "cannot connect" :
	       !sc.negotiated ? "no handshake in time" : "the export's first page was not read in time";
}

static bool settled(void *ctx)
{
	(void)ctx;
	return (sc.negotiated && !sc.checking) || !swap_tcp_is_open();
}

long swap_link_open(uint32_t addr, uint16_t port, unsigned outage_s, const struct nbd_io *pager,
		    void (*gone)(void), void (*lost_hook)(void))
{
	if (sc.state != SWAP_OFF)
		return -EINVAL;
	/* As at boot: a setup that failed before this one left its state,
	 * its handshake's failure among it, which would end this one's
	 * attempts before the first (its old error answered again). */
	memset(&sc, 0, sizeof(sc));
	sc.outage_ns = (int64_t)outage_s * 1000 * MS;
	sc.pager = *pager;
	sc.io = (struct nbd_io){ link_send, link_data, link_done, link_now };
	sc.gone = gone;
	sc.lost = lost_hook;
	sc.server = addr;
	sc.port = port;
	/* A connection may fail for want of time on a loaded host: a few
	 * attempts, each bounded; a server that answers but refuses is not
	 * asked again. */
	bool ok = false;

	for (int k = 0; k < SETUP_TRIES && !ok && sc.hs.state != NBD_HS_FAILED; k++) {
		swap_tcp_close();
		sc.connected = sc.negotiated = sc.checking = false;
		sc.why = NULL;
		start_connect();
		ok = netd_run_until(settled, NULL, sc.deadline) && sc.negotiated && !sc.checking;
	}
	if (ok && sc.stamp_refused) {
		printf("netd: swap: the NBD export at %u.%u.%u.%u:%u is not used: its swap header's "
		       "generation stamp is the largest there is (2^64 - 1), and the next would wrap "
		       "to 0; a new swap header (mkswap) starts the count again\n", addr >> 24,
		       (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, port);
		swap_tcp_close();
		return sc.stamp_refused;
	}
	if (!ok) {
		const char *why = sc.hs.state == NBD_HS_FAILED ? sc.hs.why :
				  sc.why ? sc.why : waiting_for();
		printf("netd: swap: no NBD export at %u.%u.%u.%u:%u: %s\n", addr >> 24,
		       (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, port, why);
		swap_tcp_close();
		return sc.hs.state == NBD_HS_FAILED ? sc.hs.error : -ECONNREFUSED;
	}
	sc.state = SWAP_UP;
	sc.deadline = 0;
	printf("netd: swap: NBD export of %lu MiB at %u.%u.%u.%u:%u%s\n",
	       (unsigned long)(sc.hs.size >> 20), addr >> 24, (addr >> 16) & 255,
	       (addr >> 8) & 255, addr & 255, port, sc.cl.read_only ? ", read-only" : "");
	output();
	return 0;
}

long swap_link_start(void)
{
	if (sc.state == SWAP_OFF)
		return -ENODEV;
	if (sc.state == SWAP_GONE)
		return -ENXIO;
	if (sc.started)
		return -EALREADY;
	sc.started = true;
	/* The stamp goes out first, not waited for: a server that holds
	 * writes must not hold the boot (swap_stamp.h). */
	if (sc.stamp_due)
		stamp_send(NBD_CMD_WRITE);
	output();
	return 0;
}

long swap_link_stop(void)
{
	if (sc.state == SWAP_OFF)
		return -ENODEV;
	if (sc.started)
		return -EALREADY;
	printf("netd: swap: the pager did not take the NBD export at %u.%u.%u.%u:%u; "
	       "connection closed\n", sc.server >> 24, (sc.server >> 16) & 255,
	       (sc.server >> 8) & 255, sc.server & 255, sc.port);
	swap_tcp_close();
	/* The pager's reads (the header's) are over before it decides; any
	 * request still queued fails rather than outlive the link. */
	nbd_fail_all(&sc.cl, -ENXIO);
	memset(&sc, 0, sizeof(sc));	/* SWAP_OFF: as at boot */
	first.result = 0;
	return 0;
}

bool swap_link_started(void)
{
	return sc.started;
}

int swap_link_submit(enum nbd_cmd cmd, uint64_t id, uint64_t offset, uint32_t len)
{
	/* The export is not the pager's swap yet: nothing is written to it. */
	if (!sc.started && cmd != NBD_CMD_READ)
		return -EACCES;
	/* Behind the stamp's flush (see the top). */
	if (cmd == NBD_CMD_FLUSH && id != STAMP_ID && sc.cl.can_flush && swap_stamp_pending()) {
		if (sc.nheld == NBD_SLOTS)
			return -EBUSY;
		sc.held[sc.nheld++] = id;
		return 0;
	}
	int err = nbd_submit(&sc.cl, cmd, id, offset, len);

	/* While reconnecting the deadline is the attempt's; the answers'
	 * clock starts once the link is up again. */
	if (err == 0 && sc.state == SWAP_UP && (sc.deadline == 0 || nbd_pending(&sc.cl) == 1))
		sc.deadline = netd_now() + ANSWER_NS;
	return err;
}

void swap_link_push(void)
{
	output();
}

void swap_link_tick(void)
{
	int64_t now = netd_now();

	if (sc.state == SWAP_RETRYING && !swap_tcp_is_open() && now >= sc.retry_at) {
		start_connect();
		return;
	}
	if (sc.state == SWAP_RETRYING && swap_tcp_is_open() && (!sc.negotiated || sc.checking) &&
	    now >= sc.deadline)
		return lost(waiting_for());
	if (sc.state == SWAP_UP && nbd_pending(&sc.cl) > 0 && sc.deadline && now >= sc.deadline)
		return lost_as("no answer in time", NBD_LOST_WAITED);
	/* Answers to others keep the deadline off: each request's own. Lost,
	 * it goes again, and fails once NBD_BLAME_MAX losses are its. */
	int64_t out;
	if (sc.state == SWAP_UP && nbd_oldest_out(&sc.cl, &out) && now - out >= ANSWER_NS)
		return lost_as("a request not answered in time", NBD_LOST_WAITED);
	if (sc.state == SWAP_UP && nbd_pending(&sc.cl) == 0)
		sc.deadline = 0;
	output();
}

enum swap_state swap_link_state(void)
{
	return sc.state;
}

int64_t swap_link_outage_until(void)
{
	if (sc.state == SWAP_GONE || sc.outage_since == 0)
		return 0;
	return sc.outage_since + sc.outage_ns + GIVE_UP_LATE_NS;
}

int64_t swap_link_outage_ended(void)
{
	return sc.outage_ended;
}

bool swap_link_serves(uint32_t addr, uint16_t port)
{
	return sc.state != SWAP_OFF && addr == sc.server && port == sc.port;
}

uint64_t swap_link_sectors(void)
{
	return sc.capacity;
}

bool swap_link_read_only(void)
{
	return sc.cl.read_only;
}

const struct nbd_counters *swap_link_counters(void)
{
	return &sc.cl.cnt;
}

bool swap_link_done_late(struct nbd_late *late)
{
	return nbd_done_late(&sc.cl, late);
}
