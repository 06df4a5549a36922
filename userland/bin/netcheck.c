/*
 * netcheck: netd's rules for programs' connections (drivers/netd/sockets.c),
 * each against what would break it, over scripts/run's network with
 * QEMU_SWAP=nbd (the flood stream at 10.0.2.101:7000) and scripts/net-peer
 * at 10.0.2.102:7001 (guest-netcheck's QEMU_GUESTFWD):
 *  - a program that passes a notification netd could not tell it gone by
 *    (rights 0, an endpoint, no right to signal) is refused, and the
 *    connections of a program that ends without closing them are freed,
 *    even while another process holds a copy of their notification that
 *    may wait (the pager tells netd of the end);
 *  - a line (a program and what it starts) holds at most half of netd's
 *    connections, its processes alive;
 *  - a connection to a port nothing serves is refused (-ECONNREFUSED);
 *  - a connection to the swap server (the pager's, live) is refused
 *    (-EACCES);
 *  - a peer that answers and closes at once leaves our side open to write;
 *  - closed connections lingering in lwIP (FIN_WAIT_2) never keep a new
 *    one from being made;
 *  - a stream of tiny segments nobody reads holds its share of netd's
 *    buffers, no more, and loses nothing;
 *  - a line's connections, sending to and receiving from a peer that reads
 *    nothing, hold at most half of the ordinary part of netd's pool;
 *  - an idle connection's notification stays quiet;
 *  - with every one of the process's kernel timers armed, a wait that
 *    could not be bounded is refused (-EAGAIN), never begun;
 *  - two threads receiving on one idle connection both time out: the
 *    second does not take the first one's bound away;
 *  - a forked child does not use its parent's handles; a second close
 *    closes nothing of another's.
 * Usage: netcheck [check...] (by the names in checks[]; all by default).
 * Exit 0 if all held; each failure is said.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/abi/clock.h"
#include "kernel/abi/limits.h"
#include "kernel/abi/msg.h"
#include "kernel/abi/proc.h"
#include "drivers/net_ring.h"
#include "net.h"
#include "pager_client.h"
#include "sleep.h"
#include "sys.h"
#include "thread.h"

#define WAIT_MS 5000u
#define FLOOD NET_ADDR(10, 0, 2, 101)
#define FLOOD_PORT 7000
#define PEER NET_ADDR(10, 0, 2, 102)
#define PEER_PORT 7001
#define SWAP_SERVER NET_ADDR(10, 0, 2, 100)	/* QEMU_SWAP=nbd's export */
#define SWAP_PORT 10809
#define CLOSED NET_ADDR(10, 0, 2, 2)	/* the host: nothing served (restrict=on) */
#define CLOSED_PORT 9
#define LINGERING 40	/* connections closed in a row: more than lwIP's 24 pcbs */

static int failures;

static void expect(int ok, const char *what)
{
	printf("netcheck: %s: %s\n", ok ? "ok" : "FAILED", what);
	failures += !ok;
}

static struct net_stats stats(void)
{
	struct net_stats s = { 0 };

	net_stats(&s);
	return s;
}

/* Poll netd's count of connections until it is want, for up to WAIT_MS
 * (netd frees an ended program's on its next tick). */
static int sockets_become(uint32_t want)
{
	int64_t end = sys_clock() + WAIT_MS * CLOCK_NS_PER_MS;

	while (stats().sockets != want && sys_clock() < end)
		sleep_ns(50 * CLOCK_NS_PER_MS);
	return stats().sockets == want;
}

/* NET_CONNECT by hand to the peer (which sends nothing until told, so a
 * connection kept for ever holds no buffer), passing handle h with rights. */
static long raw_connect(int netd, int h, uint32_t rights)
{
	struct msg m = { .label = NET_CONNECT, .handle = h, .rights = rights };

	m.w[0] = PEER;
	m.w[1] = PEER_PORT;
	int r = sys_call(netd, &m);

	return r < 0 ? r : (long)(int64_t)m.label;
}

/* In a child: three bad notifications, each refused (-EINVAL); then a
 * good connection left open at exit. Exit status: how many were taken. */
static int child_bad_notes(void)
{
	struct msg m = { .label = PAGER_NET, .handle = -1 };
	int taken = 0, note = sys_notify_create(), ep = sys_endpoint_create();

	if (pager_call(&m) < 0 || note < 0 || ep < 0)
		return 100;
	int netd = (int)m.w[0];

	taken += raw_connect(netd, note, 0) != -EINVAL;			/* all rights */
	taken += raw_connect(netd, ep, RIGHT_SEND) != -EINVAL;		/* an endpoint */
	taken += raw_connect(netd, note, RIGHT_RECV | RIGHT_GRANT) != -EINVAL;	/* no send */
	if (net_connect(PEER, PEER_PORT, WAIT_MS) < 0)
		return 100;
	return taken;	/* exits with the good connection open */
}

static int run_child(int (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void check_reaping(void)
{
	uint32_t before = stats().sockets;
	int r = run_child(child_bad_notes);

	expect(r == 0, "a notification with all rights, an endpoint and one without the right "
		       "to signal are each refused");
	expect(sockets_become(before), "an ended program's connections are freed");
}

static void check_refused(void)
{
	int c = net_connect(CLOSED, CLOSED_PORT, WAIT_MS);

	printf("netcheck: connecting to a port nothing serves: %d\n", c);
	expect(c == -ECONNREFUSED, "a connection to a closed port is refused (-ECONNREFUSED)");
	if (c >= 0)
		net_close(c);
}

/* The swap export is the pager's: a program that could reach it could
 * read or overwrite others' swapped pages. */
static void check_swap_server(void)
{
	struct pager_stats st;
	int c;

	if (pager_stats(&st) < 0 || st.swap_slots_total == 0) {
		expect(0, "swap is on (over NBD, QEMU_SWAP=nbd)");
		return;
	}
	c = net_connect(SWAP_SERVER, SWAP_PORT, WAIT_MS);
	printf("netcheck: connecting to the swap server: %d\n", c);
	expect(c == -EACCES, "a program's connection to the swap server is refused (-EACCES)");
	if (c >= 0)
		net_close(c);
}

/* Read until the end of the stream; the bytes, or -1. */
static long read_to_end(int c, char *buf, size_t len)
{
	size_t got = 0;

	for (;;) {
		long n = net_recv(c, buf + got, len - got, WAIT_MS);
		if (n == 0)
			return (long)got;
		if (n < 0 || (got += (size_t)n) == len)
			return -1;
	}
}

static void check_answer_and_close(void)
{
	char buf[64];
	int c = net_connect(PEER, PEER_PORT, WAIT_MS);

	if (c < 0 || net_send(c, "answer\n", 7, WAIT_MS) != 7) {
		expect(0, "the peer that answers and closes is reached");
		return;
	}
	long n = read_to_end(c, buf, sizeof(buf));

	expect(n == 6 && memcmp(buf, "hello\n", 6) == 0, "its answer, then the end of its stream");
	long s = net_send(c, "more\n", 5, WAIT_MS);

	printf("netcheck: a send after the peer's end of stream: %ld\n", s);
	expect(s == 5, "our side stays open to write after the peer's end of stream");
	net_close(c);
}

static void check_lingering(void)
{
	int made = 0, c = 0;

	for (int i = 0; i < LINGERING; i++) {
		if ((c = net_connect(PEER, PEER_PORT, WAIT_MS)) < 0)
			break;
		net_send(c, "hold\n", 5, WAIT_MS);
		net_close(c);
		made++;
	}
	printf("netcheck: %d connections made and closed in a row (last: %d)\n", made, c);
	expect(made == LINGERING, "closed connections left lingering never keep a new one from "
				  "being made");
}

/* Whether the stream's words count on from *next (32-bit little endian,
 * scripts/flood-source); carry and ncarry hold a word split between reads. */
static int words_count_on(const uint8_t *d, long n, uint32_t *next, uint8_t *carry,
			  unsigned *ncarry)
{
	for (long i = 0; i < n; i++) {
		carry[(*ncarry)++] = d[i];
		if (*ncarry < 4)
			continue;
		uint32_t w = (uint32_t)carry[0] | (uint32_t)carry[1] << 8 |
			     (uint32_t)carry[2] << 16 | (uint32_t)carry[3] << 24;
		*ncarry = 0;
		if (w != (*next)++)
			return 0;
	}
	return 1;
}

static void check_tiny_segments(void)
{
	static uint8_t buf[MSG_DATA_MAX];
	struct net_stats before = stats(), now = before;
	int c = net_connect(FLOOD, FLOOD_PORT, WAIT_MS);
	int64_t end = sys_clock() + 2 * WAIT_MS * CLOCK_NS_PER_MS;

	if (c < 0) {
		expect(0, "the flood stream is reached");
		return;
	}
	/* Read nothing until netd refuses the stream's data. */
	while ((now = stats()).rx_refused == before.rx_refused && sys_clock() < end)
		net_wait(c, 100);
	uint32_t held = before.pool_free > now.pool_free ? before.pool_free - now.pool_free : 0;

	printf("netcheck: a stream nobody reads holds %u buffers (%u free of %u)\n", held,
	       now.pool_free, now.pool_bufs);
	expect(now.rx_refused > before.rx_refused, "netd refuses a connection's data once it "
						   "holds its share of buffers");
	/* Its share, the chain lwIP keeps refused and its out-of-order
	 * segments (TCP_OOSEQ_MAX_PBUFS, 8 each), a few more in flight. */
	expect(held <= NET_RX_BUFS_MAX + 24, "the stream held its share of buffers, no more");
	uint32_t next = 0;
	uint8_t carry[4];
	unsigned ncarry = 0;
	long total = 0, n = 0;
	int intact = 1;

	while (total < 256 * 1024 && intact && (n = net_recv(c, buf, sizeof(buf), WAIT_MS)) > 0) {
		intact = words_count_on(buf, n, &next, carry, &ncarry);
		total += n;
	}
	printf("netcheck: %ld bytes of the stream read (last: %ld)\n", total, n);
	expect(intact && total >= 256 * 1024, "the refused data came again, nothing lost");
	net_close(c);
}

static void check_quiet(void)
{
	int c = net_connect(PEER, PEER_PORT, WAIT_MS);

	if (c < 0 || net_send(c, "hold\n", 5, WAIT_MS) != 5) {
		expect(0, "the peer that holds is reached");
		return;
	}
	/* Take the events of the connect and the send (acknowledged). */
	for (int i = 0; i < 8 && net_wait(c, 500) == 1; i++)
		;
	expect(!net_wait(c, 1000), "an idle connection's notification stays quiet");
	net_close(c);
}

/* A connection to the peer that holds it open and says nothing, its
 * connect's and send's events taken; or -1 (said). */
static int idle_connection(void)
{
	int c = net_connect(PEER, PEER_PORT, WAIT_MS);

	if (c < 0 || net_send(c, "hold\n", 5, WAIT_MS) != 5) {
		expect(0, "the peer that holds is reached");
		if (c >= 0)
			net_close(c);
		return -1;
	}
	for (int i = 0; i < 8 && net_wait(c, 500) == 1; i++)
		;
	return c;
}

static void check_timers_used(void)
{
	int c = idle_connection(), notes[NOTIFY_TIMERS_PER_PROC], armed = 0;
	char b[16];

	if (c < 0)
		return;
	/* Arm every timer the process has, far ahead: an idle connection's
	 * wait would then have no bound. */
	for (int i = 0; i < NOTIFY_TIMERS_PER_PROC; i++) {
		notes[i] = sys_notify_create();
		armed += notes[i] >= 0 &&
			 sys_notify_timer(notes[i], (uint64_t)sys_clock() + 3600000 * CLOCK_NS_PER_MS, 1) == 0;
	}
	expect(armed == NOTIFY_TIMERS_PER_PROC, "every timer of the process is armed");
	expect(net_recv(c, b, sizeof(b), 100) == -EAGAIN, "a receive that cannot be bounded is refused");
	expect(net_wait(c, 100) == -EAGAIN, "a wait that cannot be bounded is refused");
	for (int i = 0; i < NOTIFY_TIMERS_PER_PROC; i++) {
		if (notes[i] < 0)
			continue;
		sys_notify_timer(notes[i], 0, 1);
		sys_handle_close(notes[i]);
	}
	expect(net_recv(c, b, sizeof(b), 100) == -ETIMEDOUT, "with a timer free, the receive times out");
	net_close(c);
}

struct second_receiver {
	int c, done;
	long result;
};

/* Runs at idle priority: only once the first receiver waits. */
static void receive_second(void *arg)
{
	struct second_receiver *s = arg;
	char b[16];

	s->result = net_recv(s->c, b, sizeof(b), 100);
	sys_notify_signal(s->done, 1);
}

static void check_shared_wait(void)
{
	struct second_receiver s = { .c = idle_connection(), .done = sys_notify_create() };
	char b[16];

	if (s.c < 0 || s.done < 0) {
		expect(0, "a notification for the second receiver");
		goto out;
	}
	if (thread_spawn(receive_second, &s, 16384, PRIO_IDLE) < 0) {
		expect(0, "a second receiver starts");
		goto out;
	}
	/* A second receiver that armed and disarmed this connection's timer
	 * would leave this wait with no bound: it would never return. */
	expect(net_recv(s.c, b, sizeof(b), 300) == -ETIMEDOUT, "the first receiver times out");
	expect(sys_notify_wait(s.done) == 1 && s.result == -ETIMEDOUT, "the second receiver times out");
out:
	if (s.done >= 0)
		sys_handle_close(s.done);
	if (s.c >= 0)
		net_close(s.c);
}

static int parent_conn;

static int child_stale(void)
{
	struct net_stats s;

	/* The parent's connection is not ours; netd is reached afresh. */
	return (net_close(parent_conn) == -EBADF) | (net_stats(&s) == 0 && s.pool_bufs > 0) << 1;
}

static void check_fork_and_close(void)
{
	parent_conn = net_connect(PEER, PEER_PORT, WAIT_MS);
	if (parent_conn < 0) {
		expect(0, "the peer is reached");
		return;
	}
	int r = run_child(child_stale);

	expect(r >= 0 && (r & 1), "a forked child cannot close its parent's connection");
	expect(r >= 0 && (r & 2), "a forked child reaches netd through a handle of its own");
	expect(net_close(parent_conn) == 0, "the parent's connection is still its own");
	int h = sys_notify_create();	/* may take the closed notification's number */

	expect(net_close(parent_conn) == -EBADF && sys_notify_poll(h) >= 0,
	       "a second close fails and closes nothing else");
	sys_handle_close(h);
}

/* Spawned (argv[1] "orphan-child"): open 4 connections, each passing the
 * HANDLE_ARG notification send-only, and exit without closing them. */
static int orphan_child(void)
{
	struct msg m = { .label = PAGER_NET, .handle = -1 };
	int n = 0;

	if (pager_call(&m) < 0)
		return 100;
	for (int i = 0; i < 4; i++)
		n += raw_connect((int)m.w[0], HANDLE_ARG, RIGHT_SEND) >= 0;
	return n;
}

/* A connection outlived its owner while another process held a copy of
 * its notification that may wait on it: netd now learns of the end from
 * the pager. */
static void check_orphaned(void)
{
	uint32_t before = stats().sockets;
	int note = sys_notify_create(), kids = 0;
	const char *argv[] = { "netcheck", "orphan-child", NULL };

	for (int k = 0; k < 4; k++) {
		struct exit_info info;
		int h = spawn("netcheck", argv, note, NULL);
		if (h < 0)
			break;
		if (sys_proc_wait(h, &info, 0) == 0 && info.how == EXIT_NORMAL)
			kids += info.status;
		sys_handle_close(h);
	}
	printf("netcheck: 4 children ended having opened %d connections; netd holds %u\n", kids,
	       (unsigned)stats().sockets);
	/* The first child's four at least (the others' depend on when the
	 * first is reaped): else there is nothing left behind to free. */
	expect(kids >= NET_SOCKETS_PER_PROC, "the children opened connections to leave behind");
	expect(sockets_become(before), "ended children's connections are freed at their exit");
	int mine = net_connect(PEER, PEER_PORT, WAIT_MS);
	printf("netcheck: a connection of the parent's own: %d\n", mine);
	expect(mine >= 0, "then the parent connects (it was -EMFILE)");
	if (mine >= 0)
		net_close(mine);
	sys_handle_close(note);
	expect(sockets_become(before), "freed once the last waiting copy is closed");
}

/* A child's report on HANDLE_ARG (check_line_share): bit n, n of its
 * connections made; LINE_BAD_REFUSAL, one was refused otherwise than for
 * its line's share (-EMFILE). */
#define LINE_BAD_REFUSAL (1UL << 8)

/* Spawned (argv[1] "line-child"): open NET_SOCKETS_PER_PROC connections,
 * say how many were made, and hold them until ended. */
static int line_child(void)
{
	int made = 0, bad = 0, idle = sys_notify_create();

	for (int i = 0; i < NET_SOCKETS_PER_PROC; i++) {
		int c = net_connect(PEER, PEER_PORT, WAIT_MS);

		made += c >= 0;
		bad |= c < 0 && c != -EMFILE;
	}
	sys_notify_signal(HANDLE_ARG, 1UL << made | (bad ? LINE_BAD_REFUSAL : 0));
	sys_notify_wait(idle);	/* never signalled: until the parent ends us */
	return 100;
}

/* The bits signalled on note, or 0 once the child has had time for all
 * its connects (each may take WAIT_MS) and one wait more: a hang bound. */
static uint64_t report_of(int note)
{
	int64_t end = sys_clock() + (NET_SOCKETS_PER_PROC + 1) * WAIT_MS * CLOCK_NS_PER_MS;
	long bits;

	while ((bits = sys_notify_poll(note)) == 0 && sys_clock() < end)
		sleep_ns(10 * CLOCK_NS_PER_MS);
	return bits > 0 ? (uint64_t)bits : 0;
}

/* A line (this program and every process it starts) holds at most half of
 * netd's connections, however many of its processes ask, so the rest stay
 * for other lines: this process takes its 4, then three children of its
 * line ask for 4 each, all alive at once. (Every program of this boot but
 * init is of netcheck's line: that another line then still connects is
 * shown by host-netd-owners.) */
static void check_line_share(void)
{
	uint32_t before = stats().sockets;
	int mine[NET_SOCKETS_PER_PROC], kids[3], note = sys_notify_create(), made = 0, bad = 0;
	const char *argv[] = { "netcheck", "line-child", NULL };

	for (int i = 0; i < NET_SOCKETS_PER_PROC; i++)
		made += (mine[i] = net_connect(PEER, PEER_PORT, WAIT_MS)) >= 0;
	for (int k = 0; k < 3; k++) {
		uint64_t bits = (kids[k] = spawn("netcheck", argv, note, NULL)) < 0 ? 0 : report_of(note);

		bad |= !bits || (bits & LINE_BAD_REFUSAL);
		made += bits ? __builtin_ctzll(bits & ~LINE_BAD_REFUSAL) : 0;
	}
	uint32_t held = stats().sockets - before;

	printf("netcheck: a line of 4 processes asking for 16 connections made %d; netd holds %u "
	       "more\n", made, (unsigned)held);
	expect(!bad, "each child reported, any refusal -EMFILE");
	expect(made == NET_LINE_SOCKETS && held == NET_LINE_SOCKETS,
	       "a line holds half of netd's connections, the rest left to other lines");
	for (int k = 0; k < 3; k++) {
		struct exit_info info;

		if (kids[k] < 0)
			continue;
		sys_proc_kill(kids[k], 0);
		sys_proc_wait(kids[k], &info, 0);
		sys_handle_close(kids[k]);
	}
	for (int i = 0; i < NET_SOCKETS_PER_PROC; i++)
		if (mine[i] >= 0)
			net_close(mine[i]);
	sys_handle_close(note);
	expect(sockets_become(before), "the line's connections are freed at its processes' ends");
}

/* Send to each of n connections whatever netd takes, until it has taken
 * nothing for QUIET_ROUNDS rounds in a row (its peers take nothing more,
 * or the line has its share of the pool), or FILL_MS has passed (a hang
 * bound only). Whether it ended quiet: only then does the pool's state
 * after it say what the share allows, not how far a slow host got. The
 * bound is generous (three fills fit the test's 180 s): 10 s failed the
 * check once on a host at load ~19 (session 25), the fill still taking
 * data, and an ended fill costs a quick host nothing. */
#define QUIET_ROUNDS 10
#define FILL_MS 30000
static int fill(const int *c, int n)
{
	static uint8_t junk[MSG_DATA_MAX];
	int64_t end = sys_clock() + FILL_MS * CLOCK_NS_PER_MS;
	int quiet = 0;
	long r;

	while (quiet < QUIET_ROUNDS && sys_clock() < end) {
		long took = 0;

		for (int i = 0; i < n; i++)
			while (c[i] >= 0 && (r = net_send_some(c[i], junk, sizeof(junk))) > 0)
				took += r;
		quiet = took ? 0 : quiet + 1;
		sleep_ns(100 * CLOCK_NS_PER_MS);
	}
	return quiet >= QUIET_ROUNDS;
}

/* Connections to the flood stream, which sends tiny segments and reads
 * nothing: how many were made. */
static int flood_conns(int *c, int n)
{
	int made = 0;

	for (int i = 0; i < n; i++)
		made += (c[i] = net_connect(FLOOD, FLOOD_PORT, WAIT_MS)) >= 0;
	return made;
}

#define SHARE_FULL (1UL << 8)	/* pool-child: its sends are taken no more */

/* Spawned (argv[1] "pool-child"): NET_SOCKETS_PER_PROC connections to the
 * flood stream, each sent to until netd takes nothing more, none read;
 * report (bit n: n made, and SHARE_FULL), then hold them until ended. */
static int pool_child(void)
{
	int c[NET_SOCKETS_PER_PROC], idle = sys_notify_create();
	int made = flood_conns(c, NET_SOCKETS_PER_PROC);

	int full = fill(c, NET_SOCKETS_PER_PROC);

	sys_notify_signal(HANDLE_ARG, 1UL << made | (full ? SHARE_FULL : 0));
	sys_notify_wait(idle);	/* never signalled: until the parent ends us */
	return 100;
}

static void close_all(const int *c, int n)
{
	for (int i = 0; i < n; i++)
		if (c[i] >= 0)
			net_close(c[i]);
}

/* The audit's: a line's 8 connections to a peer that sends tiny segments
 * and reads nothing, each sent to until netd took no more, held each ~34
 * buffers, the whole ordinary part of the pool (free fell to the reserve):
 * every other program's allocations were refused and its segments
 * dropped. A line may hold at most half of that part (NET_LINE_BUFS,
 * drivers/netd/netd.c): this process and a child of its line each fill 4. */
static void check_pool_share(void)
{
	struct net_stats b = stats(), s;
	int c[NET_SOCKETS_PER_PROC], note = sys_notify_create(), kid;
	const char *argv[] = { "netcheck", "pool-child", NULL };
	int made = flood_conns(c, NET_SOCKETS_PER_PROC);

	int full = fill(c, NET_SOCKETS_PER_PROC);
	uint64_t bits = (kid = spawn("netcheck", argv, note, NULL)) < 0 ? 0 : report_of(note);

	full &= fill(c, NET_SOCKETS_PER_PROC);	/* what the child's left, if any */
	s = stats();
	uint32_t ordinary = b.pool_bufs - NET_TX_SLOTS_MAX - NET_RX_POSTED - b.pool_reserve;

	made += bits ? __builtin_ctzll(bits & ~SHARE_FULL) : 0;
	printf("netcheck: a line's %d connections nobody reads: pool free %u -> %u (reserve %u, "
	       "ordinary part %u, lowest %u), refused +%lu, dropped for memory +%lu\n", made,
	       b.pool_free, s.pool_free, s.pool_reserve, ordinary, s.pool_lowest,
	       (unsigned long)(s.alloc_refused - b.alloc_refused),
	       (unsigned long)(s.rx_dropped_nomem - b.rx_dropped_nomem));
	expect(made == NET_LINE_SOCKETS && full && (bits & SHARE_FULL), "the line's 8 connections "
	       "were made and filled until netd took nothing more");
	expect(s.pool_free >= s.pool_reserve + ordinary / 2, "a line holds at most half the "
	       "ordinary part of the pool");
	if (kid >= 0) {
		struct exit_info info;

		sys_proc_kill(kid, 0);
		sys_proc_wait(kid, &info, 0);
		sys_handle_close(kid);
	}
	close_all(c, NET_SOCKETS_PER_PROC);
	sys_handle_close(note);
	expect(sockets_become(b.sockets), "the line's connections are freed at its processes' ends");
}

static const struct {
	const char *name;
	void (*fn)(void);
} checks[] = {
	{ "orphaned", check_orphaned },
	{ "line_share", check_line_share },
	{ "reaping", check_reaping },
	{ "refused", check_refused },
	{ "swap_server", check_swap_server },
	{ "answer_and_close", check_answer_and_close },
	{ "lingering", check_lingering },
	{ "tiny_segments", check_tiny_segments },
	{ "quiet", check_quiet },
	{ "timers_used", check_timers_used },
	{ "shared_wait", check_shared_wait },
	{ "fork_and_close", check_fork_and_close },
	{ "pool_share", check_pool_share },
};

static int chosen(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return argc < 2;
}

int main(int argc, char **argv)
{
	int ran = 0;

	if (argc == 2 && strcmp(argv[1], "orphan-child") == 0)
		return orphan_child();
	if (argc == 2 && strcmp(argv[1], "line-child") == 0)
		return line_child();
	if (argc == 2 && strcmp(argv[1], "pool-child") == 0)
		return pool_child();
	if (net_stats(&(struct net_stats){ 0 }) < 0) {
		printf("netcheck: no network\n");
		return 2;
	}
	for (unsigned i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (chosen(argc, argv, checks[i].name)) {
			checks[i].fn();
			ran++;
		}
	expect(ran > 0, "a check was named");
	expect(sockets_become(0), "every connection is freed at the end");
	printf("netcheck: %s\n", failures ? "FAILED" : "all held");
	return failures ? 1 : 0;
}
