/*
 * The swap connection's link (swap_link.h) over lwIP's raw TCP API and the
 * plain-C NBD client. It is the one connection marked as serving memory
 * reclaim: its sends and what lwIP does for its segments may use the
 * pool's reserve. Every wait has a bound: connecting and negotiating
 * (CONNECT_NS), a reply once requests are out (ANSWER_NS, then the link is
 * dropped and made again), reconnecting (RETRIES attempts, then the server
 * is gone for good; SETUP_TRIES at boot).
 */
#include <errno.h>
#include <stdio.h>

#include "blk_protocol.h"
#include "loop.h"
#include "lwip/tcp.h"
#include "netd_mem.h"
#include "swap_link.h"

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
	struct nbd_io io;		/* the pager's data and done, our send */
	void (*gone)(void);		/* the pager's: the server is gone */
	unsigned attempts;		/* since the last good handshake */
	int64_t deadline;		/* connect, handshake or answer bound */
	int64_t retry_at;
	uint64_t capacity;		/* sectors */
} sc;

/* --- the NBD client's view of the connection --- */

static uint32_t link_send(void *ctx, const uint8_t *d, uint32_t len)
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
	sc.gone();
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
		nbd_client_init(&sc.cl, &sc.io, NULL, &sc.hs);
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

static bool settled(void *ctx)
{
	(void)ctx;
	return sc.negotiated || !sc.pcb;
}

long swap_link_open(uint32_t addr, uint16_t port, const struct nbd_io *pager, void (*gone)(void))
{
	if (sc.state != SWAP_OFF)
		return -EINVAL;
	sc.tag.memalloc = true;		/* seed 002: this connection serves reclaim */
	sc.io = *pager;
	sc.io.send = link_send;
	sc.gone = gone;
	ip_addr_set_ip4_u32(&sc.server, lwip_htonl(addr));
	sc.port = port;
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
		printf("netd: swap: no NBD export at %u.%u.%u.%u:%u: %s\n", addr >> 24,
		       (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, port, why);
		forget_pcb();
		return sc.hs.state == NBD_HS_FAILED ? sc.hs.error : -ECONNREFUSED;
	}
	sc.state = SWAP_UP;
	sc.deadline = 0;
	printf("netd: swap: NBD export of %lu MiB at %u.%u.%u.%u:%u%s\n",
	       (unsigned long)(sc.hs.size >> 20), addr >> 24, (addr >> 16) & 255,
	       (addr >> 8) & 255, addr & 255, port, sc.cl.read_only ? ", read-only" : "");
	return 0;
}

int swap_link_submit(enum nbd_cmd cmd, uint64_t id, uint64_t offset, uint32_t len)
{
	int err = nbd_submit(&sc.cl, cmd, id, offset, len);

	if (err == 0 && (sc.deadline == 0 || nbd_pending(&sc.cl) == 1))
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

enum swap_state swap_link_state(void)
{
	return sc.state;
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
