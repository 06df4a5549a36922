/*
 * The pager's statistics, served over IPC like Linux's /proc/vmstat: the
 * VM core's counters, the frame table's and one line per process.
 */
#include <errno.h>
#include <string.h>
#include "server/requests.h"
#include "server/procs.h"
#include "server/spawn.h"
#include "base/vmstat.h"
#include "vm/frames.h"
#include "vm/vm.h"
#include "reclaim/policy/policy.h"
#include "reclaim/reclaim.h"
#include "swap/swap.h"
#include "base/config.h"
#include "pager/protocol.h"
#include "sys.h"

#define PER_REPLY (MSG_DATA_MAX / sizeof(struct pager_proc_stats))

#define STATS_PER_REPLY (MSG_DATA_MAX / sizeof(uint64_t))

/* The counters from item w[0] on, as many as one message holds, paged as
 * pager/protocol.h says: struct pager_stats outgrew one message, and a
 * reader from before that asks for item 0 and gets the fields it knows. */
void handle_stats(const struct msg *in, struct msg *out)
{
	uint64_t v[VMSTAT_REPORTED], first = in->w[0], n;

	_Static_assert(sizeof(struct pager_stats) == sizeof(v), "vmstat's items are pager_stats");
	if (first > VMSTAT_REPORTED) {
		reply_result(out, -EINVAL);
		return;
	}
	vmstat_snapshot(v);
	n = VMSTAT_REPORTED - first < STATS_PER_REPLY ? VMSTAT_REPORTED - first : STATS_PER_REPLY;
	reply_result(out, 0);
	memcpy(out->data, v + first, n * sizeof(*v));
	out->len = (uint32_t)(n * sizeof(*v));
	out->w[0] = n;
	out->w[1] = first + n < VMSTAT_REPORTED ? first + n : 0;
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
	uint64_t pa;
	int r;

	if (!p) {
		reply_result(out, -ESRCH);
		return;
	}
	h = (struct harvest_entry){ .proc = (uint32_t)p->handle,
				    .bits = HARVEST_ACCESSED | HARVEST_DIRTY,
				    .va = in->w[0] & ~(PAGE_SIZE - 1) };
	pa = p->vm ? vm_lookup(p->vm, h.va) : 0;
	r = vm_harvest(&h, &pa, 1);	/* a dirty bit seen here counts too */
	reply_result(out, r < 0 ? r : 0);
	out->w[0] = h.bits;
}

/* The policy's traits as pager_info says them (PAGER_POLICY_*). */
static uint32_t policy_traits(const struct policy_ops *ops)
{
	uint32_t t;

	if (!ops)
		return 0;
	t = (ops->reads_bits ? PAGER_POLICY_READS_BITS : 0) |
	    (ops->first_stay_blind ? PAGER_POLICY_FIRST_STAY_BLIND : 0);
	switch (policy_history(ops)) {
	case POLICY_HISTORY_ALWAYS:
		return t | PAGER_POLICY_HISTORY_ALWAYS;
	case POLICY_HISTORY_SOME:
		return t | PAGER_POLICY_HISTORY_SOME;
	default:
		return t;
	}
}

/* Pool pages p's line uses now, rounded up; 0 if it has no budget. */
static uint64_t line_pool_used(const struct pproc *p)
{
	struct budget_info b;

	if (!p || p->pool_budget < 0 || sys_budget_info(p->pool_budget, &b) < 0)
		return 0;
	return (b.used + PAGE_SIZE - 1) / PAGE_SIZE;
}

void handle_info(const struct msg *in, struct msg *out)
{
	struct pager_info info = {
		.reclaim_at = config.reclaim_at,
		.reclaim_to = config.reclaim_to,
		.free_min = config.free_min,
		.seed_marks = config.watermarks == WATERMARKS_SEED,
	};

	strncpy(info.policy, config.policy_name, sizeof(info.policy) - 1);
	strncpy(info.oom_policy, config.oom_policy_name, sizeof(info.oom_policy) - 1);
	info.reserve = frames_reserve();
	info.swap_request_pages = swap_request_pages();
	info.policy_traits = policy_traits(policy_find(config.policy_name));
	info.pt_pages_max = spawn_pt_limit();
	info.line_pool_pages = spawn_pool_limit();
	info.line_pool_used = line_pool_used(procs_by_pid(in->pid));
	reclaim_watermarks(&info.start_free, &info.stop_free, &info.min_free);
	reply_result(out, 0);
	memcpy(out->data, &info, sizeof(info));
	out->len = sizeof(info);
}
