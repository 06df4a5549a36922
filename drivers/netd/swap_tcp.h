/*
 * The swap link's TCP connection through lwIP's raw API, the one marked as
 * serving memory reclaim (seed 002's SOCK_MEMALLOC): whatever lwIP
 * allocates for it, to connect, to send or to take its segments in, may
 * use the pool's reserve. One connection at a time; its events go to the
 * link (swap_link.c) through the functions it gives when opening.
 */
#ifndef NETD_SWAP_TCP_H
#define NETD_SWAP_TCP_H

#include <stdbool.h>
#include <stdint.h>

struct swap_tcp_events {
	void (*connected)(void);
	/* Bytes from the server, a run at a time; the link may close the
	 * connection in the middle, and the rest is not given. */
	void (*received)(const uint8_t *d, uint32_t len);
	/* Time to send what waits: bytes were acknowledged (room) or taken
	 * in (replies free requests' places). */
	void (*pump)(void);
	/* Closed by the server, reset or failed: already forgotten. */
	void (*failed)(const char *why);
};

/* Connect to addr:port (host order). 0; -ENOMEM with no connection made
 * (nothing to close); -EAGAIN when lwIP refused to start connecting (the
 * connection is already closed). */
int swap_tcp_open(uint32_t addr, uint16_t port, const struct swap_tcp_events *ev);

/* Drop the connection at once (a reset), if there is one. */
void swap_tcp_close(void);
bool swap_tcp_is_open(void);

/* Queue up to len bytes, copied; how many were taken (0: no room now, or
 * swap_tcp_waits).
 * more: further bytes follow at once. swap_tcp_output sends them. */
uint32_t swap_tcp_write(const uint8_t *d, uint32_t len, bool more);
/* The connection is open but takes no bytes now: a retransmitted segment
 * is last on lwIP's unsent queue (tcp_append.h), and swap_tcp_write
 * returns 0 until tcp_output has sent it. Nothing says when that is:
 * the link writes again at its next pump (the ACK's sent event) or tick. */
bool swap_tcp_waits(void);
void swap_tcp_output(void);

#endif
