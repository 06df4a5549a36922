/*
 * How netd divides its packet pool (netd_mem.h's): the reserve kept for
 * the swap connection, the ordinary part left for programs, and one
 * line's share of it (owners.h). Counted from lwIP's options, so only
 * netd's own files, built with lwIP, include it.
 */
#ifndef NETD_POOL_SHARES_H
#define NETD_POOL_SHARES_H

#include "lwip/opt.h"
#include "net_pool.h"
#include "net_protocol.h"
#include "net_ring.h"

/* Buffers only receive buffers and the swap connection's memalloc work may
 * take. Every lwIP segment holds a whole pool buffer however few bytes it
 * carries, so this counts pbufs, not bytes: every receive buffer posted
 * again; the swap connection's send queue (TCP_SND_QUEUELEN pbufs: NBD
 * request headers are small, so the queue, not TCP_SND_BUF, is the bound);
 * and what it holds received: in-order data is copied out and freed in
 * its receive callback (swap_tcp.c), so only the segment being taken in
 * and the out-of-order ones lwIP keeps (TCP_OOSEQ_MAX_PBUFS). */
#define NET_POOL_RESERVE (NET_RX_POSTED + TCP_SND_QUEUELEN + 1 + TCP_OOSEQ_MAX_PBUFS)
_Static_assert(NET_POOL_RESERVE < NET_POOL_PAGES * NET_BUFS_PER_PAGE,
	       "the pool holds its reserve and more");

/* The ordinary part of the pool: what is left for programs' connections
 * once the transmit slots (kept for good) and the posted receive buffers
 * are taken and the reserve is kept back. */
#define NET_POOL_ORDINARY \
	(NET_POOL_PAGES * NET_BUFS_PER_PAGE - NET_TX_SLOTS_MAX - NET_RX_POSTED - NET_POOL_RESERVE)
/* What one line's connections may hold (owners.h), so that it always
 * leaves half the ordinary part to everyone else, as NET_LINE_SOCKETS
 * leaves half the table. netd refuses its sends and its received data
 * past the share, but some buffers it cannot refuse come on top: a
 * connection holding nothing received takes a segment whatever its line
 * holds (so that reading always goes on) and lwIP keeps one more refused
 * (it is in a buffer already): two a connection; and the FIN of a pcb
 * closed and lingering, one a pcb of lwIP's table (sockets.c aborts a pcb
 * that would linger holding more). Not counted: a peer advertising a
 * window smaller than the unsent head has lwIP's persist timer split that
 * segment, the remainder in a buffer of its own outside any send netd made
 * (tcp_split_unsent_seg, which may pass TCP_SND_QUEUELEN by one), so a
 * line may hold up to NET_LINE_SOCKETS more (8 of the ~247): counted too,
 * the share would no longer hold one connection's window and send queue. */
#define NET_LINE_BUFS (NET_POOL_ORDINARY / 2 - 2 * NET_LINE_SOCKETS - MEMP_NUM_TCP_PCB)
_Static_assert(NET_LINE_BUFS >= NET_RX_BUFS_MAX + TCP_SND_QUEUELEN,
	       "a line's share holds one connection's full window and send queue");

#endif
