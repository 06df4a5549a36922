/*
 * The network server's packet buffers: fixed-size buffers cut from pinned
 * frames it was given at boot, and the rule of who may take the last ones
 * (seed 002). The last `reserve` free buffers go only to takers that serve
 * memory reclaim (the swap connection) or to receive buffers, which must
 * exist before anyone knows whom a packet is for. Plain C: host-tested.
 */
#ifndef DRIVERS_NET_POOL_H
#define DRIVERS_NET_POOL_H

#include <stdbool.h>
#include <stdint.h>

#define NET_BUF_SIZE 2048u		/* a whole Ethernet frame and its header */
#define NET_PAGE_SIZE 4096u
#define NET_BUFS_PER_PAGE (NET_PAGE_SIZE / NET_BUF_SIZE)
#define NET_POOL_MAX_PAGES 512u
#define NET_POOL_MAX_BUFS (NET_POOL_MAX_PAGES * NET_BUFS_PER_PAGE)

/* Who asks for a buffer, and so how deep they may dig. */
enum net_taker {
	NET_TAKE_ORDINARY = 0,	/* programs' traffic: never from the reserve */
	NET_TAKE_RECEIVE = 1,	/* a receive buffer: may use the reserve until
				 * its packet is matched to a connection */
	NET_TAKE_MEMALLOC = 2	/* the swap connection: may use the reserve */
};

struct net_pool_counters {
	uint64_t taken;			/* buffers handed out */
	uint64_t refused;		/* requests refused (none free for the taker) */
	uint64_t reserve_allocs;	/* buffers handed out from the reserve */
	uint32_t lowest_free;		/* fewest free ever */
};

struct net_pool {
	uintptr_t va;			/* buffer i at va + i * NET_BUF_SIZE */
	const uint64_t *pa;		/* physical address of each page */
	uint32_t nbufs;
	uint32_t reserve;		/* free buffers only reclaim and receive may take */
	uint32_t nfree;
	uint16_t free[NET_POOL_MAX_BUFS];	/* stack of free buffer indexes */
	uint8_t from_reserve[NET_POOL_MAX_BUFS];	/* taken while in the reserve */
	struct net_pool_counters cnt;
};

/* npages pages at va (for us) and pa[] (for the device), reserve buffers of
 * them kept back. 0, or -EINVAL (no pages, too many, pa not page-aligned,
 * a reserve of half the pool or more). pa must outlive the pool. */
int net_pool_init(struct net_pool *p, uintptr_t va, const uint64_t *pa, uint32_t npages,
		  uint32_t reserve);

/* A free buffer's index for taker, or -1 if it may have none. */
int net_pool_take(struct net_pool *p, enum net_taker who);
void net_pool_give(struct net_pool *p, unsigned buf);

/* Whether the free buffers are down in the reserve: ordinary takers get
 * nothing, and a received packet for an unmarked connection is dropped. */
bool net_pool_in_reserve(const struct net_pool *p);
/* Whether buffer buf was handed out from the reserve. */
bool net_pool_from_reserve(const struct net_pool *p, unsigned buf);

void *net_buf_va(const struct net_pool *p, unsigned buf);
uint64_t net_buf_pa(const struct net_pool *p, unsigned buf);
/* The buffer holding address va (anywhere inside it), or -1. */
int net_buf_of(const struct net_pool *p, const void *va);

#endif
