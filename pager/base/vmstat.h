/*
 * The pager's statistics, in one place: every layer counts its own events
 * here (vmstat_count) instead of keeping and exporting a counters struct,
 * and a level that its owner knows better than any counter (free frames,
 * processes, swap slots) is read from the owner when asked (vmstat_gauge).
 * The items are struct pager_stats's fields in its order (pager/protocol.h),
 * so a snapshot is that struct; their names are /proc/vmstat's where the
 * meaning is Linux's. Plain C.
 */
#ifndef PAGER_BASE_VMSTAT_H
#define PAGER_BASE_VMSTAT_H

#include <stdint.h>

enum vmstat_item {
	VMSTAT_FRAMES_TOTAL,		/* gauge: frames the pager manages */
	VMSTAT_FRAMES_FREE,		/* gauge */
	VMSTAT_FRAMES_MAPPED,		/* level: frames with a mapping (rmap) */
	VMSTAT_FRAMES_SHARED,		/* level: frames mapped more than once (rmap) */
	VMSTAT_RMAP_ENTRIES,		/* level: (space, address) mappings (rmap) */
	VMSTAT_PGFAULT,			/* faults resolved or refused, each once however often retried */
	VMSTAT_FAULTS_ZERO,		/* pages filled with zeros */
	VMSTAT_FAULTS_IMAGE,		/* pages filled from a program image */
	VMSTAT_COW_BREAKS,		/* private copies made on write */
	VMSTAT_COW_REUSE,		/* write faults on a page no longer shared */
	VMSTAT_FAULTAROUND_PAGES,	/* pages mapped ahead of a fault */
	VMSTAT_KILLS,			/* processes killed for a bad access */
	VMSTAT_PROCESSES,		/* gauge */
	VMSTAT_PGMAJFAULT,		/* pages read back from swap for their fault */
	VMSTAT_SWAP_CACHE_HITS,		/* swapped pages found still in memory */
	VMSTAT_PSWPOUT,			/* pages written to swap */
	VMSTAT_PSWPIN,			/* pages read from swap */
	VMSTAT_SWAP_REQUESTS_OUT,	/* device requests writing */
	VMSTAT_SWAP_REQUESTS_IN,	/* device requests reading */
	VMSTAT_SWAP_PAGES_OUT,		/* pages the write requests wrote */
	VMSTAT_SWAP_WRITE_ERRORS,
	VMSTAT_SWAP_READ_ERRORS,	/* faults whose own page's read failed */
	VMSTAT_SWAP_SLOTS_TOTAL,	/* gauge */
	VMSTAT_SWAP_SLOTS_FREE,		/* gauge */
	VMSTAT_SWAP_SLOTS_BAD,		/* gauge */
	VMSTAT_PGSCAN,			/* frames whose accessed bits the policy read */
	VMSTAT_PGSCAN_REFERENCED,		/* of those, found accessed */
	VMSTAT_SWAP_FULL,		/* reclaims that found no free slot */
	VMSTAT_SWAP_ENTRIES,		/* level: page entries naming a slot */
	VMSTAT_SWAP_RA_MAPPED,		/* pages read back ahead of their fault, mapped */
	VMSTAT_PGSTEAL_KSWAPD,	/* frames freed by background reclaim */
	VMSTAT_PGSTEAL_DIRECT,		/* frames freed by direct reclaim */
	VMSTAT_ALLOCSTALL,		/* direct reclaims */
	VMSTAT_KSWAPD_WAKEUPS,
	VMSTAT_SWAPOUT_QUEUED,		/* gauge: queued or being written */
	VMSTAT_SWAPOUT_REFUSED,		/* background pushes into a full queue */
	VMSTAT_SWAPOUT_RESCUED,		/* queued pages no longer evictable at their write */
	VMSTAT_PGDROP_CLEAN,		/* victims freed without a write */
	VMSTAT_FAULTS_DURING_READ,	/* faults served while a swap-in waited */
	VMSTAT_SWAPIN_WAITS,		/* faults that waited for another's read */
	VMSTAT_SWAPIN_ASYNC,		/* pages the swap-in thread read */
	VMSTAT_SWAPIN_REFUSED,		/* slots refused by a full swap-in queue */
	VMSTAT_SWAP_COPIES,		/* level: frames keeping their slot (clean) */
	VMSTAT_OOM_KILL,
	VMSTAT_FRAMES_FREE_LOWEST,	/* gauge */
	VMSTAT_RESERVE_ALLOCS,		/* pager frames taken from the reserve */
	VMSTAT_THROTTLED,		/* requests that waited for background writes */
	VMSTAT_PSWPOUT_AT_FLOOR,	/* pages written by writes started at the reserve */
	VMSTAT_PGLAZYFREED,		/* unlocked pages dropped without I/O */
	VMSTAT_PRESSURE_LEVEL,		/* gauge */
	VMSTAT_PRESSURE_EVENTS,		/* notifications signalled */
	VMSTAT_PRESSURE_WAITS,		/* critical episodes that waited */
	VMSTAT_NET_THROTTLED,		/* direct reclaimers that waited for netd's pool */
	VMSTAT_HEAP_PAGES,		/* gauge: frames the pager's heap holds */
	VMSTAT_SHADOWS,			/* gauge: evicted pages whose history is kept */
	VMSTAT_WORKINGSET_REFAULT,		/* pages read back that found their history */
	VMSTAT_PGDROP_IMAGE,		/* unwritten program-image pages dropped */
	VMSTAT_SWAP_RA,		/* pages read ahead of their fault (window, swap-in thread) */
	VMSTAT_SWAP_RA_HIT,		/* of those, shown used before they were reclaimed */
	VMSTAT_HARVEST_CALLS,		/* kernel calls reading accessed/dirty bits */
	VMSTAT_PGFREE,			/* frames returned to the free list */
	VMSTAT_PGSCAN_KSWAPD,		/* of pgscan, by background reclaim's rounds */
	VMSTAT_PGSCAN_DIRECT,		/* of pgscan, by direct reclaim */
	VMSTAT_SWAP_RA_STREAMS,		/* swap-in faults of a stream (its last window
					 * used) whose further slots the swap-in thread took */
	VMSTAT_SWAP_RA_MISS,		/* of swap_ra, taken by reclaim unused */
	VMSTAT_SWAPOUT_FAULT_KEPT,	/* victims unmapped for their write that a
					 * fault mapped back (kept in memory) */
	VMSTAT_SWAP_GONE,		/* gauge: 1 once the swap device is gone for
					 * good (an NBD server netd gave up on) */
	VMSTAT_OUTAGE_WAITS,		/* waits for writes a swap device's declared
					 * outage held, past the writer's rounds or not */
	VMSTAT_SWAP_SUM_MISMATCHES,	/* pages read back from an NBD export whose
					 * checksum was not their write's */
	VMSTAT_SWAP_WRITES_LEFT,	/* direct writes left in flight as their
					 * device began an outage */
	VMSTAT_SWAP_SLOTS_LATE,		/* slots retired for writes out on an NBD
					 * connection lost before their answer */
	VMSTAT_SWAP_SLOTS_LATE_BACK,	/* slots of such writes let go, not retired:
					 * their bytes never left netd */
	VMSTAT_HEAP_MALLOC_PAGES,	/* gauge: of heap_pages, malloc's (mapped) */
	VMSTAT_OVERDUE_WAITS,		/* waits, uncounted, for the swap-out thread's
					 * overdue write, no outage declared */
	VMSTAT_OVERDUE_ABANDONED,	/* overdue writes out past every bound of
					 * their device's: waited for counted since */
	VMSTAT_REPORTED,		/* the items above are struct pager_stats */
	/* Counted for the tests and the checker, not reported. */
	VMSTAT_EVICTIONS = VMSTAT_REPORTED,	/* frames handed to swap by vm_evict */
	VMSTAT_DISCARD_LOOKS,		/* unlocked pages vm_discard_some looked at */
	VMSTAT_ITEMS
};

/* The counts, by item. Read and written only through this header's
 * functions; a plain array so that counting in the fault path costs one
 * add, not a call. */
extern uint64_t vmstat_counts[VMSTAT_ITEMS];

static inline void vmstat_count(enum vmstat_item e)
{
	vmstat_counts[e]++;
}

/* n more (or fewer, for a level that goes down) of e. */
static inline void vmstat_count_n(enum vmstat_item e, int64_t n)
{
	vmstat_counts[e] += (uint64_t)n;
}

/* vmstat_count_n for a counter counted where the pager lock may not be
 * held (a transfer's, made with the lock let go): one indivisible add, as
 * a timer tick may switch to another thread counting the same. Every
 * count of such a counter must be made this way. */
static inline void vmstat_count_unlocked(enum vmstat_item e, int64_t n)
{
	__atomic_fetch_add(&vmstat_counts[e], (uint64_t)n, __ATOMIC_RELAXED);
}

/* A level read from its owner when asked: e's value is fn() from now on. */
typedef uint64_t vmstat_gauge_fn(void);
void vmstat_gauge(enum vmstat_item e, vmstat_gauge_fn *fn);

/* e's value: its gauge's answer, or its count. */
uint64_t vmstat_get(enum vmstat_item e);
/* Every reported item, in order: out[VMSTAT_REPORTED] is a struct pager_stats. */
void vmstat_snapshot(uint64_t *out);
/* Every count back to 0 (the VM core starting over); gauges stay. */
void vmstat_reset(void);

#endif
