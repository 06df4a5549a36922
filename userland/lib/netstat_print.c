/*
 * netstat's text (netstat_print.h): one counter per line, as vmstat's.
 */
#include <stdio.h>

#include "net.h"
#include "netstat_print.h"

int netstat_print(const char *prefix)
{
	static const char *const states[] = { "off", "up", "reconnecting", "gone" };
	struct net_stats s;
	int r = net_stats(&s);

	if (r < 0) {
		printf("%snetstat: no network server (%d)\n", prefix, r);
		return r;
	}
	printf("%saddress %u.%u.%u.%u/%u\n", prefix, s.addr >> 24, (s.addr >> 16) & 255,
	       (s.addr >> 8) & 255, s.addr & 255, s.prefix);
	printf("%srx_packets %lu\n%stx_packets %lu\n%srx_bytes %lu\n%stx_bytes %lu\n",
	       prefix, (unsigned long)s.rx_packets, prefix, (unsigned long)s.tx_packets,
	       prefix, (unsigned long)s.rx_bytes, prefix, (unsigned long)s.tx_bytes);
	printf("%srx_dropped_nomem %lu\n%sreserve_allocs %lu\n%salloc_refused %lu\n"
	       "%srx_starved %lu\n", prefix, (unsigned long)s.rx_dropped_nomem, prefix,
	       (unsigned long)s.reserve_allocs, prefix, (unsigned long)s.alloc_refused, prefix,
	       (unsigned long)s.rx_starved);
	printf("%spool_buffers %u\n%spool_reserve %u\n%spool_free %u\n%spool_free_lowest %u\n",
	       prefix, s.pool_bufs, prefix, s.pool_reserve, prefix, s.pool_free, prefix,
	       s.pool_lowest);
	printf("%sswap_connection %s\n%snbd_requests %lu\n%snbd_flushes %lu\n%snbd_errors %lu\n"
	       "%snbd_reconnects %lu\n%snbd_resent %lu\n%snbd_throttled %lu\n%ssockets %u\n",
	       prefix, s.swap_state < 4 ? states[s.swap_state] : "?", prefix,
	       (unsigned long)s.nbd_requests, prefix, (unsigned long)s.nbd_flushes, prefix,
	       (unsigned long)s.nbd_errors, prefix,
	       (unsigned long)s.nbd_reconnects, prefix, (unsigned long)s.nbd_resent, prefix,
	       (unsigned long)s.nbd_throttled, prefix, s.sockets);
	printf("%snbd_most_pending %lu\n", prefix, (unsigned long)s.nbd_most_pending);
	printf("%srx_refused %lu\n", prefix, (unsigned long)s.rx_refused);
	printf("%srx_bad %lu\n", prefix, (unsigned long)s.rx_bad);
	return 0;
}
