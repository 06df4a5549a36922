/*
 * The last steps of the critical allocation path (seed 000): when reclaim
 * can free nothing more, kill a process chosen by oom.policy and free its
 * memory at once, or stop the machine with a report of the memory state.
 */
#ifndef PAGER_OOM_KILL_H
#define PAGER_OOM_KILL_H

#include <stdint.h>

struct pproc;

/* The exit status of a machine the OOM killer stopped (oom.policy=panic,
 * or no process may be chosen). */
#define OOM_PANIC_STATUS 3

/* Memory ran out serving a request of requester (NULL: the pager's own)
 * and reclaim made no progress. Kills the victim oom.policy chooses, frees
 * its memory now and names it on the console; 1 if the victim was the
 * requester itself (its request is moot), else 0: try again. Under
 * oom.policy=panic, or with no process to choose, prints the memory state
 * and powers the machine off with OOM_PANIC_STATUS: never returns then.
 * Pager lock held. */
int oom_kill(const struct pproc *requester);

#endif
