/*
 * Programs' connections (sockets.h) over lwIP's raw TCP API. netd never
 * blocks for a program: a call does what it can now and the program waits
 * on its notification, which every change of the connection signals.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lwip/tcp.h"
#include "net_protocol.h"
#include "netd_mem.h"
#include "sockets.h"
#include "sys.h"

enum sock_state { S_FREE = 0, S_OPENING, S_OPEN, S_EOF, S_FAILED };

struct sock {
	struct netd_conn_tag tag;	/* first: lwIP's argument points here */
	enum sock_state state;
	uint32_t owner;			/* pid */
	int note;			/* the owner's notification, ours to signal */
	int error;			/* S_FAILED: why (-errno) */
	struct tcp_pcb *pcb;		/* NULL once lwIP has freed it */
	struct pbuf *rx;		/* received, not yet read */
};

static struct sock socks[NET_SOCKETS_MAX];

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

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;

	(void)pcb;
	(void)err;
	if (!p) {
		s->state = S_EOF;
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

/* lwIP has freed the pcb (reset, refused, timed out). */
static void on_error(void *arg, err_t err)
{
	struct sock *s = arg;

	s->pcb = NULL;
	s->state = S_FAILED;
	s->error = err == ERR_RST ? -ECONNRESET : err == ERR_ABRT ? -ECONNABORTED : -ECONNREFUSED;
	tell(s);
}

static struct sock *sock_of(const struct msg *in)
{
	uint64_t i = in->w[0];

	if (i >= NET_SOCKETS_MAX || socks[i].state == S_FREE || socks[i].owner != in->pid)
		return NULL;
	return &socks[i];
}

static void release(struct sock *s)
{
	if (s->pcb) {
		tcp_arg(s->pcb, NULL);
		tcp_recv(s->pcb, NULL);
		tcp_sent(s->pcb, NULL);
		tcp_err(s->pcb, NULL);
		if (tcp_close(s->pcb) != ERR_OK)
			tcp_abort(s->pcb);
	}
	if (s->rx)
		pbuf_free(s->rx);
	sys_handle_close(s->note);
	memset(s, 0, sizeof(*s));
}

static long free_slot(uint32_t pid)
{
	long slot = -1;
	unsigned mine = 0;

	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++) {
		if (socks[i].state == S_FREE && slot < 0)
			slot = i;
		mine += socks[i].state != S_FREE && socks[i].owner == pid;
	}
	return mine >= NET_SOCKETS_PER_PROC ? -1 : slot;
}

static long do_connect(const struct msg *in)
{
	ip_addr_t addr;
	long i = free_slot(in->pid);

	if (in->handle < 0 || in->w[0] == 0 || in->w[0] > UINT32_MAX || in->w[1] == 0 ||
	    in->w[1] > 65535)
		return -EINVAL;
	if (i < 0) {
		sockets_reap();
		if ((i = free_slot(in->pid)) < 0)
			return -EMFILE;
	}
	struct sock *s = &socks[i];
	struct tcp_pcb *pcb = tcp_new();

	if (!pcb)
		return -ENOMEM;
	*s = (struct sock){ .state = S_OPENING, .owner = in->pid, .note = in->handle, .pcb = pcb };
	ip_addr_set_ip4_u32(&addr, lwip_htonl((uint32_t)in->w[0]));
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_error);
	if (tcp_connect(pcb, &addr, (u16_t)in->w[1], on_connected) != ERR_OK) {
		release(s);
		return -ENOMEM;
	}
	return i;
}

static long do_send(struct sock *s, const struct msg *in)
{
	if (s->state == S_OPENING)
		return -EINPROGRESS;
	if (s->state == S_FAILED)
		return s->error;
	if (s->state != S_OPEN || !s->pcb)
		return -ENOTCONN;
	uint32_t n = in->len < tcp_sndbuf(s->pcb) ? in->len : tcp_sndbuf(s->pcb);

	/* An ordinary connection: its data may not take the reserve, and
	 * lwIP refuses (ERR_MEM) when the pool is down to it. */
	if (n == 0 || tcp_write(s->pcb, in->data, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
		return 0;
	tcp_output(s->pcb);
	return n;
}

static long do_recv(struct sock *s, const struct msg *in, struct msg *out)
{
	uint32_t want = in->w[1] < MSG_DATA_MAX ? (uint32_t)in->w[1] : MSG_DATA_MAX;

	if (s->rx && want > 0) {
		uint16_t n = pbuf_copy_partial(s->rx, out->data, (u16_t)want, 0);

		s->rx = pbuf_free_header(s->rx, n);
		if (s->pcb)
			tcp_recved(s->pcb, n);	/* the window opens again */
		out->len = n;
		return n;
	}
	if (s->state == S_EOF)
		return 0;
	if (s->state == S_FAILED)
		return s->error;
	return -EAGAIN;
}

void sockets_serve(const struct msg *in, struct msg *out)
{
	struct sock *s;

	out->len = 0;
	if (in->label == NET_CONNECT) {
		long r = do_connect(in);

		if (r < 0 && in->handle >= 0)
			sys_handle_close(in->handle);
		out->label = (uint64_t)r;
		return;
	}
	if (in->handle >= 0)
		sys_handle_close(in->handle);	/* none expected */
	if (!(s = sock_of(in))) {
		out->label = (uint64_t)(long)-EBADF;
		return;
	}
	if (in->label == NET_SEND)
		out->label = (uint64_t)do_send(s, in);
	else if (in->label == NET_RECV)
		out->label = (uint64_t)do_recv(s, in, out);
	else {
		release(s);
		out->label = 0;
	}
}

uint32_t sockets_open(void)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		n += socks[i].state != S_FREE;
	return n;
}

void sockets_reap(void)
{
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		if (socks[i].state != S_FREE &&
		    sys_notify_signal(socks[i].note, NET_EVENT_BIT) == -ERR_PIPE)
			release(&socks[i]);
}
