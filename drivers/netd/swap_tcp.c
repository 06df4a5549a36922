/*
 * The swap link's TCP connection (swap_tcp.h). Every lwIP call that may
 * allocate is made inside netd_memalloc_begin/end, so it may use the
 * reserve; the connection's lwIP argument says it serves reclaim, so its
 * received segments are let in while the pool is in its reserve.
 */
#include <errno.h>

#include "lwip/tcp.h"
#include "netd_mem.h"
#include "swap_tcp.h"
#include "tcp_append.h"

static struct netd_conn_tag tag = { .memalloc = true };
static struct tcp_pcb *pcb;
static const struct swap_tcp_events *events;

static err_t on_recv(void *arg, struct tcp_pcb *p, struct pbuf *data, err_t err)
{
	(void)arg;
	(void)err;
	if (!data) {
		swap_tcp_close();
		events->failed("the server closed the connection");
		return ERR_ABRT;
	}
	tcp_recved(p, data->tot_len);
	for (struct pbuf *q = data; q && pcb == p; q = q->next)
		events->received(q->payload, q->len);
	pbuf_free(data);
	if (pcb != p)
		return ERR_ABRT;	/* closed while taking it in */
	events->pump();
	return pcb == p ? ERR_OK : ERR_ABRT;	/* the pump may close it */
}

static err_t on_sent(void *arg, struct tcp_pcb *p, u16_t len)
{
	(void)arg;
	(void)p;
	(void)len;
	events->pump();
	return pcb == p ? ERR_OK : ERR_ABRT;	/* the pump may close it */
}

static void on_error(void *arg, err_t err)
{
	(void)arg;
	pcb = NULL;	/* lwIP has freed it */
	events->failed(err == ERR_RST ? "reset by the server" : "the connection failed");
}

static err_t on_connected(void *arg, struct tcp_pcb *p, err_t err)
{
	(void)arg;
	(void)p;
	(void)err;
	events->connected();
	return ERR_OK;
}

int swap_tcp_open(uint32_t addr, uint16_t port, const struct swap_tcp_events *ev)
{
	ip_addr_t server;

	ip_addr_set_ip4_u32(&server, lwip_htonl(addr));
	events = ev;
	/* tcp_new's priority, normal, is above every program's pcb
	 * (sockets.c): with lwIP's table full it kills one of theirs for
	 * this one, never the other way round. */
	netd_memalloc_begin();
	pcb = tcp_new();
	netd_memalloc_end();
	if (!pcb)
		return -ENOMEM;
	tcp_arg(pcb, &tag);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_error);
	tcp_nagle_disable(pcb);
	netd_memalloc_begin();
	err_t e = tcp_connect(pcb, &server, port, on_connected);
	netd_memalloc_end();
	if (e == ERR_OK)
		return 0;
	swap_tcp_close();
	return -EAGAIN;
}

void swap_tcp_close(void)
{
	if (!pcb)
		return;
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_abort(pcb);
	pcb = NULL;
}

bool swap_tcp_is_open(void)
{
	return pcb != NULL;
}

bool swap_tcp_waits(void)
{
	return pcb && !netd_tcp_appendable(pcb);
}

uint32_t swap_tcp_write(const uint8_t *d, uint32_t len, bool more)
{
	if (!pcb || !netd_tcp_appendable(pcb))
		return 0;	/* none, or not now (swap_tcp_waits): nothing pumps as
				 * tcp_output sends the old segment; the link writes
				 * again at the ACK's pump (on_sent) or its next tick */
	uint32_t n = len < tcp_sndbuf(pcb) ? len : tcp_sndbuf(pcb);

	if (n > 0xffff)
		n = 0xffff;
	if (n == 0)
		return 0;
	netd_memalloc_begin();
	err_t e = tcp_write(pcb, d, (u16_t)n, TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0));
	netd_memalloc_end();
	return e == ERR_OK ? n : 0;
}

void swap_tcp_output(void)
{
	if (!pcb)
		return;
	netd_memalloc_begin();
	tcp_output(pcb);
	netd_memalloc_end();
}
