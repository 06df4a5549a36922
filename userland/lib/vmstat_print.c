/*
 * vmstat_print(): the pager's counters one per line, the average swap
 * write, then its per-process table, fetched with PAGER_STATS and
 * PAGER_PROC_STATS.
 */
#include <stddef.h>
#include <stdio.h>

#include "pager_client.h"
#include "vmstat_print.h"

#define COUNTER(field) { #field, offsetof(struct pager_stats, field) }

/* Every field of struct pager_stats, in its order. */
static const struct {
	const char *name;
	size_t offset;
} counters[] = {
	COUNTER(frames_total), COUNTER(frames_free), COUNTER(frames_mapped),
	COUNTER(frames_shared), COUNTER(rmap_entries), COUNTER(pgfault),
	COUNTER(faults_zero), COUNTER(faults_image), COUNTER(cow_breaks),
	COUNTER(cow_reuse), COUNTER(faultaround_pages), COUNTER(kills),
	COUNTER(processes), COUNTER(pgmajfault), COUNTER(swap_cache_hits),
	COUNTER(pswpout), COUNTER(pswpin), COUNTER(swap_requests_out),
	COUNTER(swap_requests_in), COUNTER(swap_pages_out), COUNTER(swap_write_errors), COUNTER(swap_read_errors),
	COUNTER(swap_slots_total), COUNTER(swap_slots_free), COUNTER(swap_slots_bad),
	COUNTER(pgscan), COUNTER(pgscan_referenced), COUNTER(swap_full), COUNTER(swap_entries),
	COUNTER(swap_ra_mapped), COUNTER(pgsteal_kswapd), COUNTER(pgsteal_direct),
	COUNTER(allocstall), COUNTER(kswapd_wakeups), COUNTER(swapout_queued),
	COUNTER(swapout_refused), COUNTER(swapout_rescued), COUNTER(pgdrop_clean),
	COUNTER(faults_during_read), COUNTER(swapin_waits), COUNTER(swapin_async),
	COUNTER(swapin_refused), COUNTER(swap_copies), COUNTER(oom_kill),
	COUNTER(frames_free_lowest), COUNTER(reserve_allocs),
	COUNTER(throttled), COUNTER(pswpout_at_floor), COUNTER(pglazyfreed),
	COUNTER(pressure_level), COUNTER(pressure_events), COUNTER(pressure_waits),
	COUNTER(net_throttled),
	COUNTER(heap_pages), COUNTER(shadows), COUNTER(workingset_refault),
	COUNTER(pgdrop_image),
	COUNTER(swap_ra), COUNTER(swap_ra_hit),
	COUNTER(harvest_calls), COUNTER(pgfree),
	COUNTER(pgscan_kswapd), COUNTER(pgscan_direct),
	COUNTER(swap_ra_streams), COUNTER(swap_ra_miss),
	COUNTER(swapout_fault_kept), COUNTER(swap_gone), COUNTER(outage_waits),
	COUNTER(swap_sum_mismatches), COUNTER(swap_writes_left), COUNTER(swap_slots_late),
	COUNTER(swap_slots_late_back), COUNTER(heap_malloc_pages), COUNTER(overdue_waits),
	COUNTER(overdue_abandoned),
};

_Static_assert(sizeof(counters) / sizeof(counters[0]) ==
	       sizeof(struct pager_stats) / sizeof(uint64_t),
	       "a pager_stats field is missing from vmstat");

#define PROCS_PER_CALL (MSG_DATA_MAX / sizeof(struct pager_proc_stats))
#define MAX_CALLS 64	/* a pager whose `next` never ends cannot loop us */

static void print_counters(const char *prefix, const struct pager_stats *st)
{
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		const uint64_t *v = (const uint64_t *)((const char *)st + counters[i].offset);
		printf("%s%s %lu\n", prefix, counters[i].name, (unsigned long)*v);
	}
}

/* What the counters say per request: how large the swap writes are. */
static void print_averages(const char *prefix, const struct pager_stats *st)
{
	if (st->swap_requests_out == 0)
		return;
	printf("%sswap write request average %lu KiB (%lu pages in %lu requests)\n", prefix,
	       (unsigned long)(st->swap_pages_out * 4 / st->swap_requests_out),
	       (unsigned long)st->swap_pages_out, (unsigned long)st->swap_requests_out);
}

/* Reclaim's cost per page it freed: pages looked at (pgscan) and kernel
 * calls made for those looks, in hundredths (no floating point here). */
static void print_looks(const char *prefix, const struct pager_stats *st)
{
	uint64_t stolen = st->pgsteal_kswapd + st->pgsteal_direct;

	if (stolen == 0)
		return;
	printf("%slooks_per_steal %lu.%02lu harvest_calls_per_steal %lu.%02lu\n", prefix,
	       (unsigned long)(st->pgscan / stolen), (unsigned long)(st->pgscan * 100 / stolen % 100),
	       (unsigned long)(st->harvest_calls / stolen),
	       (unsigned long)(st->harvest_calls * 100 / stolen % 100));
}

static void print_process(const char *prefix, const struct pager_proc_stats *e)
{
	printf("%s%5u %-16.16s %8u %8u %8u %8u\n", prefix, (unsigned)e->pid, e->name,
	       (unsigned)e->resident, (unsigned)e->shared, (unsigned)e->swapped,
	       (unsigned)e->regions);
}

static int print_processes(const char *prefix)
{
	struct pager_proc_stats e[PROCS_PER_CALL];
	uint32_t first = 0, next;

	printf("%s%5s %-16s %8s %8s %8s %8s\n", prefix, "pid", "name", "resident",
	       "shared", "swapped", "regions");
	for (int call = 0; call < MAX_CALLS; call++) {
		int n = pager_proc_stats(first, e, PROCS_PER_CALL, &next);
		if (n < 0) {
			printf("%svmstat: no process statistics (error %d)\n", prefix, -n);
			return n;
		}
		for (int i = 0; i < n; i++)
			print_process(prefix, &e[i]);
		if (next <= first)
			break;		/* 0: the end */
		first = next;
	}
	return 0;
}

/* The policy and watermarks in force, first: they explain the counters. */
static void print_info(const char *prefix)
{
	struct pager_info in;

	if (pager_info(&in) < 0)
		return;
	printf("%spolicy %s\n", prefix, in.policy);
	if (in.seed_marks)
		printf("%swatermarks seed reclaim_at=%u%% reclaim_to=%u%% free_min=%u%% ", prefix,
		       (unsigned)in.reclaim_at, (unsigned)in.reclaim_to, (unsigned)in.free_min);
	else
		printf("%swatermarks linux ", prefix);
	printf("(free frames: start %lu, stop %lu, min %lu)\n", (unsigned long)in.start_free,
	       (unsigned long)in.stop_free, (unsigned long)in.min_free);
	printf("%soom.policy %s, reserve %lu frames\n", prefix, in.oom_policy,
	       (unsigned long)in.reserve);
}

int vmstat_print(const char *prefix)
{
	struct pager_stats st;
	int r = pager_stats(&st);

	if (r < 0) {
		printf("%svmstat: the pager gave no statistics (error %d)\n", prefix, -r);
		return r;
	}
	print_info(prefix);
	print_counters(prefix, &st);
	print_averages(prefix, &st);
	print_looks(prefix, &st);
	return print_processes(prefix);
}
