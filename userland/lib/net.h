/*
 * TCP connections for programs, through the network server netd
 * (drivers/net_protocol.h): connect, send, receive, close, and netd's
 * counters. Every wait has a bound: each call takes a timeout in
 * milliseconds and gives up with -ETIMEDOUT; a wait that could not be
 * bounded (every one of the process's kernel timers armed) is not begun:
 * -EAGAIN. Threads may send and receive on one connection at once.
 */
#ifndef USER_NET_H
#define USER_NET_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/net_protocol.h"

/* An IPv4 address a.b.c.d in the order the calls take it. */
#define NET_ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Open a connection to addr:port and wait until it is open. A connection
 * number (>= 0), or -ENODEV (no network), -ECONNREFUSED, -ETIMEDOUT,
 * -EMFILE (too many open), another negated errno. */
int net_connect(uint32_t addr, uint16_t port, unsigned timeout_ms);

/* Send all len bytes. len, or a negated errno (-ETIMEDOUT if netd's
 * buffers stayed full for timeout_ms: what was sent stays sent). */
long net_send(int c, const void *buf, size_t len, unsigned timeout_ms);

/* Receive what has arrived, at most len bytes, waiting up to timeout_ms
 * for something. Bytes (> 0), 0 at the end of the stream, -ETIMEDOUT,
 * or another negated errno (-ECONNRESET...). */
long net_recv(int c, void *buf, size_t len, unsigned timeout_ms);

/* Send what netd takes now, without waiting: bytes taken (0: its buffers
 * are full), or a negated errno. */
long net_send_some(int c, const void *buf, size_t len);

/* Wait up to timeout_ms for netd's next event on c (data, room, closed);
 * 1 if one came, 0 on timeout, -EBADF if c is not ours, -EBUSY if another
 * thread of ours waits on c (its event would be that thread's), -EAGAIN. */
int net_wait(int c, unsigned timeout_ms);

/* Close c; 0 or a negated errno. */
int net_close(int c);

/* netd's counters; 0 or a negated errno. */
int net_stats(struct net_stats *s);

#endif
