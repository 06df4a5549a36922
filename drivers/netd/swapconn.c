/*
 * The swap connection (swapconn.h) over lwIP's raw TCP API and the plain-C
 * NBD client. Request data never passes through the pool except as TCP
 * segments: a write's bytes are copied from the pager's frames (mapped in
 * netd's window while the request is in flight) into segments, a read's
 * bytes from segments into the frames. Every wait has a bound: connecting
 * and negotiating (CONNECT_NS), a reply once requests are out (ANSWER_NS,
 * then the connection is dropped and made again), reconnecting
 * (RETRIES attempts, then the server is gone for good; SETUP_TRIES at boot).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blk_request.h"
#include "lwip/tcp.h"
#include "nbd_client.h"
#include "loop.h"
#include "netd_mem.h"
#include "swapconn.h"
#include "sys.h"

#define MS 1000000LL
#define CONNECT_NS (3000 * MS)		/* connect and handshake */
#define ANSWER_NS (20000 * MS)		/* no byte back while requests wait */
#define RETRY_NS (500 * MS)		/* between attempts */
#define RETRIES 10			/* attempts before the server is gone */
#define SETUP_TRIES 3			/* attempts at boot */

static struct {
	struct netd_conn_tag tag;	/* first: memalloc, lwIP's argument */
	enum swap_state state;
	bool connected;			/* TCP is up (handshake or transmission) */
	bool negotiated;		/* transmission phase */
	struct tcp_pcb *pcb;
	ip_addr_t server;
	uint16_t port;
	struct nbd_handshake hs;
	struct nbd_client cl;
	unsigned attempts;		/* since the last good handshake */
	int64_t deadline;		/* connect, handshake or answer bound */
	int64_t retry_at;
	uint64_t capacity;		/* sectors */
	uint32_t notify[BLK_TAGS];	/* by tag: the pager thread to tell */
	struct net_shared *shared;
	uint64_t throttled;
} sc;

static void start_connect(void);

static uint8_t *window(uint32_t tag)
{
	return (uint8_t *)(NET_WIN_VA + (uint64_t)tag * NET_MAX_PAGES * BLK_PAGE_SIZE);
}

/* --- the NBD client's view of the connection --- */

static uint32_t io_send(void *ctx, const uint8_t *d, uint32_t len)
{
	(void)ctx;
	if (!sc.pcb || !sc.negotiated)
		return 0;
	uint32_t n = len < tcp_sndbuf(sc.pcb) ? len : tcp_sndbuf(sc.pcb);

	if (n > 0xffff)
		n = 0xffff;
	/* The swap connection's data may take the reserve. */
	netd_memalloc_begin();
	err_t e = n ? tcp_write(sc.pcb, d, (u16_t)n, TCP_WRITE_FLAG_COPY | TCP_WRITE_FLAG_MORE) : ERR_MEM;
	netd_memalloc_end();
	return e == ERR_OK ? n : 0;
}

static uint8_t *io_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	(void)ctx;
	*run = NET_MAX_PAGES * BLK_PAGE_SIZE - off;
	return window((uint32_t)id) + off;
}

/* Tell the pager: the error first, then the state that makes it valid. */
static void io_done(void *ctx, uint64_t id, int error)
{
	struct blk_status *st = &sc.shared->slot[id];

	(void)ctx;
	st->error = error;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st->state = BLK_DONE;
	sys_notify_signal(NET_HANDLE_DONE + (int)sc.notify[id], BLK_DONE_BIT);
}

static const struct nbd_io io = { io_send, io_data, io_done };

static void output(void)
{
	if (!sc.pcb || !sc.negotiated)
		return;
	nbd_pump(&sc.cl);
	netd_memalloc_begin();
	tcp_output(sc.pcb);
	netd_memalloc_end();
}

/* --- the connection's life --- */

static void forget_pcb(void)
{
	if (!sc.pcb)
		return;
	tcp_arg(sc.pcb, NULL);
	tcp_recv(sc.pcb, NULL);
	tcp_sent(sc.pcb, NULL);
	tcp_err(sc.pcb, NULL);
	tcp_abort(sc.pcb);
	sc.pcb = NULL;
}

/* Give up for good: every request fails, the pager is told. */
static void gone(const char *why)
{
	unsigned n = nbd_pending(&sc.cl);

	forget_pcb();
	sc.state = SWAP_GONE;
	sc.shared->swap_gone = 1;
	printf("netd: swap: the NBD server is gone for good (%s); %u requests failed\n", why, n);
	nbd_fail_all(&sc.cl, -ENXIO);
}

/* The connection failed or stopped answering: try again soon, or give up. */
static void lost(const char *why)
{
	bool was_up = sc.negotiated;

	forget_pcb();
	sc.connected = sc.negotiated = false;
	if (sc.state == SWAP_OFF)
		return;		/* still in NET_SWAP_SETUP: it reports */
	if (was_up) {
		nbd_lost(&sc.cl);
		printf("netd: swap: connection lost (%s); reconnecting, %u requests to send again\n",
		       why, nbd_pending(&sc.cl));
	}
	if (++sc.attempts > RETRIES)
		return gone(why);
	sc.state = SWAP_RETRYING;
	sc.retry_at = netd_now() + RETRY_NS;
}

static void on_negotiated(void)
{
	uint64_t sectors = sc.hs.size / BLK_SECTOR;

	sc.negotiated = true;
	if (sc.state == SWAP_OFF) {
		nbd_client_init(&sc.cl, &io, NULL, &sc.hs);
		sc.capacity = sectors;
		return;
	}
	/* The same export again, or nothing: another size is another disk. */
	if (sectors != sc.capacity)
		return gone("the export changed size");
	nbd_client_resume(&sc.cl, &sc.hs);
	sc.state = SWAP_UP;
	sc.attempts = 0;
	sc.deadline = netd_now() + ANSWER_NS;
	printf("netd: swap: reconnected; sending %u requests again\n", nbd_pending(&sc.cl));
	output();
}

/* Bytes from the server: the handshake's, then replies. */
static void take(const uint8_t *d, uint32_t len)
{
	if (!sc.negotiated) {
		size_t used = nbd_hs_input(&sc.hs, d, len);

		if (sc.hs.out_len) {
			netd_memalloc_begin();
			tcp_write(sc.pcb, sc.hs.out, (u16_t)sc.hs.out_len, TCP_WRITE_FLAG_COPY);
			tcp_output(sc.pcb);
			netd_memalloc_end();
			sc.hs.out_len = 0;
		}
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
	sc.deadline = netd_now() + ANSWER_NS;	/* the server answers */
	int r = nbd_input(&sc.cl, d, len);
	if (r < 0)
		lost(r == -ECONNRESET ? "the server is shutting down" : "a reply no request asked for");
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (!p) {
		lost("the server closed the connection");
		return ERR_ABRT;
	}
	tcp_recved(pcb, p->tot_len);
	for (struct pbuf *q = p; q && sc.pcb == pcb; q = q->next)
		take(q->payload, q->len);
	pbuf_free(p);
	if (sc.pcb != pcb)
		return ERR_ABRT;	/* dropped while taking it in */
	output();
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	(void)pcb;
	(void)len;
	output();
	return ERR_OK;
}

static void on_error(void *arg, err_t err)
{
	(void)arg;
	sc.pcb = NULL;	/* lwIP has freed it */
	lost(err == ERR_RST ? "reset by the server" : "the connection failed");
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	(void)pcb;
	(void)err;
	sc.connected = true;
	nbd_hs_start(&sc.hs, "");
	return ERR_OK;
}

static void start_connect(void)
{
	netd_memalloc_begin();
	sc.pcb = tcp_new();
	netd_memalloc_end();
	if (!sc.pcb) {
		sc.retry_at = netd_now() + RETRY_NS;
		return;
	}
	tcp_arg(sc.pcb, &sc);
	tcp_recv(sc.pcb, on_recv);
	tcp_sent(sc.pcb, on_sent);
	tcp_err(sc.pcb, on_error);
	tcp_nagle_disable(sc.pcb);
	sc.deadline = netd_now() + CONNECT_NS;
	netd_memalloc_begin();
	err_t e = tcp_connect(sc.pcb, &sc.server, sc.port, on_connected);
	netd_memalloc_end();
	if (e != ERR_OK)
		lost("no memory to connect");
}

/* --- the pager's calls --- */

static bool settled(void *ctx)
{
	(void)ctx;
	return sc.negotiated || !sc.pcb;
}

long swapconn_setup(const struct msg *in, struct msg *out, struct net_shared *shared)
{
	if (sc.state != SWAP_OFF || in->w[0] == 0 || in->w[0] > UINT32_MAX || in->w[1] == 0 ||
	    in->w[1] > 65535)
		return -EINVAL;
	sc.tag.memalloc = true;		/* seed 002: this connection serves reclaim */
	sc.shared = shared;
	ip_addr_set_ip4_u32(&sc.server, lwip_htonl((uint32_t)in->w[0]));
	sc.port = (uint16_t)in->w[1];
	/* A connection may fail for want of time on a loaded host: a few
	 * attempts, each bounded; a server that answers but refuses is not
	 * asked again. */
	bool ok = false;

	for (int k = 0; k < SETUP_TRIES && !ok && sc.hs.state != NBD_HS_FAILED; k++) {
		forget_pcb();
		sc.connected = false;
		start_connect();
		ok = netd_run_until(settled, NULL, sc.deadline) && sc.negotiated;
	}
	if (!ok) {
		const char *why = sc.hs.state == NBD_HS_FAILED ? sc.hs.why :
				  sc.connected ? "no handshake in time" : "cannot connect";
		printf("netd: swap: no NBD export at %u.%u.%u.%u:%u: %s\n",
		       (unsigned)(in->w[0] >> 24), (unsigned)(in->w[0] >> 16) & 255,
		       (unsigned)(in->w[0] >> 8) & 255, (unsigned)in->w[0] & 255, sc.port, why);
		forget_pcb();
		return sc.hs.state == NBD_HS_FAILED ? sc.hs.error : -ECONNREFUSED;
	}
	sc.state = SWAP_UP;
	sc.deadline = 0;
	printf("netd: swap: NBD export of %lu MiB at %u.%u.%u.%u:%u%s\n",
	       (unsigned long)(sc.hs.size >> 20), (unsigned)(in->w[0] >> 24),
	       (unsigned)(in->w[0] >> 16) & 255, (unsigned)(in->w[0] >> 8) & 255,
	       (unsigned)in->w[0] & 255, sc.port, sc.cl.read_only ? ", read-only" : "");
	out->w[0] = sc.capacity;
	out->w[1] = sc.cl.read_only;
	return 0;
}

/* Check every request before taking any: a batch is taken whole or not. */
static long check_batch(const struct blk_request *r, int n)
{
	const struct blk_disk disk = { .capacity = sc.capacity, .read_only = sc.cl.read_only,
				       .shape = { .max_pages = NET_MAX_PAGES }, .list = NULL };

	for (int i = 0; i < n; i++) {
		int err = blk_request_check(&r[i], &disk);
		if (err < 0)
			return err;
		if (sc.shared->slot[r[i].tag].state != BLK_SUBMITTED)
			return -EBUSY;
	}
	return 0;
}

long swapconn_submit(const struct msg *in)
{
	static struct blk_request batch[MSG_DATA_MAX / sizeof(struct blk_request)];
	int n = blk_batch_count(in->len);

	if (sc.state == SWAP_GONE)
		return -ENXIO;
	if (sc.state == SWAP_OFF)
		return -ENODEV;
	if (n < 0 || in->len > sizeof(batch))
		return -EINVAL;
	memcpy(batch, in->data, in->len);
	long err = check_batch(batch, n);

	if (err < 0)
		return err;
	for (int i = 0; i < n; i++) {
		sc.notify[batch[i].tag] = batch[i].notify;
		err = nbd_submit(&sc.cl, batch[i].write ? NBD_CMD_WRITE : NBD_CMD_READ, batch[i].tag,
				 batch[i].sector * BLK_SECTOR, batch[i].npages * BLK_PAGE_SIZE);
		if (err < 0)	/* cannot be: tags are unique and slots as many */
			io_done(NULL, batch[i].tag, (int)err);
	}
	if (net_pool_in_reserve(&netd_pool))
		sc.throttled++;
	if (sc.deadline == 0 || nbd_pending(&sc.cl) == (unsigned)n)
		sc.deadline = netd_now() + ANSWER_NS;
	output();
	return n;
}

long swapconn_flush(const struct msg *in)
{
	uint64_t tag = in->w[0];

	if (sc.state == SWAP_GONE || sc.state == SWAP_OFF)
		return sc.state == SWAP_GONE ? -ENXIO : -ENODEV;
	if (tag >= BLK_TAGS || in->w[1] >= BLK_DONE_NOTES ||
	    sc.shared->slot[tag].state != BLK_SUBMITTED)
		return -EINVAL;
	sc.notify[tag] = (uint32_t)in->w[1];
	long err = nbd_submit(&sc.cl, NBD_CMD_FLUSH, tag, 0, 0);

	if (err < 0)
		return err;
	if (sc.deadline == 0)
		sc.deadline = netd_now() + ANSWER_NS;
	output();
	return 0;
}

void swapconn_tick(void)
{
	int64_t now = netd_now();

	if (sc.state == SWAP_RETRYING && !sc.pcb && now >= sc.retry_at) {
		start_connect();
		return;
	}
	if (sc.state == SWAP_RETRYING && sc.pcb && !sc.negotiated && now >= sc.deadline)
		return lost(sc.connected ? "no handshake in time" : "cannot connect");
	if (sc.state == SWAP_UP && nbd_pending(&sc.cl) > 0 && sc.deadline && now >= sc.deadline)
		return lost("no answer in time");
	if (sc.state == SWAP_UP && nbd_pending(&sc.cl) == 0)
		sc.deadline = 0;
	output();
}

enum swap_state swapconn_state(void)
{
	return sc.state;
}

void swapconn_counters(struct net_stats *s)
{
	s->nbd_requests = sc.cl.cnt.submitted;
	s->nbd_errors = sc.cl.cnt.errors;
	s->nbd_reconnects = sc.cl.cnt.reconnects;
	s->nbd_resent = sc.cl.cnt.resent;
	s->nbd_flushes = sc.cl.cnt.flushes;
	s->nbd_throttled = sc.throttled;
	s->swap_state = sc.state;
}
