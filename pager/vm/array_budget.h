/*
 * The page-array budget a space and the shared objects it makes hold
 * together (struct pv_budget: pagevec.c charges it chunk by chunk), made
 * with its first holder and freed with its last. Beneath shared.c and
 * space.c, its two kinds of holder.
 */
#ifndef PAGER_VM_ARRAY_BUDGET_H
#define PAGER_VM_ARRAY_BUDGET_H

#include <stdint.h>
#include "vm/pagevec.h"

/* A budget of at most max bytes (0: no bound), nothing charged, held once
 * (by its maker); NULL if the pager's heap is short. */
struct pv_budget *vm_budget_new(uint64_t max);
/* b (NULL: none) gains a holder: b. */
struct pv_budget *vm_budget_hold(struct pv_budget *b);
/* b (NULL: none) loses a holder; the last frees it. */
void vm_budget_put(struct pv_budget *b);

#endif
