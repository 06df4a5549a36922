/*
 * The network server's memory: the one pool of packet buffers (net_pool.h)
 * behind lwIP's heap and the device's receive buffers, and who may take
 * from its reserve at a given moment (seed 002's PF_MEMALLOC, by context).
 */
#ifndef NETD_MEM_H
#define NETD_MEM_H

#include <stdbool.h>

#include "net_pool.h"

struct tcp_pcb;

extern struct net_pool netd_pool;

/* Until the matching end, lwIP's allocations are made for the swap
 * connection (or for work that frees memory): they may use the reserve.
 * Nests. */
void netd_memalloc_begin(void);
void netd_memalloc_end(void);

/* A received packet has been through lwIP: the memalloc context its
 * connection gave it ends. */
void netd_input_done(void);

/* What every connection's lwIP argument (tcp_arg) points to first: whether
 * it serves memory reclaim (the swap connection), so that its received
 * segments are let in while the pool is in its reserve. Only netd sets it;
 * no program can ask for it. */
struct netd_conn_tag {
	bool memalloc;
};

/* Received segments dropped by the reserve rule. */
extern uint64_t netd_dropped_nomem;

#endif
