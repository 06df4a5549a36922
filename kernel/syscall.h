/*
 * System-call plumbing shared by the files that implement calls: the
 * handler type and the result meaning "the thread blocked (or is gone);
 * someone else will set its result".
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>

struct thread;

typedef int64_t (*syscall_fn)(struct thread *t, const uint64_t *args);

/* Who may make a call (kernel/abi/syscalls.list's "who"). */
enum syscall_who {
	SYSCALL_ANY = 0,
	SYSCALL_ROOT = 1	/* the root task only; anyone else gets -ERR_PERM */
};

/* One entry of the dispatch table (generated: syscall_table.h). */
struct syscall_entry {
	syscall_fn fn;
	enum syscall_who who;
};

/* A value no call returns (results are >= 0 or a negated errno; notification
 * bits leave bit 63 clear): it was 1 << 62, which a wait that found exactly
 * that bit pending returned, so the bits were taken and never written back
 * (the pager's swap-out thread then slept on a finished disk request). */
#define SYSCALL_BLOCKED INT64_MIN

#endif
