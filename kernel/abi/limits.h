/*
 * What one process may hold at once in the kernel, so that no program can
 * use up what the others need. Everything counted here is freed when the
 * process ends (docs/design.md, "Security model").
 */
#ifndef ABI_LIMITS_H
#define ABI_LIMITS_H

#define HANDLES_MAX 64		/* handle-table entries (the root task: 256) */
#define THREADS_MAX 64		/* live threads */
#define NOTIFY_TIMERS_PER_PROC 8	/* armed notification timers */

#endif
