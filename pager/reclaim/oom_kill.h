/*
 * The last steps of the critical allocation path (allocate; else reclaim
 * until no progress; else kill; then try again): when reclaim can free
 * nothing more, kill a process chosen by oom.policy and free its
 * memory at once, or stop the machine with a report of the memory state.
 */
#ifndef PAGER_OOM_KILL_H
#define PAGER_OOM_KILL_H

#include <stdint.h>

#include <stddef.h>

struct oom_candidate;
struct oom_set;

/* The exit status of a machine the OOM killer stopped (oom.policy=panic,
 * or no process may be chosen). */
#define OOM_PANIC_STATUS 3
/* Processes the OOM killer looks at, at most. */
#define OOM_CANDIDATES_MAX 64

/* What the OOM killer needs of the server, which keeps the processes: the
 * server lends it these (oom_kill_set_procs), so reclaim never calls up. */
struct oom_procs {
	/* One candidate per process with an address space (its footprint from
	 * vm_space_footprint), at most max; how many. */
	size_t (*list)(struct oom_candidate *c, size_t max);
	/* End process pid for memory (PAGER_KILLED_OOM) and release its
	 * space, slots and record now, whatever its threads were doing. 1 if
	 * it ended, OOM_HAD_ENDED if it had ended already (its own exit, or
	 * another's kill: reaped, nobody killed), 0 if it did not end. */
	int (*kill)(uint32_t pid);
	/* Release now every process (not a driver) that has ended but whose
	 * death is not yet reaped (the thread that hears deaths may be
	 * waiting for the lock this caller holds): how many. Their memory is
	 * on its way back, so no one is to be killed for it. */
	size_t (*reap_ended)(void);
	/* The pages two or more of the processes list gave last reach, by
	 * the set that reaches them (bits by index in that list; pages some
	 * other process reaches too are in no set): up to max into s, how
	 * many. Asked under oom.policy=unshared only, right after list. */
	size_t (*sets)(struct oom_set *s, size_t max);
};
#define OOM_HAD_ENDED 2
void oom_kill_set_procs(const struct oom_procs *procs);

/* Memory ran out serving a request of process requester (0: the pager's
 * own) and reclaim made no progress. Kills the victim oom.policy chooses,
 * one process or every member of a group (oom_choose_unit; if none, the
 * requester itself when it may be killed: oom_choose_requester), frees
 * their memory now and names them on the console; 1 if the requester was
 * among them (its request is moot), else 0: try again. Under
 * oom.policy=panic, or with no process to choose, prints the memory state
 * and powers the machine off with OOM_PANIC_STATUS: never returns then.
 * Pager lock held. */
int oom_kill(uint32_t requester);

#endif
