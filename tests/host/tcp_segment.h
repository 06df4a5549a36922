/*
 * IPv4 TCP segments built byte for byte, checksums and all, for host tests
 * that play a peer to lwIP (test_netd_sockets.c, test_netd_rand.c): what
 * a real peer would put on the wire, so lwIP takes it in as it would one;
 * and the IP-level interface (10.0.2.15/24) they take it in by.
 */
#ifndef TESTS_HOST_TCP_SEGMENT_H
#define TESTS_HOST_TCP_SEGMENT_H

#include <stdint.h>

#include "lwip/netif.h"

struct tcp_segment {
	uint32_t src, dst;	/* addresses, host order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* TCP_SYN etc.: a SYN carries the MSS option (1460) */
	uint16_t wnd;
	const uint8_t *data;
	uint16_t len;
};

/* The largest packet tcp_segment_build writes: an Ethernet frame's. */
#define TCP_SEGMENT_MAX 1520

/* Writes the IP packet carrying s into b (TCP_SEGMENT_MAX bytes; s's data
 * must fit): its length. */
unsigned tcp_segment_build(uint8_t *b, const struct tcp_segment *s);

/* A big-endian word of a packet. */
uint32_t tcp_segment_get32(const uint8_t *b);

/* lwIP started, and n up as its default interface, 10.0.2.15/24 by way
 * of 10.0.2.2, init setting its output. */
void tcp_segment_netif_up(struct netif *n, netif_init_fn init);

#endif
