/*
 * netd's counters as text (netstat), shared by the netstat tool and the
 * programs that report on the network: packets in and out, packets
 * dropped for lack of memory, the pool and its reserve, the swap
 * connection's requests, reconnections and throttling.
 */
#ifndef USER_NETSTAT_PRINT_H
#define USER_NETSTAT_PRINT_H

/* Print one "name value" line per counter, each starting with prefix.
 * 0, or a negated error (-ENODEV: no network) after saying so. */
int netstat_print(const char *prefix);

#endif
