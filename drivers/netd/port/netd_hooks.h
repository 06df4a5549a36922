/*
 * What lwIP calls back into the network server besides its callbacks:
 * packet-data memory from the pool, random numbers, the check of each
 * received segment against seed 002's rule once its connection is known,
 * and how many out-of-order segments a connection may keep.
 */
#ifndef NETD_HOOKS_H
#define NETD_HOOKS_H

#include <stddef.h>
#include <stdint.h>

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

void *netd_mem_malloc(size_t size);
void *netd_mem_calloc(size_t n, size_t size);
void netd_mem_free(void *p);
uint32_t netd_rand(void);

/* ERR_OK to let the segment in; anything else drops it at once. */
signed char netd_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, uint16_t optlen,
			      uint16_t opt1len, uint8_t *opt2, struct pbuf *p);

/* Out-of-order pbufs pcb may keep (sockets.c: a program's within its
 * line's share of the pool). */
unsigned short netd_ooseq_limit(const struct tcp_pcb *pcb);

#endif
