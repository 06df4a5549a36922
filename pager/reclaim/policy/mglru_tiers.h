/*
 * The refault tiers of the multi-gen LRU policy (policy_mglru.c) and the
 * feedback controller that chooses which of them to protect, as Linux's
 * get_tier_idx does. The policy counts into the struct; this module reads
 * the counts and ages them.
 */
#ifndef PAGER_RECLAIM_MGLRU_TIERS_H
#define PAGER_RECLAIM_MGLRU_TIERS_H

#include <stdint.h>

#define MGLRU_TIERS 4

/* Per tier: this generation's counts, and the averages carried over from
 * the generations before (Linux's NR_HIST_GENS 1). */
struct mglru_tiers {
	uint64_t refaulted[MGLRU_TIERS], evicted[MGLRU_TIERS], protected[MGLRU_TIERS];
	uint64_t avg_refaulted[MGLRU_TIERS], avg_total[MGLRU_TIERS];
};

/* A page's tier from its uses (looks that found it referenced) and
 * whether it refaulted recently, as Linux's lru_tier_from_refs of
 * folio_lru_refs: order_base_2 of the uses beyond the first plus one for
 * the refault, plus one; so none or one use is tier 0, two tier 1, three
 * or four tier 2, and only a refault reaches tier 3. */
uint32_t mglru_tier(uint32_t uses, int workingset);

/* The highest tier eviction may take; the tiers above refault more than
 * tier 0 and are protected. */
int mglru_tiers_evictable(const struct mglru_tiers *t);

/* The oldest generation closed: its counts join the averages. */
void mglru_tiers_carry_over(struct mglru_tiers *t);

#endif
