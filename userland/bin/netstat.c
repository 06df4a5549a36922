/*
 * netstat: prints the network server's counters one per line
 * ("rx_dropped_nomem 12"): packets, the pool and its reserve, the swap
 * connection.
 */
#include "netstat_print.h"

int main(void)
{
	return netstat_print("") < 0 ? 1 : 0;
}
