/*
 * What differs between the two systems the workloads run on, and nothing
 * else: the available memory, the swap size, the counters (instructions,
 * idle time, major faults, pages swapped), a pause, and starting and
 * stopping (on Linux the workload is init). Memory, fork and wait are
 * POSIX on both and are called directly.
 */
#ifndef WORKLOAD_PORT_H
#define WORKLOAD_PORT_H

#include <stdint.h>

struct port_counters {
	uint64_t instret;	/* instructions retired (rdinstret): under
				 * -icount shift=0 idle time counts as well,
				 * 1 ns = 1 instruction (port_instret) */
	uint64_t idle_ns;	/* time the machine slept with nothing to run */
	uint64_t major;		/* major faults: pages read back from swap on a fault */
	uint64_t pswpin, pswpout;	/* pages read from and written to swap */
	uint64_t faults;	/* every page fault, major ones included */
	uint64_t pgscan;	/* looks: pages reclaim checked for a reference,
				 * to age them or to choose victims */
	uint64_t pgsteal;	/* pages reclaim freed */
};

#ifdef __linux__
#include "port_linux.h"
#else
#include "port_pagerkernel.h"
#endif

#endif
