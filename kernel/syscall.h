/*
 * System-call plumbing: the handler type and the dispatch table's entries.
 * The result meaning "the thread blocked" is thread.h's SYSCALL_BLOCKED.
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

#endif
