/*
 * How the pager and programs talk to the network server, netd (the
 * virtio-net driver and lwIP in one pinned process). The pager starts it
 * with its device, its pool and its notifications (NET_POOL, NET_SETUP);
 * for swap over NBD it then speaks blk_protocol.h to it (NET_SWAP_SETUP,
 * NET_SWAP_START, BLK_SUBMIT), the request's frames mapped into netd's
 * window by the pager.
 * Programs open TCP connections through NET_CONNECT ... NET_CLOSE; a call
 * never blocks in netd: a program waits on the notification it passed.
 * Which programs may hold connections, from which line, and when each
 * ends, netd learns from the pager alone, through the status page
 * (net_shared.admitted), never from a message a program could send.
 */
#ifndef DRIVERS_NET_PROTOCOL_H
#define DRIVERS_NET_PROTOCOL_H

#include <stdint.h>

#include "blk_protocol.h"
#include "kernel/abi/clock.h"

/* Where the pager maps netd's pieces (netd is pinned, as a block driver). */
#define NET_MMIO_VA 0x100000000UL	/* the device's registers */
#define NET_DMA_VA 0x101000000UL	/* NET_DMA_PAGES frames for the two queues' rings */
#define NET_STATUS_VA 0x102000000UL	/* the status page shared with the pager */
#define NET_POOL_VA 0x104000000UL	/* the pool: NET_POOL_PAGES frames */
/* The swap window: the frames of swap request `tag` are mapped at
 * NET_WIN_VA + tag * NET_MAX_PAGES pages while the request is in flight.
 * A request carries at most NET_MAX_PAGES pages (64 KiB: a few TCP
 * segments' worth, and a window netd's page tables hold for every tag;
 * 32 and 64 pages were measured and cost the same work per page within
 * 1%: docs/design.md). */
#define NET_MAX_PAGES 16
#define NET_WIN_VA 0x200000000UL
#define NET_WIN_PAGES ((uint64_t)BLK_TAGS * NET_MAX_PAGES)

/* Where swap request tag's pages start in netd's window. */
static inline uint64_t net_window_va(uint32_t tag)
{
	return NET_WIN_VA + (uint64_t)tag * NET_MAX_PAGES * BLK_PAGE_SIZE;
}

/* The longest outage swap.nbd_outage may give (an hour): the swap link's
 * clock arithmetic has room for far more; this only catches a typo. */
#define NET_SWAP_OUTAGE_MAX 3600
/* netd's bound on the swap server's answers (drivers/netd/swap_link.c):
 * no byte back for this long while requests wait, or no answer to one
 * request this long after its first byte went out, and netd drops the
 * connection; with requests waiting an outage begins then
 * (swap_outage_until). netd looks at its timers at least every
 * NET_TICK_NS, so it may drop the connection that much later. Stated here
 * because the pager reckons with both: how long one of its writes may go
 * unanswered before the device is called stopped (nbd_backend.c). */
#define NET_SWAP_ANSWER_NS (20000 * CLOCK_NS_PER_MS)
#define NET_TICK_NS (250 * CLOCK_NS_PER_MS)
/* netd's bound on connecting to the swap server (connect and handshake),
 * and the longest it waits between attempts in an outage. */
#define NET_SWAP_CONNECT_NS (3000 * CLOCK_NS_PER_MS)
#define NET_SWAP_RETRY_MAX_NS (4000 * CLOCK_NS_PER_MS)
/* How late after the outage's budget (swap.nbd_outage) has run out netd
 * may still ride it out: the budget is looked at only as a connection is
 * lost, and from one loss to the next lie at most the wait before an
 * attempt, the attempt's bound and, once the same export is back, the
 * answer's bound, each seen at a tick of netd's loop at most NET_TICK_NS
 * late. netd publishes its give-up time with it (swap_outage_until); the
 * pager reckons with it when netd publishes nothing (nbd_backend.c). */
#define NET_SWAP_GIVE_UP_LATE_NS \
	(NET_SWAP_RETRY_MAX_NS + NET_SWAP_CONNECT_NS + NET_SWAP_ANSWER_NS + 3 * NET_TICK_NS)
#define NET_DMA_PAGES 4
#define NET_POOL_PAGES 320		/* 640 buffers of 2 KiB: 1.25 MiB */
#define NET_RX_POSTED 128		/* receive buffers netd keeps posted */
#define NET_POOL_PER_MSG 64		/* page addresses in one NET_POOL message */

/* netd's handles, besides 0 (itself) and 1 (the pager). */
#define NET_HANDLE_EP 2		/* its endpoint: the pager's calls and programs' */
#define NET_HANDLE_IRQ 3	/* notification: its interrupt and its timer */
#define NET_HANDLE_DONE 4	/* the pager's BLK_DONE_NOTES completion notifications */
#define NET_IRQ_BIT 1UL
#define NET_TIMER_BIT 2UL

/* Entries of the admission table (net_shared.admitted): one per process
 * slot of the pager's (PAGER_PROCS_MAX, 57, asserted in
 * pager/server/netdev.c), rounded up to a power of two. */
#define NET_ADMITTED_MAX 64

/* An entry of the admission table: a process's pid and its line
 * (pager/protocol.h's PAGER_LINE_PROCS_MAX: a program and everything it
 * starts); 0 for none. One word, so that netd never reads half of one. */
static inline uint64_t net_admission(uint32_t pid, uint32_t line)
{
	return (uint64_t)line << 32 | pid;
}

/* The status page: blk_protocol.h's BLK_TAGS slots, the admission table
 * for programs' connections, then the pool's state for the pager's
 * throttling. */
struct net_shared {
	struct blk_status slot[BLK_TAGS];
	/* The admission table, written by the pager alone and read by netd:
	 * entry k is net_admission(pid, line) of the process in the pager's
	 * slot k once it has been given netd's handle (PAGER_NET), written
	 * before the handle is, and 0 again when the pager reaps it. A pid
	 * in a message is the kernel's and a line is the pager's: a program
	 * can name neither. netd takes connections only from an admitted pid,
	 * counts them by line, and frees those of a pid no longer admitted
	 * (sockets.c). */
	volatile uint64_t admitted[NET_ADMITTED_MAX];
	volatile uint32_t pool_free;	/* free buffers now */
	volatile uint32_t pool_reserve;	/* of which the reserve */
	volatile uint32_t swap_gone;	/* 1: the NBD server is gone for good */
	/* Connections lost with writes answered on them and not flushed on
	 * them (nbd_counters' lost_writes), as of the latest completion:
	 * written before its state, so a thread that sees its flush done sees
	 * every loss before it. */
	volatile uint32_t swap_lost_writes;
	/* While the NBD link rides out an outage (connections lost in a row,
	 * no request answered since, within swap.nbd_outage): the time, in
	 * sys_clock's nanoseconds, by which netd will have given the server
	 * up unless it answers (swap_link_outage_until); 0 otherwise. netd
	 * writes it after every event; the pager's reclaim waits for writes
	 * held by the outage until then, not for ever (nbd_backend.c). As it
	 * turns from 0, netd signals BLK_DONE_BIT to each pager thread with a
	 * request in flight (its state BLK_SUBMITTED), though none is done: a
	 * thread waiting for a write with the pager lock held then stops
	 * waiting (swapconn_publish_outage). */
	volatile int64_t swap_outage_until;
	/* When (sys_clock's ns) the NBD link's latest outage ended: a
	 * request answered, or the link back with nothing waiting (then no
	 * write of the pager's is in netd to be given more life)
	 * (swap_link_outage_ended; 0: none has), written
	 * before swap_outage_until turns 0: the writes it held were sent
	 * again then, and the pager gives the swap-out thread's write its
	 * whole life again from then, whether or not it looked during the
	 * outage (the pager's writer.c). */
	volatile int64_t swap_outage_ended;
	/* By tag, as of its latest completion: 0, or the request was a write
	 * whose data went out on a connection lost before its answer (the old
	 * connection's server may still perform it, late; netd never writes
	 * it again: nbd_late): bit k, page k of the request went out (some
	 * bytes). Written before the state; the pager zeroes it before
	 * submitting. */
	volatile uint32_t late[BLK_TAGS];
};
_Static_assert(sizeof(struct net_shared) <= BLK_PAGE_SIZE, "the status page is one page");

_Static_assert(NET_MAX_PAGES < 32, "net_shared.late: a page a bit");

/* A program's notification is signalled with this bit when one of its
 * connections may have changed (connected, data, room to send, closed). */
#define NET_EVENT_BIT 1UL
#define NET_SOCKETS_MAX 16	/* connections of programs, in all */
#define NET_SOCKETS_PER_PROC 4
/* Connections one line may hold at once: half the table, as for the
 * pager's pressure subscriptions (PRESSURE_LINE_SUBSCRIBERS), so that one
 * program and the processes it starts, living or not, always leave half
 * to everyone else. Line 0 (what the pager starts itself: init, drivers)
 * is no line and has the per-process bound alone. */
#define NET_LINE_SOCKETS (NET_SOCKETS_MAX / 2)
/* Receive buffers a program's connection holds at most before netd refuses
 * its data until the program reads: its window's worth of full segments
 * (16 of lwIP's 1460 bytes). Besides them lwIP holds for it the refused
 * chain and the out-of-order segments it keeps (8 buffers each at most). */
#define NET_RX_BUFS_MAX 16

enum net_label {
	/* Pager -> netd, before NET_SETUP: w[0] = index of the first page,
	 * data = uint64_t physical addresses of pool pages from there, in
	 * order (NET_POOL_PER_MSG at most). */
	NET_POOL = 0x300,
	/* Pager -> netd: w[0] = the device's irq, w[1] = 0 for DHCP or the
	 * static address (a.b.c.d as a << 24 | ...), w[2] = its prefix
	 * length; data = the physical addresses of the NET_DMA_VA pages.
	 * Reply: 0 or -errno, never -ENODEV (the device is there: the pager
	 * found it), -ENOTSUP for a device netd cannot drive (legacy, lacking
	 * a feature, too small a queue: it says why on the console); w[0] =
	 * the address in force (0: DHCP gave none in time), w[1] = its prefix
	 * length. */
	NET_SETUP = 0x301,
	/* Pager -> netd: connect to the NBD server at w[0] (address) : w[1]
	 * (port) and negotiate the export; w[2] = seconds the server may
	 * answer nothing before it is gone for good (1..NET_SWAP_OUTAGE_MAX);
	 * then BLK_SUBMIT as for a disk (reads only, until NET_SWAP_START).
	 * Reply as BLK_SETUP: 0 or -errno, w[0] = sectors, w[1] = read-only. */
	NET_SWAP_SETUP = 0x302,
	/* Pager -> netd, after writes it has seen complete: w[0] = a free tag,
	 * w[1] = its notification (< BLK_DONE_NOTES); sends NBD_CMD_FLUSH, so
	 * those writes survive the server's crash. The result comes as a
	 * BLK_SUBMIT request's, in the tag's status slot. Reply: 0 (sent),
	 * -ENOTSUP (the export cannot flush: nothing to wait for), -EBUSY
	 * (the tag is in flight: as BLK_SUBMIT's), -errno. */
	NET_SWAP_FLUSH = 0x303,
	/* Pager -> netd, once the export set up by NET_SWAP_SETUP is its swap
	 * (the header checked, the area's tables made): netd may write to it
	 * from now on, and first stamps its header (drivers/netd/swap_stamp.h).
	 * Before it, netd writes nothing to the export and refuses writes and
	 * flushes (-EACCES), so an export the pager refuses after the setup
	 * (too large for memory, no memory, its driver ended) is left as it
	 * was. Reply: 0, -ENODEV (no export set up), -ENXIO (the server gone
	 * for good), -EALREADY (started already). */
	NET_SWAP_START = 0x304,
	/* Pager -> netd, instead of NET_SWAP_START: the export set up is not
	 * its swap (refused, or its tables could not be made). netd closes
	 * the connection and forgets the export: it no longer reconnects,
	 * gives the server up, nor keeps programs from its address. Reply:
	 * 0, -ENODEV (no export set up), -EALREADY (started: swap is not let
	 * go). */
	NET_SWAP_STOP = 0x305,
	/* Program -> netd: open a TCP connection to w[0] (address) : w[1]
	 * (port); msg.handle = a notification netd signals (NET_EVENT_BIT),
	 * passed with RIGHT_SEND alone (anything else is -EINVAL: netd frees
	 * the connection once no other copy may wait on it, so its own copy
	 * must not). Reply: a connection number, or -errno: -EMFILE, the
	 * table (NET_SOCKETS_MAX), the caller's own NET_SOCKETS_PER_PROC or
	 * its line's NET_LINE_SOCKETS are all taken; -EPERM, the pager has
	 * not admitted the caller (net_shared.admitted); -EACCES, the swap
	 * server's address and port, the pager's alone while an export is set
	 * up there (from NET_SWAP_SETUP, unless NET_SWAP_STOP lets it go).
	 * The connection may still be opening. A connection lasts until
	 * NET_CLOSE or its owner's end, whichever comes first: netd frees it
	 * once the pager says the owner is gone (at netd's next tick, 250 ms
	 * at most, or at once when a connect finds no room), or once no copy
	 * of its notification that may wait is left. */
	NET_CONNECT = 0x310,
	/* w[0] = connection, data = bytes. Reply: bytes taken (0: no room
	 * now, wait for the event; with no data: the connection is open, the
	 * peer's end of stream too, which leaves ours open), -EINPROGRESS
	 * (still opening), -ECONNREFUSED / -ECONNRESET / -ETIMEDOUT (it
	 * failed), -EBADF. */
	NET_SEND = 0x311,
	/* w[0] = connection, w[1] = most bytes wanted. Reply: bytes in data,
	 * -EAGAIN (none yet; the event comes), 0 at the end of the stream,
	 * -ECONNREFUSED / -ECONNRESET / -ETIMEDOUT if it failed. */
	NET_RECV = 0x312,
	/* w[0] = connection. Reply: 0. */
	NET_CLOSE = 0x313,
	/* Reply: data = struct net_stats. Anyone may ask. */
	NET_STATS = 0x314
};

/* The swap link's state (net_stats.swap_state): off (no swap over NBD),
 * up, reconnecting after a loss (an outage being ridden out), or the
 * server given up for good. */
enum swap_state { SWAP_OFF = 0, SWAP_UP = 1, SWAP_RETRYING = 2, SWAP_GONE = 3 };

/* netd's counters (netstat). */
struct net_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_dropped_nomem;	/* received segments dropped: pool in its
					 * reserve and the connection not marked */
	uint64_t reserve_allocs;	/* buffers taken from the reserve */
	uint64_t alloc_refused;		/* buffers refused to a taker */
	uint64_t rx_starved;		/* receive refills that found no buffer */
	uint32_t pool_bufs, pool_reserve, pool_free, pool_lowest;
	uint64_t nbd_requests, nbd_errors, nbd_reconnects, nbd_resent;
	uint64_t nbd_flushes;		/* of nbd_requests: NBD_CMD_FLUSH */
	uint64_t nbd_throttled;		/* swap batches that arrived while the pool was in
					 * its reserve (netd takes them all the same) */
	uint64_t nbd_most_pending;	/* the most swap requests waiting for replies at once */
	uint32_t addr, prefix;		/* the address in force */
	uint32_t sockets;		/* programs' connections open */
	uint32_t swap_state;		/* enum swap_state */
	uint64_t rx_refused;		/* times programs' data was refused: the
					 * connection held NET_RX_BUFS_MAX buffers,
					 * or its line its share of the pool */
	/* The device's error netd survives (said on the console the first
	 * time): receive buffers returned with a length no frame has (short
	 * of an Ethernet header, or past the buffer), dropped. */
	uint64_t rx_bad;
};

#endif
