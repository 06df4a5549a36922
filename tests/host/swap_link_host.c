/*
 * The swap link (drivers/netd/swap_link.c) for test_netd_rand.c, with a
 * way back to its state at netd's start, so that each seed sets swap up
 * anew (a server once gone for good stays gone in netd).
 */
#include "swap_link.c"
#include "netd_host.h"

void swap_link_host_reset(void)
{
	swap_tcp_close();
	memset(&sc, 0, sizeof(sc));
	memset(&first, 0, sizeof(first));
}

