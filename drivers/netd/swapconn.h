/*
 * The swap connection: netd's own NBD client for the pager, which sees it
 * as a block device (blk_protocol.h: NET_SWAP_SETUP, then BLK_SUBMIT with
 * completions in the shared status page). It is the one connection marked
 * as serving memory reclaim: its sends and its received segments may use
 * the pool's reserve. A lost connection is made again and its unanswered
 * requests sent again; a server gone for good fails them all and says so.
 */
#ifndef NETD_SWAPCONN_H
#define NETD_SWAPCONN_H

#include <stdint.h>

#include "kernel/abi/msg.h"
#include "net_protocol.h"

enum swap_state { SWAP_OFF = 0, SWAP_UP = 1, SWAP_RETRYING = 2, SWAP_GONE = 3 };

/* NET_SWAP_SETUP: connect to w[0]:w[1] and negotiate, waiting a bounded
 * time. Reply as BLK_SETUP. */
long swapconn_setup(const struct msg *in, struct msg *out, struct net_shared *shared);

/* BLK_SUBMIT: the frames of request tag are at NET_WIN_VA's slot for it. */
long swapconn_submit(const struct msg *in);

/* NET_SWAP_FLUSH: an NBD_CMD_FLUSH under tag w[0]. */
long swapconn_flush(const struct msg *in);

/* Time passes: reconnect when due, give up when it has taken too long,
 * time out a connection that stopped answering. */
void swapconn_tick(void);

enum swap_state swapconn_state(void);
void swapconn_counters(struct net_stats *s);

#endif
