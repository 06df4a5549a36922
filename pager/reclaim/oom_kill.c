/*
 * The OOM killer's action: one candidate per process (the server lists
 * them, and under unshared the sets of them sharing pages), the choice
 * (oom.c), the kill and the console line that names the victim, or every
 * member of a group. The kill frees the victim's memory before returning, whatever its
 * threads were doing: the kernel ends them at once, and a fault of theirs
 * still in the pager finds no process when it looks again.
 */
#include <stdio.h>
#include "base/config.h"
#include "base/heap.h"
#include "base/slab.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/oom.h"
#include "reclaim/oom_kill.h"
#include "vm/frames.h"
#include "sys.h"

static const struct oom_procs *procs;

void oom_kill_set_procs(const struct oom_procs *p)
{
	procs = p;
}

/* The memory state, for the console when the machine must stop. */
static void report(const struct oom_candidate *c, size_t n)
{
	printf("pager: memory state: %lu frames, %lu free (reserve %lu, fewest free %lu); "
	       "swap slots %lu, %lu free\n", (unsigned long)frames_total(),
	       (unsigned long)frames_free(), (unsigned long)frames_reserve(),
	       (unsigned long)frames_lowest_free(), (unsigned long)vmstat_get(VMSTAT_SWAP_SLOTS_TOTAL),
	       (unsigned long)vmstat_get(VMSTAT_SWAP_SLOTS_FREE));
	printf("pager:   pid name             alone shared arrays score (oom.policy=%s)\n",
	       config.oom_policy_name);
	for (size_t i = 0; i < n; i++)
		printf("pager:   %3u %-16s %6lu %6lu %6lu %5ld%s\n", c[i].pid, c[i].name,
		       (unsigned long)c[i].alone, (unsigned long)c[i].shared, (unsigned long)c[i].meta,
		       (long)oom_score(config.oom_policy == OOM_PANIC ? OOM_UNSHARED : config.oom_policy,
				       &c[i], frames_total()),
		       c[i].exempt ? " exempt" : c[i].adj == OOM_ADJ_NEVER ? " protected" : "");
}

_Noreturn static void panic_out_of_memory(const char *why, const struct oom_candidate *c,
					  size_t n)
{
	printf("pager: out of memory and %s\n", why);
	report(c, n);
	printf("pager: panic: out of memory; stopping the machine\n");
	sys_poweroff(OOM_PANIC_STATUS);
	for (;;)
		;
}

/* procs->kill(pid), or procs->reap_ended if f is NULL (1 if it reaped
 * any), the thread marked as freeing memory meanwhile: a release may need
 * the heap, and the reserve is its if need be. The pages of objects the
 * deaths emptied go back at once, for the request that tries again (a
 * victim chosen for the heap's sake may hold little else). */
static int with_reserve(int (*f)(uint32_t pid), uint32_t pid)
{
	int was = pager_memalloc_begin(), r;

	r = f ? f(pid) : procs->reap_ended() > 0;
	slab_trim();
	pager_memalloc_end(was);
	return r;
}

/* The victim, into *u: oom.policy's unit (the sets asked for under
 * unshared), else the requester alone if it may go (said so); else the
 * machine stops. */
static void choose(const struct oom_candidate *c, size_t n, uint32_t requester,
		   struct oom_unit *u)
{
	static struct oom_set sets[OOM_SETS_MAX];
	size_t nsets = 0;
	int v;

	if (config.oom_policy == OOM_PANIC)
		panic_out_of_memory("oom.policy=panic", c, n);
	if (config.oom_policy == OOM_UNSHARED && procs->sets)
		nsets = procs->sets(sets, OOM_SETS_MAX);
	if (oom_choose_unit(config.oom_policy, c, n, sets, nsets, frames_total(), heap_short(), u))
		return;
	if ((v = oom_choose_requester(config.oom_policy, c, n, requester)) < 0)
		panic_out_of_memory("no process may be killed", c, n);
	printf("pager: out of memory and no process whose death frees memory; "
	       "the requester goes, which ends the demand\n");
	*u = (struct oom_unit){ 1ull << v, oom_score(config.oom_policy, &c[v], frames_total()),
				c[v].alone, c[v].meta };
}

/* Kill c (its name kept first: the record goes with the kill); say so
 * if it did not end. What procs->kill says. */
static int kill_one(const struct oom_candidate *c, char *name, size_t size)
{
	int ended;

	snprintf(name, size, "%s", c->name);
	ended = with_reserve(procs->kill, c->pid);
	if (!ended)
		printf("pager: oom: pid %u did not end when killed\n", c->pid);
	if (ended != OOM_HAD_ENDED)
		vmstat_count(VMSTAT_OOM_KILL);
	return ended;
}

/* Every member of group u killed, each counted, and one line naming them
 * all and what they gave back. */
static void kill_group(const struct oom_candidate *c, const struct oom_unit *u,
		       uint64_t free_before, uint64_t slots_before)
{
	static char names[OOM_GROUP_MAX * 48];	/* ", ", 15 bytes, " (pid N)" each */
	size_t at = 0, count = 0;

	for (uint64_t m = u->who; m; m &= m - 1) {
		const struct oom_candidate *k = &c[__builtin_ctzll(m)];
		char name[16];
		kill_one(k, name, sizeof(name));
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s (pid %u)",
				       count++ ? ", " : "", name, k->pid);
	}
	printf("pager: out of memory: killed a group of %lu sharing memory: %s; score %ld under "
	       "oom.policy=%s; they held %lu pages only they reach and %lu of page arrays, gave "
	       "back %lu frames and %lu swap slots\n", (unsigned long)count, names,
	       (long)u->score, config.oom_policy_name, (unsigned long)u->pages,
	       (unsigned long)u->meta, (unsigned long)(frames_free() - free_before),
	       (unsigned long)(vmstat_get(VMSTAT_SWAP_SLOTS_FREE) - slots_before));
}

int oom_kill(uint32_t requester)
{
	static struct oom_candidate c[OOM_CANDIDATES_MAX];
	struct oom_unit u;
	size_t n;
	int v, ended;
	uint64_t free_before = frames_free(), slots_before = vmstat_get(VMSTAT_SWAP_SLOTS_FREE);
	char name[16];

	/* A process that has ended still holds its memory until its death is
	 * reaped: counted as live, it could be chosen (a kill that kills no
	 * one, said and counted) or outscored by a live one killed for memory
	 * that was on its way back (Linux waits for an exiting task's memory:
	 * oom_evaluate_task). Reaped first, it gives its memory back; the
	 * request tries again. */
	if (procs->reap_ended && with_reserve(NULL, 0))
		return 0;
	n = procs->list(c, OOM_CANDIDATES_MAX);
	choose(c, n, requester, &u);
	if (u.who & (u.who - 1)) {
		kill_group(c, &u, free_before, slots_before);
		for (uint64_t m = u.who; m; m &= m - 1)
			if (c[__builtin_ctzll(m)].pid == requester)
				return 1;
		return 0;
	}
	v = __builtin_ctzll(u.who);
	ended = kill_one(&c[v], name, sizeof(name));
	if (ended == OOM_HAD_ENDED) {
		printf("pager: out of memory: %s (pid %u) had ended already: reaped, nobody "
		       "killed; it gave back %lu frames\n", name, c[v].pid,
		       (unsigned long)(frames_free() - free_before));
		return c[v].pid == requester;
	}
	printf("pager: out of memory: killed %s (pid %u), score %ld under oom.policy=%s; "
	       "it held %lu pages alone and %lu of page arrays, gave back %lu frames and %lu swap "
	       "slots\n", name, c[v].pid, (long)u.score, config.oom_policy_name,
	       (unsigned long)c[v].alone, (unsigned long)c[v].meta,
	       (unsigned long)(frames_free() - free_before),
	       (unsigned long)(vmstat_get(VMSTAT_SWAP_SLOTS_FREE) - slots_before));
	return c[v].pid == requester;
}
