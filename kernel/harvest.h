/*
 * SYS_HARVEST (harvest.c): the pager reads and clears the accessed and
 * dirty bits of a batch of (process, page) pairs. Above vmcall.c, whose
 * user-page check it shares.
 */
#ifndef KERNEL_HARVEST_H
#define KERNEL_HARVEST_H

#include <stdint.h>

struct thread;

int64_t sys_harvest(struct thread *t, const uint64_t *a);

#endif
