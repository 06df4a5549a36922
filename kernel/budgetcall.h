/*
 * System calls on budgets of the kernel pool: the root task makes one
 * (budget_create) and reads its limit and use (budget_info). The budget
 * itself, its charges and its refusals, is budget.h's.
 */
#ifndef KERNEL_BUDGETCALL_H
#define KERNEL_BUDGETCALL_H

#include <stdint.h>

struct thread;

int64_t sys_budget_create(struct thread *t, const uint64_t *a);
int64_t sys_budget_info(struct thread *t, const uint64_t *a);

#endif
