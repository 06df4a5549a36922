/*
 * Which processes share a budget, so that a page it refuses one of them
 * comes out of the page tables its members keep empty first.
 */
#ifndef KERNEL_BUDGET_MEMBERS_H
#define KERNEL_BUDGET_MEMBERS_H

#include <stdint.h>
#include "budget.h"

struct proc;

/* p's record joins its budget's members (p->budget; none: nothing), and
 * leaves them as it goes (budget_members.c). */
void budget_join(struct proc *p);
void budget_leave(struct proc *p);
/* A table for p was refused (-ERR_NOMEM: a map, a copy, a device window,
 * its root table): if its budget refused it (p->pt.refused, as the
 * allocation noted it: not p's own limit, nor the pool), every member's
 * tables left empty go back, and whether any did, for the caller to try
 * once more. */
int budget_prune(struct proc *p);
/* b refused a charge of bytes made outside a walk of page tables (a page
 * of its caches: budget_caches.c): every member's tables left empty go
 * back, and if any did, the charge is asked once more (0, or -ERR_NOMEM).
 * So a line's new process, thread or object is not refused while its
 * members keep empty tables. */
int budget_charge_pruned(struct budget *b, uint64_t bytes);

#endif
