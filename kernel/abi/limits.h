/*
 * What one process may hold at once in the kernel, and do in one call, so
 * that no program can use up what the others need. Everything counted here is freed when the
 * process ends (docs/design.md, "Security model").
 */
#ifndef ABI_LIMITS_H
#define ABI_LIMITS_H

#define HANDLES_MAX 64		/* handle-table entries (the root task: 256) */
#define THREADS_MAX 64		/* live threads */
#define NOTIFY_TIMERS_PER_PROC 8	/* armed notification timers */

/* Bytes one debug_write writes at most (it returns how many, as write(2)
 * does): the kernel polls the UART a byte at a time, not preemptible, so
 * a call holds the machine while it writes (at 115200 baud, ~90 ms for
 * these; unbounded, 32 MiB held it for seconds, no tick, no disk). */
#define DEBUG_WRITE_MAX 1024

#endif
