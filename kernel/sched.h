/*
 * The scheduler: fixed priorities (enum prio; servers above programs),
 * round robin within a level, a time slice enforced by the timer tick.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>
#include "entry.h"

void sched_init(uint64_t slice_ns);
void sched_ready(struct thread *t);
/* t is no longer anywhere: forget it if it was current. */
void sched_forget(struct thread *t);
uint64_t sched_slice_ns(void);

int64_t sys_yield(struct thread *t, const uint64_t *a);

#endif
