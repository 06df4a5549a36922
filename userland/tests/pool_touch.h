/*
 * Touchers of the kernel pool, for the tests of a line's budget of it
 * (limit_pool in the suite, pooleater in guest-two-lines): a process
 * touching one page in each of many fresh 2 MiB ranges costs the pool a
 * leaf page table for each, and only a few frames.
 */
#ifndef POOL_TOUCH_H
#define POOL_TOUCH_H

#include <stdint.h>

#include "pager/protocol.h"

/* Leaf tables each of touchers processes of one line should touch so
 * that half of them spend the line's budget of the kernel pool, as the
 * pager reports it (in->line_pool_pages): then the budget refuses one of
 * them at any memory size, as the budget grows with memory and a
 * toucher's cost with it. 0: the pager reports no budget. */
uint64_t pool_touch_tables(const struct pager_info *in, int touchers);

/* In the calling process: one page touched in each of tables fresh 2 MiB
 * ranges (1 GiB mappings, the largest the pager grants), fewer if this
 * process's own page-table limit (in->pt_pages_max) would not let it
 * hold them all, so only its line's budget or the pool can refuse a
 * table: a refused table kills the process (SIGSEGV). The tables touched,
 * or 0 if a mapping failed. */
uint64_t pool_touch(const struct pager_info *in, uint64_t tables);

#endif
