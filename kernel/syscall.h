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

#define SYSCALL_BLOCKED ((int64_t)1 << 62)

#endif
