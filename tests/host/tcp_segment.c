/*
 * IPv4 TCP segments for host tests' peers (tcp_segment.h): the IP header,
 * the TCP header with the MSS option on a SYN, the data, and both
 * checksums (the TCP one over the pseudo-header).
 */
#include <assert.h>
#include <string.h>

#include "lwip/init.h"
#include "lwip/ip4.h"
#include "tcp_segment.h"

#define SYN 0x02	/* lwIP's TCP_SYN, without its TCP headers */

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v;
}

uint32_t tcp_segment_get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t sum16(const uint8_t *b, unsigned len, uint32_t s)
{
	for (unsigned i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

unsigned tcp_segment_build(uint8_t *b, const struct tcp_segment *s)
{
	unsigned opt = s->flags & SYN ? 4 : 0, tl = 20 + opt + s->len, total = 20 + tl;
	uint8_t *t = b + 20, ph[12];

	assert(total <= TCP_SEGMENT_MAX);
	memset(b, 0, total);
	b[0] = 0x45, b[8] = 64, b[9] = 6;
	put16(b + 2, (uint16_t)total);
	put32(b + 12, s->src);
	put32(b + 16, s->dst);
	put16(b + 10, fold(sum16(b, 20, 0)));
	put16(t, s->sport);
	put16(t + 2, s->dport);
	put32(t + 4, s->seq);
	put32(t + 8, s->ack);
	t[12] = (uint8_t)((20 + opt) / 4 << 4), t[13] = s->flags;
	put16(t + 14, s->wnd);
	if (opt)
		t[20] = 2, t[21] = 4, put16(t + 22, 1460);
	if (s->len)
		memcpy(t + 20 + opt, s->data, s->len);
	put32(ph, s->src);
	put32(ph + 4, s->dst);
	ph[8] = 0, ph[9] = 6;
	put16(ph + 10, (uint16_t)tl);
	put16(t + 16, fold(sum16(t, tl, sum16(ph, 12, 0))));
	return total;
}

void tcp_segment_netif_up(struct netif *n, netif_init_fn init)
{
	ip4_addr_t ip, mask, gw;

	lwip_init();
	IP4_ADDR(&ip, 10, 0, 2, 15);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	IP4_ADDR(&gw, 10, 0, 2, 2);
	struct netif *added = netif_add(n, &ip, &mask, &gw, NULL, init, ip4_input);

	assert(added);
	(void)added;
	netif_set_default(n);
	netif_set_link_up(n);
	netif_set_up(n);
}
