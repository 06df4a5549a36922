/*
 * The interface (netif.h). A received frame becomes a custom pbuf over its
 * buffer: no copy, and the buffer goes back to the pool when lwIP frees
 * the pbuf (at once for most, when a program reads it for queued data).
 */
#include <errno.h>
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"
#include "lwip/pbuf.h"
#include "netd_mem.h"
#include "netif.h"
#include "netif/ethernet.h"

struct netif netd_netif;
static struct virtio_net *dev;

/* One per pool buffer: the pbuf that wraps it while lwIP holds it. */
static struct pbuf_custom wrap[NET_POOL_MAX_BUFS];

static void wrap_free(struct pbuf *p)
{
	struct pbuf_custom *c = (struct pbuf_custom *)p;

	net_pool_give(&netd_pool, (unsigned)(c - wrap));
}

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	struct net_frag frags[16];
	unsigned n = 0;

	(void)nif;
	for (struct pbuf *q = p; q; q = q->next) {
		if (n == 16)
			return ERR_BUF;
		frags[n++] = (struct net_frag){ q->payload, q->len };
	}
	/* A busy queue: take back what the device has sent and try once more;
	 * lwIP's TCP keeps the segment and retries. */
	int r = virtio_net_send(dev, frags, n);

	return r == 0 ? ERR_OK : r == -EAGAIN ? ERR_MEM : ERR_BUF;
}

static err_t init(struct netif *nif)
{
	nif->name[0] = 'v';
	nif->name[1] = 'n';
	nif->output = etharp_output;
	nif->linkoutput = linkoutput;
	nif->mtu = 1500;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, dev->mac, ETH_HWADDR_LEN);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		     NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

int netd_netif_add(struct virtio_net *n, uint32_t addr, unsigned prefix)
{
	ip4_addr_t ip, mask, gw;
	uint32_t m = prefix ? 0xffffffffu << (32 - prefix) : 0;

	dev = n;
	ip4_addr_set_u32(&ip, lwip_htonl(addr));
	ip4_addr_set_u32(&mask, addr ? lwip_htonl(m) : 0);
	ip4_addr_set_zero(&gw);
	if (!netif_add(&netd_netif, &ip, &mask, &gw, NULL, init, ethernet_input))
		return -EINVAL;	/* not -ENODEV: the device is there */
	netif_set_default(&netd_netif);
	netif_set_up(&netd_netif);
	if (addr == 0 && dhcp_start(&netd_netif) != ERR_OK)
		return -ENOMEM;
	return 0;
}

void netd_netif_poll(void)
{
	void *frame;
	uint32_t len;
	int b;

	while ((b = netr_receive(&dev->ring, &frame, &len)) >= 0) {
		struct pbuf_custom *c = &wrap[b];

		c->custom_free_function = wrap_free;
		struct pbuf *p = pbuf_alloced_custom(PBUF_RAW, (u16_t)len, PBUF_REF, c, frame,
						     (u16_t)len);

		if (!p || netd_netif.input(p, &netd_netif) != ERR_OK) {
			if (p)
				pbuf_free(p);
			else
				net_pool_give(&netd_pool, (unsigned)b);
		}
		netd_input_done();
	}
	netd_netif_refill();
}

void netd_netif_refill(void)
{
	netr_tx_reclaim(&dev->ring);
	virtio_net_refill(dev);
}
