/*
 * netd.c and swapconn.c as test_netd_rand.c drives them (netd_host.c).
 */
#ifndef TESTS_HOST_NETD_HOST_H
#define TESTS_HOST_NETD_HOST_H

#include <stdint.h>

#include "kernel/abi/msg.h"
#include "net_protocol.h"

extern struct net_shared netd_host_status;	/* netd's status page */
extern uint8_t netd_host_window[NET_WIN_PAGES * BLK_PAGE_SIZE];	/* its swap window */

/* netd serves one call (main's loop, between its receive and its reply). */
void netd_host_call(const struct msg *in, struct msg *out);
/* netd's notification, with these bits (NET_IRQ_BIT, NET_TIMER_BIT). */
void netd_host_bits(uint64_t bits);

/* swap_link.c as at netd's start, its connection dropped
 * (swap_link_host.c): each seed sets swap up anew. */
void swap_link_host_reset(void);

#endif
