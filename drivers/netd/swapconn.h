/*
 * The swap connection's calls from the pager, which sees netd's NBD client
 * as a block device (blk_protocol.h: NET_SWAP_SETUP, NET_SWAP_START, then
 * BLK_SUBMIT with completions in the shared status page). The link
 * itself: swap_link.h.
 */
#ifndef NETD_SWAPCONN_H
#define NETD_SWAPCONN_H

#include <stdint.h>

#include "kernel/abi/msg.h"
#include "net_protocol.h"

/* NET_SWAP_SETUP: connect to w[0]:w[1] and negotiate, waiting a bounded
 * time. Reply as BLK_SETUP. */
long swapconn_setup(const struct msg *in, struct msg *out, struct net_shared *shared);

/* NET_SWAP_START: the export is the pager's swap; it may be written. */
long swapconn_start(void);

/* NET_SWAP_STOP: the pager refused the export; netd lets it go. */
long swapconn_stop(void);

/* BLK_SUBMIT: the frames of request tag are at NET_WIN_VA's slot for it. */
long swapconn_submit(const struct msg *in);

/* NET_SWAP_FLUSH: an NBD_CMD_FLUSH under tag w[0]. */
long swapconn_flush(const struct msg *in);

/* The swap link's outage bound (swap_link_outage_until: 0 outside an
 * outage) into the status page, after the time the latest one ended
 * (swap_link_outage_ended). As an outage begins (the bound was 0),
 * every pager thread with a request in flight is then signalled, as for
 * a completion, so that one waiting for a write while it holds the pager
 * lock stops waiting (the pager's nbd_backend.c leaves it in flight)
 * rather than hold every pager thread until the outage ends; the others
 * find their requests still out and wait again. */
void swapconn_publish_outage(struct net_shared *shared, int64_t until, int64_t ended);

void swapconn_counters(struct net_stats *s);

#endif
