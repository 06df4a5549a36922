/*
 * The OOM killer's action: one candidate per process (its footprint from
 * the VM core), the choice (oom.c), the kill and the console line that
 * names the victim. The kill frees the victim's memory before returning,
 * whatever its threads were doing: the kernel ends them at once, and a
 * fault of theirs still in the pager finds no process when it looks again.
 */
#include <stdio.h>
#include "reclaim/oom_kill.h"
#include "base/vmstat.h"
#include "reclaim/oom.h"
#include "base/config.h"
#include "vm/frames.h"
#include "server/procs.h"
#include "server/service.h"
#include "base/threads.h"
#include "vm/vm.h"
#include "sys.h"
#include "pager/protocol.h"

/* One candidate per live process; slot[i] is candidate i's process slot. */
static size_t candidates(struct oom_candidate *c, int *slot)
{
	size_t n = 0;

	for (int i = 0; i < PROCS_MAX; i++) {
		struct pproc *p = procs_slot(i);
		if (!p || !p->vm)
			continue;
		c[n] = (struct oom_candidate){ .pid = p->pid, .adj = p->oom_adj,
					       .exempt = p->oom_exempt || p->pinned };
		vm_space_footprint(p->vm, &c[n].alone, &c[n].shared);
		slot[n++] = i;
	}
	return n;
}

/* The memory state, for the console when the machine must stop. */
static void report(const struct oom_candidate *c, const int *slot, size_t n)
{
	printf("pager: memory state: %lu frames, %lu free (reserve %lu, fewest free %lu); "
	       "swap slots %lu, %lu free\n", (unsigned long)frames_total(),
	       (unsigned long)frames_free(), (unsigned long)frames_reserve(),
	       (unsigned long)frames_lowest_free(), (unsigned long)vmstat_get(VMSTAT_SWAP_SLOTS_TOTAL),
	       (unsigned long)vmstat_get(VMSTAT_SWAP_SLOTS_FREE));
	printf("pager:   pid name             alone shared score (oom.policy=%s)\n",
	       config.oom_policy_name);
	for (size_t i = 0; i < n; i++)
		printf("pager:   %3u %-16s %6lu %6lu %5ld%s\n", c[i].pid, procs_slot(slot[i])->name,
		       (unsigned long)c[i].alone, (unsigned long)c[i].shared,
		       (long)oom_score(config.oom_policy == OOM_PANIC ? OOM_UNSHARED : config.oom_policy,
				       &c[i], frames_total()),
		       c[i].exempt ? " exempt" : c[i].adj == OOM_ADJ_NEVER ? " protected" : "");
}

_Noreturn static void panic_out_of_memory(const char *why, const struct oom_candidate *c,
					  const int *slot, size_t n)
{
	printf("pager: out of memory and %s\n", why);
	report(c, slot, n);
	printf("pager: panic: out of memory; stopping the machine\n");
	sys_poweroff(OOM_PANIC_STATUS);
	for (;;)
		;
}

int oom_kill(const struct pproc *requester)
{
	static struct oom_candidate c[PROCS_MAX];
	static int slot[PROCS_MAX];
	struct pager_thread *t = pager_holder();
	size_t n = candidates(c, slot);
	int v = oom_choose(config.oom_policy, c, n, frames_total());
	uint64_t free_before = frames_free(), slots_before = vmstat_get(VMSTAT_SWAP_SLOTS_FREE);
	struct pproc *victim;
	char name[PROC_NAME];
	int64_t score;
	int self, was_memalloc;

	if (config.oom_policy == OOM_PANIC)
		panic_out_of_memory("oom.policy=panic", c, slot, n);
	if (v < 0)
		panic_out_of_memory("no process may be killed", c, slot, n);
	victim = procs_slot(slot[v]);
	score = oom_score(config.oom_policy, &c[v], frames_total());
	self = victim == requester;
	was_memalloc = t ? t->memalloc : 0;
	if (t)
		t->memalloc = 1;	/* freeing memory: the reserve is ours if need be */
	snprintf(name, sizeof(name), "%s", victim->name);
	sys_proc_kill(victim->handle, PAGER_KILLED_OOM);
	if (!service_reap(victim))
		printf("pager: oom: pid %u did not end when killed\n", c[v].pid);
	if (t)
		t->memalloc = was_memalloc;
	vmstat_count(VMSTAT_OOM_KILL);
	printf("pager: out of memory: killed %s (pid %u), score %ld under oom.policy=%s; "
	       "it held %lu pages alone, gave back %lu frames and %lu swap slots\n", name, c[v].pid,
	       (long)score, config.oom_policy_name, (unsigned long)c[v].alone,
	       (unsigned long)(frames_free() - free_before),
	       (unsigned long)(vmstat_get(VMSTAT_SWAP_SLOTS_FREE) - slots_before));
	return self;
}
