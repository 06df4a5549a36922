/*
 * The pager's statistics, served over IPC like Linux's /proc/vmstat: the
 * VM core's counters, the frame table's and one line per process.
 */
#include <errno.h>
#include <string.h>
#include "requests.h"
#include "procs.h"
#include "frames.h"
#include "vm.h"
#include "swapper.h"
#include "reclaim.h"
#include "config.h"
#include "policy.h"
#include "oom_kill.h"
#include "oom.h"
#include "pressure.h"
#include "heap.h"
#include "pager/protocol.h"
#include "sys.h"

#define PER_REPLY (MSG_DATA_MAX / sizeof(struct pager_proc_stats))

static uint64_t kills, overlapped;

void stats_count_kill(void)
{
	kills++;
}

void stats_count_fault_during_read(void)
{
	overlapped++;
}

void handle_stats(const struct msg *in, struct msg *out)
{
	const struct vm_counters *c = vm_counters();
	struct pager_stats st = {
		.frames_total = frames_total(),
		.frames_free = frames_free(),
		.frames_mapped = c->frames_mapped,
		.frames_shared = c->frames_shared,
		.rmap_entries = c->rmap_entries,
		.faults = c->faults,
		.faults_zero = c->faults_zero,
		.faults_image = c->faults_image,
		.cow_breaks = c->cow_breaks,
		.cow_reuse = c->cow_reuse,
		.faultaround_pages = c->faultaround_pages,
		.kills = kills,
		.processes = (uint64_t)procs_count(),
		.major_faults = c->swap_ins,
		.swap_cache_hits = c->swap_cache_hits,
		.swap_entries = c->swap_entries,
		.swap_readahead = c->swap_readahead,
		.swap_copies = c->swap_copies,
	};
	struct swapper_counters sw;

	(void)in;
	swapper_counters(&sw);
	st.pswpout = sw.pages_out;
	st.pswpin = sw.pages_in;
	st.swap_requests_out = sw.requests_out;
	st.swap_requests_in = sw.requests_in;
	st.swap_write_errors = sw.write_errors;
	st.swap_read_errors = sw.read_errors;
	st.swap_slots_total = sw.slots_total;
	st.swap_slots_free = sw.slots_free;
	st.swap_slots_bad = sw.slots_bad;
	st.pgscan = sw.scanned;
	st.pgsecond_chance = sw.second_chances;
	st.swap_full = sw.full;
	st.pgsteal_background = sw.background_pages;
	st.pgsteal_direct = sw.direct_pages;
	st.allocstall = sw.direct_runs;
	st.kswapd_wakeups = reclaim_wakeups();
	st.swapout_queued = sw.queued;
	st.swapout_refused = sw.queue_refused;
	st.swapout_rescued = sw.queue_rescued;
	st.pgdrop_clean = sw.clean_dropped;
	st.faults_during_read = overlapped;
	st.swapin_waits = sw.read_waits;
	st.swapin_queued = sw.background_in;
	st.swapin_refused = sw.in_queue_refused;
	st.oom_kill = oom_kills();
	st.reserve_frames = frames_reserve();
	st.frames_free_lowest = frames_lowest_free();
	st.reserve_allocs = reclaim_reserve_allocs();
	st.throttled = reclaim_throttled();
	st.pswpout_at_floor = sw.pages_out_at_floor;
	st.pgdiscard = c->discarded;
	st.pressure_level = pressure_level();
	st.pressure_events = pressure_events();
	st.pressure_waits = reclaim_critical_waits();
	st.heap_pages = heap_pages();
	_Static_assert(sizeof(st) <= MSG_DATA_MAX, "pager_stats must fit in one message");
	reply_result(out, 0);
	memcpy(out->data, &st, sizeof(st));
	out->len = sizeof(st);
}

void handle_proc_stats(const struct msg *in, struct msg *out)
{
	struct pager_proc_stats *e = (struct pager_proc_stats *)out->data;
	uint64_t slot = in->w[0], n = 0;

	for (; slot < PROCS_MAX && n < PER_REPLY; slot++) {
		struct pproc *p = procs_slot((int)slot);
		struct vm_space_info info;
		if (!p || !p->vm)
			continue;
		vm_space_info(p->vm, &info);
		e[n] = (struct pager_proc_stats){ p->pid, info.resident, info.shared, info.regions,
						  info.swapped, 0, { 0 } };
		memcpy(e[n].name, p->name, sizeof(e[n].name));
		n++;
	}
	reply_result(out, 0);
	out->len = (uint32_t)(n * sizeof(*e));
	out->w[0] = n;
	out->w[1] = slot < PROCS_MAX ? slot : 0;
}

void handle_page_bits(const struct msg *in, struct msg *out)
{
	struct pproc *p = procs_by_pid(in->pid);
	struct harvest_entry h;
	int r;

	if (!p) {
		reply_result(out, -ESRCH);
		return;
	}
	h = (struct harvest_entry){ .proc = (uint32_t)p->handle, .va = in->w[0] & ~(PAGE_SIZE - 1) };
	r = sys_harvest(&h, 1);
	reply_result(out, r < 0 ? r : 0);
	out->w[0] = h.bits;
}

void handle_info(const struct msg *in, struct msg *out)
{
	struct pager_info info = {
		.reclaim_at = config.reclaim_at,
		.reclaim_to = config.reclaim_to,
		.free_min = config.free_min,
	};

	(void)in;
	strncpy(info.policy, config.policy->name, sizeof(info.policy) - 1);
	strncpy(info.oom_policy, oom_policy_names[config.oom_policy], sizeof(info.oom_policy) - 1);
	info.reserve = frames_reserve();
	reclaim_watermarks(&info.start_free, &info.stop_free, &info.min_free);
	reply_result(out, 0);
	memcpy(out->data, &info, sizeof(info));
	out->len = sizeof(info);
}
