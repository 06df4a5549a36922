/*
 * Budgets: how much of the kernel pool the processes sharing one may
 * cause to be used (their records, handle tables, page tables and
 * threads), so that one group of processes (the pager's line) cannot
 * empty the pool every other process needs. The root task makes them and
 * names one when it creates a process; the kernel only counts and refuses.
 */
#ifndef KERNEL_BUDGET_H
#define KERNEL_BUDGET_H

#include <stdint.h>
#include "object.h"
#include "console.h"
#include "abi/errno.h"

struct thread;

struct budget {
	struct object obj;
	uint64_t limit;		/* bytes of the pool it may be charged */
	uint64_t used;		/* bytes charged now */
};

/* At boot: how a budget is freed (object.h). */
void budget_init(void);
/* Charge b with bytes: 0, or -ERR_NOMEM (nothing charged) if that would
 * pass its limit. A NULL b (a process with none) is never refused.
 * Inline: each new page table of a fault asks. */
static inline int budget_charge(struct budget *b, uint64_t bytes)
{
	if (!b)
		return 0;
	if (bytes > b->limit - b->used)
		return -ERR_NOMEM;
	b->used += bytes;
	return 0;
}

/* Give back bytes charged before (more is a kernel bug: a panic). */
static inline void budget_uncharge(struct budget *b, uint64_t bytes)
{
	if (!b)
		return;
	if (bytes > b->used)
		panic("budget %p: %lu bytes given back, %lu charged", (void *)b,
		      (unsigned long)bytes, (unsigned long)b->used);
	b->used -= bytes;
}
/* Budgets alive now (SYS_KERNEL_INFO). */
uint64_t budget_count(void);

int64_t sys_budget_create(struct thread *t, const uint64_t *a);
int64_t sys_budget_info(struct thread *t, const uint64_t *a);

#endif
