/*
 * Requests to the network server, netd (drivers/net_protocol.h), as a
 * hostile program makes them: PAGER_NET for its endpoint, then connections
 * to odd addresses and ports (the swap server's among them), sends and
 * receives on connections that are not ours, closed or never opened, with
 * bad pointers and lengths, notifications passed with every mix of rights
 * (or other handles in their place), closes twice, the server's own labels
 * (NET_SWAP_STOP among them), which netd must refuse us: half of those are
 * sent on a handle the pager has just granted, and the answer checked.
 * Every call to netd may block: the number we hold may since have been
 * closed by a made-up call and now name another endpoint, one no one
 * receives on (the supervisor then replaces the worker, as for any block).
 */
#include <string.h>

#include "drivers/net_protocol.h"
#include "fuzz.h"

#define CONNS_KEPT 8	/* connections a worker remembers: twice netd's
			 * per-process limit, so some calls meet -EMFILE */

/* Addresses as the guest's network (QEMU's user mode, scripts/run) has
 * them: the NBD swap server, the flood stream, an echo peer (fuzz.sh),
 * the host (nothing served: refused), netd itself, and addresses no
 * connection may reach (unspecified, loopback, broadcast, multicast). */
static const uint64_t addrs[] = {
	0x0A000264, 0x0A000265, 0x0A000266, 0x0A000202, 0x0A00020F, 0,
	0x7F000001, 0xFFFFFFFF, 0x0A0002FF, 0xE0000001, 1UL << 32, ~0UL,
};
static const uint64_t ports[] = { 10809, 7000, 7001, 9, 0, 1, 65535, 65536, ~0UL };
/* The services at their own ports, as scripts/run and fuzz.sh serve them:
 * the swap server, the flood stream, the echo peer, the host's discard
 * port (refused). */
static const struct {
	uint64_t addr, port;
} services[] = {
	{ 0x0A000264, 10809 }, { 0x0A000265, 7000 }, { 0x0A000266, 7001 }, { 0x0A000202, 9 },
};
/* A connection's conversation right after its connect: this many rounds
 * of a wait for its event, a send and a receive, each wait at most
 * TALK_WAIT_NS: a round well inside the supervisor's 20 ms for a call
 * that may block, and a few of QEMU's round trips. */
#define TALK_ROUNDS 3
#define TALK_WAIT_NS (3 * MS)
#define TIMER_BIT (1UL << 40)	/* our timer's bit on a connection's notification */

/* Our connections (number and the notification we kept): per process, so
 * a forked child's copy names its parent's, which netd must refuse it. */
static struct {
	int64_t conn;
	int note;
} kept[CONNS_KEPT];
static unsigned nkept;

/* Our handle to netd: asked of the pager each time now and then (the
 * table then holds several), else the last answer if it still names a
 * send-only endpoint. */
static int netd_handle(struct rng *r)
{
	static int last = -1;
	struct msg *m = gen_scratch(r, sizeof(*m));
	int info = last >= 0 ? sys_handle_info(last) : -1;

	if (info >= 0 && HANDLE_INFO_TYPE(info) == HANDLE_TYPE_ENDPOINT &&
	    HANDLE_INFO_RIGHTS(info) == RIGHT_SEND && !rng_one_in(r, 8))
		return last;
	memset(m, 0, MSG_HEADER_SIZE);
	m->label = PAGER_NET;
	m->handle = -1;
	fuzz_note_detail(PAGER_NET);
	if (fuzz_env.pager_closed)
		return -1;	/* handle 1 may lead anywhere: fuzz_op marked it */
	if (sys_call(HANDLE_PAGER, m) < 0 || (int64_t)m->label < 0)
		return -1;	/* no network (-ENODEV), or our table is full */
	last = (int)m->w[0];
	return last;
}

/* The notification a connect passes: a fresh one mostly, passed with
 * RIGHT_SEND alone (what netd takes) or any other rights; or any handle. */
static void connect_handle(struct rng *r, struct msg *m, int *kept_note)
{
	*kept_note = -1;
	switch (rng_below(r, 6)) {
	case 0:
		m->handle = (int32_t)gen_handle(r);
		m->rights = gen_rights(r);
		return;
	case 1:
		m->handle = -1;
		return;
	default:
		*kept_note = sys_notify_create();
		m->handle = *kept_note;
		m->rights = rng_one_in(r, 3) ? gen_rights(r) : RIGHT_SEND;
		return;
	}
}

static uint64_t pick(struct rng *r, const uint64_t *from, size_t n)
{
	return rng_one_in(r, 6) ? gen_arg(r) : from[rng_below(r, n)];
}

/* A connection number: one of ours, one we closed, someone else's, none. */
static uint64_t conn_number(struct rng *r)
{
	if (nkept && !rng_one_in(r, 4))
		return (uint64_t)kept[rng_below(r, nkept)].conn;
	return rng_one_in(r, 2) ? rng_below(r, NET_SOCKETS_MAX + 2) : gen_arg(r);
}

static void remember(int64_t conn, int note)
{
	if (nkept == CONNS_KEPT) {
		nkept--;	/* forget the oldest; its connection stays open */
		memmove(&kept[0], &kept[1], nkept * sizeof(kept[0]));
	}
	kept[nkept].conn = conn;
	kept[nkept].note = note;
	nkept++;
}

static void forget(uint64_t conn)
{
	for (unsigned i = 0; i < nkept; i++) {
		if ((uint64_t)kept[i].conn != conn)
			continue;
		kept[i] = kept[--nkept];
		return;
	}
}

/* Wait up to ns on notification note (netd signals it on every change of
 * its connection), bounded by a timer on the same notification. */
static void wait_on(int note, int64_t ns)
{
	if (note < 0 || sys_notify_timer(note, sys_clock() + ns, TIMER_BIT) < 0)
		return;	/* no timer: never wait unbounded */
	sys_notify_wait(note);
	sys_notify_timer(note, 0, TIMER_BIT);
}

/* Wait on one of our connections' notifications, a little. */
static void wait_event(struct rng *r)
{
	if (nkept)
		wait_on(kept[rng_below(r, nkept)].note, (int64_t)rng_below(r, TALK_WAIT_NS));
}

/* One request on connection conn: NET_SEND with some bytes or NET_RECV. */
static void talk_once(struct rng *r, int netd, uint64_t label, uint64_t conn)
{
	struct msg *m = gen_scratch(r, sizeof(*m));

	memset(m, 0, MSG_HEADER_SIZE);
	m->label = label;
	m->handle = -1;
	m->w[0] = conn;
	m->w[1] = 1 + rng_below(r, MSG_DATA_MAX);
	m->len = label == NET_SEND ? (uint32_t)(1 + rng_below(r, MSG_DATA_MAX)) : 0;
	gen_fill(r, m->data, m->len);
	if (sys_call(netd, m) == 0 && (int64_t)m->label > 0)
		fuzz_event(EV_NET_DATA);
}

/* A new connection used as a program would: wait for it to open, send,
 * wait for the answer, receive, a few times. */
static void talk(struct rng *r, int netd, uint64_t conn, int note)
{
	for (int i = 0; i < TALK_ROUNDS; i++) {
		fuzz_progress();	/* each round is progress: only one that stops is stuck */
		wait_on(note, TALK_WAIT_NS);
		talk_once(r, netd, NET_SEND, conn);
		wait_on(note, TALK_WAIT_NS);
		talk_once(r, netd, NET_RECV, conn);
	}
}

/* One request's message: the label and its words, shaped or not. */
static void build(struct rng *r, struct msg *m, int *note)
{
	static const uint64_t labels[] = { NET_CONNECT, NET_SEND, NET_RECV, NET_CLOSE,
					   NET_STATS, NET_POOL, NET_SETUP, NET_SWAP_SETUP,
					   NET_SWAP_FLUSH, NET_SWAP_START, NET_SWAP_STOP, BLK_SUBMIT,
					   BLK_SUBMIT_ONE, NET_STATS + 1, NET_CONNECT - 1 };
	uint64_t k = rng_below(r, 16);

	*note = -1;
	memset(m, 0, MSG_HEADER_SIZE);
	m->handle = -1;
	for (int i = 0; i < MSG_WORDS; i++)
		m->w[i] = gen_arg(r);
	/* Mostly a program's own requests, the rest the pager's. */
	m->label = k < 4 ? NET_CONNECT : k < 8 ? NET_SEND : k < 10 ? NET_RECV : k < 12 ? NET_CLOSE
		   : labels[rng_below(r, sizeof(labels) / sizeof(labels[0]))];
	switch (m->label) {
	case NET_CONNECT:
		if (rng_one_in(r, 2)) {
			k = rng_below(r, sizeof(services) / sizeof(services[0]));
			m->w[0] = services[k].addr;
			m->w[1] = services[k].port;
		} else {
			m->w[0] = pick(r, addrs, sizeof(addrs) / sizeof(addrs[0]));
			m->w[1] = pick(r, ports, sizeof(ports) / sizeof(ports[0]));
		}
		connect_handle(r, m, note);
		return;
	case NET_SEND:
		m->w[0] = conn_number(r);
		m->len = rng_one_in(r, 8) ? (uint32_t)gen_len(r) : (uint32_t)rng_below(r, MSG_DATA_MAX + 1);
		gen_fill(r, m->data, m->len <= MSG_DATA_MAX ? m->len : 16);
		break;
	case NET_RECV:
		m->w[0] = conn_number(r);
		m->w[1] = rng_one_in(r, 2) ? rng_below(r, MSG_DATA_MAX + 2) : gen_len(r);
		break;
	case NET_CLOSE:
		m->w[0] = conn_number(r);
		break;
	}
	if (rng_one_in(r, 6)) {	/* a handle the request does not expect */
		m->handle = (int32_t)gen_handle(r);
		m->rights = gen_rights(r);
	}
}

/* Our copy of a notification no connection took. */
static void drop(int note)
{
	if (note >= 0)
		sys_handle_close(note);
}

/* After a request: keep a new connection, forget a closed one; now and
 * then close it twice, or close the notification we kept (netd's copy
 * then is the only one: the connection must end by itself). */
static void settle(struct rng *r, int netd, const struct msg *m, uint64_t label, uint64_t conn,
		   int note)
{
	int64_t res = (int64_t)m->label;

	if (label == NET_CONNECT)
		fuzz_event(res >= 0 ? EV_NET_CONNECTED : EV_NET_REFUSED);
	if ((label == NET_SEND || label == NET_RECV) && res > 0)
		fuzz_event(EV_NET_DATA);
	if (label == NET_CONNECT && res >= 0) {
		if (note >= 0 && rng_one_in(r, 2))
			talk(r, netd, (uint64_t)res, note);
		if (note >= 0 && rng_one_in(r, 8)) {
			sys_handle_close(note);	/* netd's copy alone may hear it */
			note = -1;
		}
		remember(res, note);
		return;
	}
	drop(note);	/* refused: netd closed its copy */
	if (label == NET_CLOSE && res == 0) {
		struct msg *again = gen_scratch(r, sizeof(*again));

		forget(conn);
		if (!rng_one_in(r, 3))
			return;
		memset(again, 0, MSG_HEADER_SIZE);
		again->label = NET_CLOSE;
		again->handle = -1;
		again->w[0] = conn;
		sys_call(netd, again);	/* closed already: -EBADF */
	}
}

/* Whether netd serves label to programs: their own requests and its
 * counters. Every other label is the pager's (or no one's), and netd must
 * refuse it to a program: -EPERM. */
static int programs_label(uint64_t label)
{
	return (label >= NET_CONNECT && label <= NET_CLOSE) || label == NET_STATS;
}

/* m, a label of the pager's, sent on a handle to netd the pager grants for
 * this call alone, then closed: the number netd_handle keeps may by now
 * name another endpoint, whose answer would say nothing of netd's. The
 * answer is counted (fuzz_netd_pager_label): anything but -EPERM fails the
 * run. The ask is counted too (EV_NET_LABEL_ASKED): with netd up, asks
 * none of which was answered fail the run, so a grant that always fails
 * cannot pass the check unseen. */
static void pager_label(struct msg *m)
{
	static struct msg grant;
	int netd;

	if (fuzz_env.pager_closed)
		return;	/* handle 1 may lead anywhere: no grant to ask */
	memset(&grant, 0, MSG_HEADER_SIZE);
	grant.label = PAGER_NET;
	grant.handle = -1;
	fuzz_event(EV_NET_LABEL_ASKED);
	if (sys_call(HANDLE_PAGER, &grant) < 0 || (int64_t)grant.label < 0)
		return;
	netd = (int)grant.w[0];
	if (sys_call(netd, m) == 0) {
		fuzz_trace("  -> %ld (on a fresh handle)", (long)(int64_t)m->label);
		fuzz_netd_pager_label((int64_t)m->label);
	}
	sys_handle_close(netd);
}

void op_net(struct rng *r)
{
	struct msg *m = gen_scratch(r, sizeof(*m));
	int netd = netd_handle(r), note;

	/* A child asks the pager (which always answers) and no more: it must
	 * end by itself, and a number that no longer names netd may lead to
	 * an endpoint no one receives on. */
	if (netd < 0 || fuzz_env.is_child)
		return;
	build(r, m, &note);
	uint64_t label = m->label, conn = m->w[0];
	fuzz_note_detail(label);
	fuzz_trace("  netd %d w %lx %lx len %u handle %d rights %u", netd, (unsigned long)m->w[0],
		   (unsigned long)m->w[1], (unsigned)m->len, (int)m->handle, (unsigned)m->rights);
	fuzz_may_block();
	if (!programs_label(label) && rng_one_in(r, 2))
		return pager_label(m);
	switch (rng_below(r, 10)) {
	case 0:	/* one-way: netd answers no send, and closes what came */
		sys_send(netd, m);
		return drop(note);
	case 1:	/* a message the kernel cannot read or answer into */
		sys_call(netd, (struct msg *)gen_bad_ptr(r));
		return drop(note);
	case 2:
		wait_event(r);
		break;
	}
	if (sys_call(netd, m) < 0)
		return drop(note);
	fuzz_trace("  -> %ld", (long)(int64_t)m->label);
	settle(r, netd, m, label, conn, note);
}
