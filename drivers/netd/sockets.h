/*
 * Programs' TCP connections through netd (net_protocol.h's NET_CONNECT ..
 * NET_CLOSE): a fixed table, each connection its owner's alone (owners.h:
 * at most NET_SOCKETS_PER_PROC a process, NET_LINE_SOCKETS a line), data
 * received kept in its receive buffers until the owner reads it, at most
 * NET_RX_BUFS_MAX buffers a connection (TCP's window bounds bytes, not
 * buffers: beyond that its segments are refused and come again), and at
 * most a line's share of the pool (owners.h) for all of a line's
 * connections, received, queued to send and held by lwIP together. A
 * connection closed holding buffers is reset, not left lingering. None of
 * them serves reclaim: while the pool is in its reserve their segments are
 * dropped (netd_mem.c), and lwIP takes their pcbs for the swap link's.
 */
#ifndef NETD_SOCKETS_H
#define NETD_SOCKETS_H

#include <stdint.h>

#include "kernel/abi/msg.h"

/* Serve one program call (label NET_CONNECT .. NET_CLOSE), its passed
 * handle too (a connect's kept or closed, any other's closed): the
 * answer's label, out's data filled (its label is the caller's to set). */
long sockets_serve(const struct msg *in, struct msg *out);

/* Connections open now. */
uint32_t sockets_open(void);

/* Times a connection's data was refused: it held NET_RX_BUFS_MAX buffers,
 * or its line its share of the pool. */
uint64_t sockets_rx_refused(void);

/* Each tick: close the connections of programs that are gone (the pager
 * has reaped their owner, owners.h, or their notification has no receiver
 * left), and signal those whose send found no memory (nothing else
 * would). Signals no other. */
void sockets_reap(void);

#endif
