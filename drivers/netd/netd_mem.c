/*
 * lwIP's heap over the packet pool, and seed 002's rule for received
 * segments. A pbuf of PBUF_RAM is one pool buffer: an ordinary allocation
 * stops where the reserve starts, one made in memalloc context (the swap
 * connection's sends and received segments, the stack's timers) may dig
 * into it. A received segment already sits in a receive buffer, which may
 * have come from the reserve; once lwIP knows its connection, it is
 * dropped at once if the pool is in its reserve (or the buffer came from
 * it) and the connection does not serve reclaim.
 */
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "netd_mem.h"
#include "sys.h"

struct net_pool netd_pool;
uint64_t netd_dropped_nomem;
static unsigned memalloc_depth;
static unsigned input_memalloc;	/* the packet being taken in is the swap connection's */

void netd_memalloc_begin(void)
{
	memalloc_depth++;
}

void netd_memalloc_end(void)
{
	if (memalloc_depth > 0)
		memalloc_depth--;
}

void *netd_mem_malloc(size_t size)
{
	if (size > NET_BUF_SIZE)
		return NULL;	/* nothing lwIP sends is larger than a frame */
	int b = net_pool_take(&netd_pool, memalloc_depth ? NET_TAKE_MEMALLOC : NET_TAKE_ORDINARY);

	return b < 0 ? NULL : net_buf_va(&netd_pool, (unsigned)b);
}

void *netd_mem_calloc(size_t n, size_t size)
{
	if (size != 0 && n > NET_BUF_SIZE / size)
		return NULL;
	void *p = netd_mem_malloc(n * size);

	if (p)
		memset(p, 0, n * size);
	return p;
}

void netd_mem_free(void *p)
{
	int b = net_buf_of(&netd_pool, p);

	if (b >= 0)
		net_pool_give(&netd_pool, (unsigned)b);
}

uint32_t netd_rand(void)
{
	static uint64_t x;

	if (x == 0)
		x = (uint64_t)sys_clock() | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint32_t)x;
}

void netd_input_done(void)
{
	if (input_memalloc)
		netd_memalloc_end();
	input_memalloc = 0;
}

/* The buffer a received pbuf's data lives in (a receive buffer), or -1. */
static int buffer_of(const struct pbuf *p)
{
	return net_buf_of(&netd_pool, p->payload);
}

signed char netd_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, uint16_t optlen,
			      uint16_t opt1len, uint8_t *opt2, struct pbuf *p)
{
	const struct netd_conn_tag *tag = pcb->callback_arg;
	int b = buffer_of(p);

	(void)hdr;
	(void)optlen;
	(void)opt1len;
	(void)opt2;
	if (tag && tag->memalloc) {
		/* Its ACKs and the like may use the reserve, until the packet
		 * has been taken in (netd_input_done). */
		if (!input_memalloc++)
			netd_memalloc_begin();
		return ERR_OK;
	}
	if (!net_pool_in_reserve(&netd_pool) && (b < 0 || !net_pool_from_reserve(&netd_pool, (unsigned)b)))
		return ERR_OK;
	netd_dropped_nomem++;
	return ERR_MEM;
}
