/*
 * Programs' connections (sockets.h) over lwIP's raw TCP API. netd never
 * blocks for a program: a call does what it can now and the program waits
 * on its notification, which every change of the connection signals.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lwip/priv/tcp_priv.h"	/* tcp_alloc: a pcb at a priority of our choosing */
#include "lwip/tcp.h"
#include "net_protocol.h"
#include "netd_mem.h"
#include "owners.h"
#include "sockets.h"
#include "swap_link.h"
#include "sys.h"
#include "tcp_append.h"

enum sock_state { S_FREE = 0, S_OPENING, S_OPEN, S_FAILED };

/* lwIP's priorities (tcp_alloc kills the oldest pcb of a lower one when
 * its table is full): a program's pcb is below the swap link's (normal),
 * and one no program owns any more (closing: FIN_WAIT, LAST_ACK...) below
 * every program's, so lingering pcbs never keep a connection from being
 * made, and programs' pcbs never keep the swap link from reconnecting. */
#define PRIO_PROGRAM TCP_PRIO_MIN
#define PRIO_RELEASED (TCP_PRIO_MIN - 1)

/* A connection's owner is owners.c's, slot for slot. */
struct sock {
	struct netd_conn_tag tag;	/* first: lwIP's argument points here */
	enum sock_state state;
	bool eof;			/* the peer has closed its side: reads end, writes go on */
	bool owed;			/* a send found no memory: an event is due at the next tick */
	int note;			/* the owner's notification, ours to signal */
	int error;			/* S_FAILED: why (-errno) */
	struct tcp_pcb *pcb;		/* NULL once lwIP has freed it */
	struct pbuf *rx;		/* received, not yet read */
};

static struct sock socks[NET_SOCKETS_MAX];
static uint64_t rx_refused;

/* The pool buffers pcb's out-of-order segments hold. */
static uint32_t ooseq_held(const struct tcp_pcb *pcb)
{
	uint32_t n = 0;

	for (const struct tcp_seg *g = pcb->ooseq; g; g = g->next)
		n += pbuf_clen(g->p);
	return n;
}

/* The pool buffers lwIP holds for pcb: its send queue (a buffer a pbuf:
 * data is copied in), the chain it keeps refused, its out-of-order
 * segments. */
static uint32_t pcb_held(const struct tcp_pcb *pcb)
{
	return pcb->snd_queuelen + (pcb->refused_data ? pbuf_clen(pcb->refused_data) : 0) +
	       ooseq_held(pcb);
}

/* The pool buffers a connection holds: received and unread, and lwIP's. */
static uint32_t held_by(const struct sock *s)
{
	return (s->rx ? pbuf_clen(s->rx) : 0) + (s->pcb ? pcb_held(s->pcb) : 0);
}

/* What s's line may still take, s's connection counted as holding own
 * buffers. What every connection holds is counted afresh, not kept up by
 * every path that takes or frees a buffer: 16 connections of at most a
 * few dozen pbufs. */
static uint32_t room_with(const struct sock *s, uint32_t own)
{
	uint32_t held[NET_SOCKETS_MAX];

	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		held[i] = socks[i].state != S_FREE ? held_by(&socks[i]) : 0;
	held[s - socks] = own;
	return owners_room((unsigned)(s - socks), held);
}

/* What s's line may still take. */
static uint32_t room_of(const struct sock *s)
{
	return room_with(s, held_by(s));
}

/* A program's connection lwIP's argument names, or NULL (the swap link's,
 * or a pcb released: its argument is NULL). */
static struct sock *sock_of_arg(void *arg)
{
	struct sock *s = arg;

	return s >= socks && s < socks + NET_SOCKETS_MAX ? s : NULL;
}

static void tell(struct sock *s)
{
	sys_notify_signal(s->note, NET_EVENT_BIT);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;

	(void)pcb;
	(void)err;
	s->state = S_OPEN;
	tell(s);
	return ERR_OK;
}

/* TCP's window counts bytes, but every received segment holds a whole pool
 * buffer however few bytes it carries: a peer sending tiny segments could
 * fill the pool with one connection the program does not read. So a
 * connection holds at most the window's worth of full segments in buffers
 * (NET_RX_BUFS_MAX), and its line at most its share (owners.h); beyond
 * that its data is refused (lwIP keeps the one refused chain, drops what
 * else comes, and offers it again on its timer once the program has
 * read). A connection holding nothing received takes what comes whatever
 * its line holds: while lwIP holds a refused chain it drops every data
 * segment and the acknowledgements in them, so a program must always be
 * able to go on by reading. */
_Static_assert(NET_RX_BUFS_MAX == (TCP_WND + TCP_MSS - 1) / TCP_MSS,
	       "the window's worth of full segments");

static bool refuse(const struct sock *s, struct pbuf *p)
{
	if (!s->rx)
		return false;
	return pbuf_clen(s->rx) + pbuf_clen(p) > NET_RX_BUFS_MAX || pbuf_clen(p) > room_of(s);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;

	(void)pcb;
	(void)err;
	if (!p) {
		s->eof = true;
	} else if (refuse(s, p)) {
		rx_refused++;
		return ERR_MEM;	/* p stays lwIP's */
	} else if (s->rx) {
		pbuf_cat(s->rx, p);
	} else {
		s->rx = p;
	}
	tell(s);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	tell(arg);
	return ERR_OK;
}

/* What lwIP's error means to the program: a reset while opening is a
 * refusal; lwIP aborts a connection whose retransmissions (or SYNs) went
 * unanswered; or (rarely) that it took the pcb for the swap link. */
static int error_of(const struct sock *s, err_t err)
{
	if (err == ERR_RST)
		return s->state == S_OPENING ? -ECONNREFUSED : -ECONNRESET;
	if (err == ERR_ABRT)
		return -ETIMEDOUT;
	return -ECONNABORTED;
}

/* lwIP has freed the pcb (reset, refused, timed out). */
static void on_error(void *arg, err_t err)
{
	struct sock *s = arg;

	s->pcb = NULL;
	s->error = error_of(s, err);
	s->state = S_FAILED;
	tell(s);
}

static struct sock *sock_of(const struct msg *in)
{
	uint64_t i = in->w[0];

	if (i >= NET_SOCKETS_MAX || socks[i].state == S_FREE || !owners_holds((unsigned)i, in->pid))
		return NULL;
	return &socks[i];
}

/* A pcb closed lingers (FIN_WAIT, LAST_ACK...) owned by no one, so no
 * line is charged for it: one still holding buffers (data the peer has not
 * acknowledged, or segments out of order) is reset instead, else a program
 * could close and open again until lingering pcbs held the ordinary pool
 * (a peer that neither reads nor answers keeps them for minutes). So a
 * close discards what the peer has not acknowledged, as SO_LINGER with no
 * time does: a program that needs its last bytes delivered waits for the
 * peer's answer first. What a lingering pcb holds is its FIN alone
 * (netd_ooseq_limit keeps none out of order for it). */
static void release(struct sock *s)
{
	if (s->pcb) {
		tcp_arg(s->pcb, NULL);
		tcp_recv(s->pcb, NULL);
		tcp_sent(s->pcb, NULL);
		tcp_err(s->pcb, NULL);
		tcp_setprio(s->pcb, PRIO_RELEASED);
		if (pcb_held(s->pcb) > 0 || tcp_close(s->pcb) != ERR_OK)
			tcp_abort(s->pcb);
	}
	if (s->rx)
		pbuf_free(s->rx);
	sys_handle_close(s->note);
	owners_drop((unsigned)(s - socks));
	memset(s, 0, sizeof(*s));
}

/* The program's notification must reach netd with the right to signal it
 * and nothing more: then only programs' copies may hear it, and once they
 * are all gone sys_notify_signal says so (sockets_reap). A copy netd
 * could wait on (rights 0 give all), or an endpoint, would keep the
 * connection until its owner's end at best. */
static bool note_ok(int h)
{
	int info = sys_handle_info(h);

	return info >= 0 && HANDLE_INFO_TYPE(info) == HANDLE_TYPE_NOTIFY &&
	       HANDLE_INFO_RIGHTS(info) == RIGHT_SEND;
}

/* tcp_connect's refusals (before anything is sent). */
static long connect_error(err_t e)
{
	if (e == ERR_RTE)
		return -ENETUNREACH;	/* no interface up, or no address yet */
	if (e == ERR_BUF)
		return -EADDRNOTAVAIL;	/* no local port free */
	if (e == ERR_MEM)
		return -ENOMEM;
	return -EINVAL;
}

/* Open; the notification in->handle is the connection's from here on, or
 * closed here if there is no connection. */
static long do_connect(const struct msg *in)
{
	ip_addr_t addr;
	struct owner found;	/* the owner owners_place found with the slot */
	long i;

	if (in->handle < 0)
		return -EINVAL;
	if (!note_ok(in->handle) || in->w[0] == 0 || in->w[0] > UINT32_MAX || in->w[1] == 0 ||
	    in->w[1] > 65535) {
		sys_handle_close(in->handle);
		return -EINVAL;
	}
	/* The swap export is the pager's alone: a program connected to it
	 * could read other processes' swapped pages, overwrite them, or
	 * overwrite the swap header so the next reconnection finds another
	 * disk (each connection gets a server of its own on the same file).
	 * Swap is set up before init starts, so no program is there first. */
	if (swap_link_serves((uint32_t)in->w[0], (uint16_t)in->w[1])) {
		sys_handle_close(in->handle);
		return -EACCES;
	}
	/* Refused, reap and ask again: an ended owner's connections hold
	 * slots, and count against its line, until sockets_reap frees them. */
	if ((i = owners_place(in->pid, &found)) < 0) {
		sockets_reap();
		i = owners_place(in->pid, &found);
	}
	/* A program's pcb at its priority: lwIP may kill closing pcbs for
	 * it, never another program's or the swap link's. */
	struct tcp_pcb *pcb = i < 0 ? NULL : tcp_alloc(PRIO_PROGRAM);

	if (!pcb) {
		sys_handle_close(in->handle);
		return i < 0 ? i : -ENOMEM;
	}
	struct sock *s = &socks[i];

	*s = (struct sock){ .state = S_OPENING, .note = in->handle, .pcb = pcb };
	owners_take((unsigned)i, &found);
	ip_addr_set_ip4_u32(&addr, lwip_htonl((uint32_t)in->w[0]));
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_error);
	err_t e = tcp_connect(pcb, &addr, (u16_t)in->w[1], on_connected);

	if (e != ERR_OK) {
		release(s);	/* closes the notification */
		return connect_error(e);
	}
	return i;
}

/* Bytes tcp_write may take into at most room new buffers: it cuts
 * segments of mss bytes (its rule, copied: at most the segment size, and
 * half the largest window the peer offered), after chaining at most one
 * buffer to the last unsent segment. */
static uint32_t bytes_in(const struct tcp_pcb *pcb, uint32_t room)
{
	uint32_t mss = LWIP_MIN(pcb->mss, TCPWND_MIN16(pcb->snd_wnd_max / 2));

	if (mss == 0)
		mss = pcb->mss;
	return room > 1 ? (room - 1) * mss : 0;
}

/* Writes go on while the pcb lives, after the peer's FIN too (CLOSE_WAIT:
 * a server may answer and close at once). */
static long do_send(struct sock *s, const struct msg *in)
{
	if (s->state == S_OPENING)
		return -EINPROGRESS;
	if (s->state == S_FAILED)
		return s->error;
	if (!s->pcb)
		return -ENOTCONN;
	uint32_t n = in->len < tcp_sndbuf(s->pcb) ? in->len : tcp_sndbuf(s->pcb);

	if (n == 0)
		return 0;	/* none asked, or room comes with on_sent */
	/* A retransmitted segment last on the unsent queue (tcp_append.h):
	 * nothing now, the event with a tick once it has gone. */
	if (!netd_tcp_appendable(s->pcb)) {
		s->owed = true;
		return 0;
	}
	/* Past its line's share (owners.h): nothing, as when the pool is
	 * short, and the event comes with a tick once buffers are freed. */
	uint32_t fit = bytes_in(s->pcb, room_of(s));

	if (fit == 0) {
		s->owed = true;
		return 0;
	}
	n = n < fit ? n : fit;
	/* An ordinary connection: its data may not take the reserve, and
	 * lwIP refuses (ERR_MEM) when the pool is down to it. Nothing may be
	 * in flight to bring on_sent, so the event comes with the next tick. */
	if (tcp_write(s->pcb, in->data, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
		s->owed = true;
		return 0;
	}
	tcp_output(s->pcb);
	return n;
}

static long do_recv(struct sock *s, const struct msg *in, struct msg *out)
{
	uint32_t want = in->w[1] < MSG_DATA_MAX ? (uint32_t)in->w[1] : MSG_DATA_MAX;

	if (s->rx && want > 0) {
		uint16_t n = pbuf_copy_partial(s->rx, out->data, (u16_t)want, 0);

		s->rx = pbuf_free_header(s->rx, n);
		if (s->pcb) {
			tcp_recved(s->pcb, n);	/* the window opens again */
			if (s->pcb->refused_data)	/* room now, not at lwIP's next tick */
				tcp_process_refused_data(s->pcb);
		}
		out->len = n;
		return n;
	}
	if (s->eof)
		return 0;
	if (s->state == S_FAILED)
		return s->error;
	return -EAGAIN;
}

long sockets_serve(const struct msg *in, struct msg *out)
{
	struct sock *s;

	out->len = 0;
	if (in->label == NET_CONNECT)
		return do_connect(in);
	if (in->handle >= 0)
		sys_handle_close(in->handle);	/* none expected */
	if (!(s = sock_of(in)))
		return -EBADF;
	if (in->label == NET_SEND)
		return do_send(s, in);
	if (in->label == NET_RECV)
		return do_recv(s, in, out);
	release(s);
	return 0;
}

uint32_t sockets_open(void)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		n += socks[i].state != S_FREE;
	return n;
}

uint64_t sockets_rx_refused(void)
{
	return rx_refused;
}

/* lwIP's bound on pcb's out-of-order segments (TCP_OOSEQ_PBUFS_LIMIT,
 * asked once the newest is queued): TCP_OOSEQ_MAX_PBUFS, and for a
 * program's connection no more than its line has room for besides them;
 * none for a pcb released (no line is charged for it, and no one would
 * read them). The swap link keeps lwIP's (its reserve counts them). */
unsigned short netd_ooseq_limit(const struct tcp_pcb *pcb)
{
	struct sock *s = sock_of_arg(pcb->callback_arg);

	if (!pcb->callback_arg)
		return 0;
	if (!s)
		return TCP_OOSEQ_MAX_PBUFS;
	uint32_t room = room_with(s, held_by(s) - ooseq_held(pcb));	/* all but them */

	return (unsigned short)(room < TCP_OOSEQ_MAX_PBUFS ? room : TCP_OOSEQ_MAX_PBUFS);
}

/* A connection ends with its owner, as the pager says (owners_gone), or
 * once no one may hear its notification: signalling no bits wakes nobody,
 * it only asks. The pager is needed as well: another process may hold a
 * copy of the notification that may wait (one the owner was passed). */
void sockets_reap(void)
{
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++) {
		struct sock *s = &socks[i];

		if (s->state == S_FREE)
			continue;
		if (owners_gone(i) ||
		    sys_notify_signal(s->note, s->owed ? NET_EVENT_BIT : 0) == -ERR_PIPE)
			release(s);
		else
			s->owed = false;
	}
}
