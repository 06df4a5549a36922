/*
 * Programs' TCP connections through netd (net_protocol.h's NET_CONNECT ..
 * NET_CLOSE): a fixed table, each connection its owner's alone, data
 * received kept in its receive buffers until the owner reads it (lwIP's
 * window keeps that bounded). None of them serves reclaim: while the pool
 * is in its reserve their segments are dropped (netd_mem.c).
 */
#ifndef NETD_SOCKETS_H
#define NETD_SOCKETS_H

#include <stdint.h>

#include "kernel/abi/msg.h"

/* Serve one program call (label NET_CONNECT .. NET_CLOSE); the result in
 * out->label. */
void sockets_serve(const struct msg *in, struct msg *out);

/* Connections open now. */
uint32_t sockets_open(void);

/* Close the connections of programs that are gone (their notification has
 * no receiver left). */
void sockets_reap(void);

#endif
