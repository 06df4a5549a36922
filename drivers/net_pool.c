/*
 * The packet-buffer pool (net_pool.h): a stack of free buffer indexes, two
 * per page so a buffer never spans two frames, and one test that decides
 * whether a taker may have one.
 */
#include <errno.h>
#include <string.h>

#include "net_pool.h"

int net_pool_init(struct net_pool *p, uintptr_t va, const uint64_t *pa, uint32_t npages,
		  uint32_t reserve)
{
	if (npages == 0 || npages > NET_POOL_MAX_PAGES)
		return -EINVAL;
	for (uint32_t i = 0; i < npages; i++)
		if (pa[i] % NET_PAGE_SIZE != 0)
			return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->va = va;
	p->pa = pa;
	p->nbufs = npages * NET_BUFS_PER_PAGE;
	if (reserve * 2 >= p->nbufs)
		return -EINVAL;
	p->reserve = reserve;
	/* Lowest index on top: buffers go out in address order. */
	for (uint32_t i = 0; i < p->nbufs; i++)
		p->free[i] = (uint16_t)(p->nbufs - 1 - i);
	p->nfree = p->nbufs;
	p->cnt.lowest_free = p->nfree;
	return 0;
}

bool net_pool_in_reserve(const struct net_pool *p)
{
	return p->nfree <= p->reserve;
}

int net_pool_take(struct net_pool *p, enum net_taker who)
{
	bool reserve = net_pool_in_reserve(p);

	if (p->nfree == 0 || (reserve && who == NET_TAKE_ORDINARY)) {
		p->cnt.refused++;
		return -1;
	}
	unsigned buf = p->free[--p->nfree];

	p->from_reserve[buf] = reserve;
	p->cnt.taken++;
	p->cnt.reserve_allocs += reserve;
	if (p->nfree < p->cnt.lowest_free)
		p->cnt.lowest_free = p->nfree;
	return (int)buf;
}

void net_pool_give(struct net_pool *p, unsigned buf)
{
	if (buf >= p->nbufs || p->nfree >= p->nbufs)
		return;		/* not ours, or every buffer is free already */
	p->from_reserve[buf] = 0;
	p->free[p->nfree++] = (uint16_t)buf;
}

bool net_pool_from_reserve(const struct net_pool *p, unsigned buf)
{
	return buf < p->nbufs && p->from_reserve[buf];
}

void *net_buf_va(const struct net_pool *p, unsigned buf)
{
	return (void *)(p->va + (uintptr_t)buf * NET_BUF_SIZE);
}

uint64_t net_buf_pa(const struct net_pool *p, unsigned buf)
{
	return p->pa[buf / NET_BUFS_PER_PAGE] + (buf % NET_BUFS_PER_PAGE) * NET_BUF_SIZE;
}

int net_buf_of(const struct net_pool *p, const void *va)
{
	uintptr_t a = (uintptr_t)va;

	if (a < p->va || a >= p->va + (uintptr_t)p->nbufs * NET_BUF_SIZE)
		return -1;
	return (int)((a - p->va) / NET_BUF_SIZE);
}
